package signalwire

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/voice"
)

// maxSecretSize bounds the secret document ParseCredentials reads; the real one is about 150 bytes.
const maxSecretSize = 64 << 10

// Credentials are the SignalWire credentials as stored in the secret.
//
// Printing a Credentials value (fmt verbs, slog, encoding/json) shows the
// project ID and the space only, never the API token or a signing key.
type Credentials struct {
	ProjectID string // Project (account) ID, a UUID; the Basic auth user name.
	APIToken  string // API token; the Basic auth password.
	SpaceURL  string // Space host or https URL, such as example.signalwire.com.

	// SigningKey is the project's webhook signing key (secret key
	// "signing_key"), which SignalWire signs status callbacks with. It is
	// optional: only the callback receiver needs it.
	SigningKey string
	// PreviousSigningKey is the key before the last reset (secret key
	// "previous_signing_key"), accepted too while a reset takes effect.
	PreviousSigningKey string
}

// CredentialsError reports one unusable key of the credentials secret. It
// names the key, never its value, and unwraps to voice.ErrCredentials.
type CredentialsError struct {
	Key    string // JSON key of the secret; empty when the document as a whole is wrong.
	Reason string
}

// Error implements error.
func (e *CredentialsError) Error() string {
	if e.Key == "" {
		return "signalwire: credentials: " + e.Reason
	}
	return "signalwire: credentials: " + e.Key + ": " + e.Reason
}

// Unwrap returns voice.ErrCredentials, so callers can match any credentials
// problem with errors.Is.
func (e *CredentialsError) Unwrap() error { return voice.ErrCredentials }

// ParseCredentials decodes the secret JSON {"project_id","api_token","space_url"}
// (and the optional "signing_key" and "previous_signing_key") and validates it. Every problem is reported, each as a *CredentialsError
// (joined with errors.Join when there are several); no error carries any byte
// of the secret.
func ParseCredentials(secret []byte) (Credentials, error) {
	if len(secret) > maxSecretSize {
		return Credentials{}, &CredentialsError{Reason: "secret larger than " + strconv.Itoa(maxSecretSize) + " bytes"}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(secret, &doc); err != nil {
		// encoding/json errors can quote parts of the input (a syntax error
		// names the offending character, a type error the number), so only the
		// offset survives.
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Credentials{}, &CredentialsError{Reason: "malformed JSON at offset " + strconv.FormatInt(syn.Offset, 10)}
		}
		return Credentials{}, &CredentialsError{Reason: "secret is not a JSON object"}
	}
	if doc == nil { // the literal null
		return Credentials{}, &CredentialsError{Reason: "secret is not a JSON object"}
	}

	var c Credentials
	var errs []error
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"project_id", &c.ProjectID},
		{"api_token", &c.APIToken},
		{"space_url", &c.SpaceURL},
	} {
		raw, ok := doc[f.key]
		if !ok {
			errs = append(errs, &CredentialsError{Key: f.key, Reason: "missing"})
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			errs = append(errs, &CredentialsError{Key: f.key, Reason: "not a JSON string"})
			*f.dst = ""
		}
	}
	errs = append(errs, parseSigningKeys(doc, &c)...)
	if len(errs) > 0 {
		return Credentials{}, joinErrors(errs)
	}
	// A loopback space_url parses; whether it may be used is the Client's
	// decision (WithLoopback), never the secret's.
	if err := c.validate(true); err != nil {
		return Credentials{}, err
	}
	return c, nil
}

// Validate reports every unusable field of c as a *CredentialsError named
// after its secret key. It never includes a field's value. space_url must
// name an https SignalWire space: a plain-http loopback address is refused
// here, as in a Client without WithLoopback.
func (c Credentials) Validate() error { return c.validate(false) }

func (c Credentials) validate(loopback bool) error {
	var errs []error
	if c.ProjectID == "" {
		errs = append(errs, &CredentialsError{Key: "project_id", Reason: "missing"})
	} else if !contract.IsUUID(c.ProjectID) {
		errs = append(errs, &CredentialsError{Key: "project_id", Reason: "not a UUID"})
	}
	if c.APIToken == "" {
		errs = append(errs, &CredentialsError{Key: "api_token", Reason: "missing"})
	} else if !isPrintableASCII(c.APIToken) {
		// Such a token could never authenticate, and a CR or LF would be
		// refused by net/http with a less clear error.
		errs = append(errs, &CredentialsError{Key: "api_token", Reason: "contains whitespace, control or non-ASCII characters"})
	}
	if c.SpaceURL == "" {
		errs = append(errs, &CredentialsError{Key: "space_url", Reason: "missing"})
	} else if _, err := spaceBaseURL(c.SpaceURL, loopback); err != nil {
		errs = append(errs, err)
	}
	for _, k := range []struct{ key, value string }{
		{"signing_key", c.SigningKey},
		{"previous_signing_key", c.PreviousSigningKey},
	} {
		if k.value != "" && !isPrintableASCII(k.value) {
			// A pasted key with a trailing newline would fail every
			// signature check without saying why.
			errs = append(errs, &CredentialsError{Key: k.key, Reason: "contains whitespace, control or non-ASCII characters"})
		}
	}
	return joinErrors(errs)
}

// parseSigningKeys reads the optional signing keys of the secret into c. An
// absent key, null and "" all mean no key.
func parseSigningKeys(doc map[string]json.RawMessage, c *Credentials) []error {
	var errs []error
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"signing_key", &c.SigningKey},
		{"previous_signing_key", &c.PreviousSigningKey},
	} {
		raw, ok := doc[f.key]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			errs = append(errs, &CredentialsError{Key: f.key, Reason: "not a JSON string"})
			*f.dst = ""
		}
	}
	return errs
}

// BaseURL returns scheme://host[:port] for API calls, derived from SpaceURL
// by the same guard Validate applies. It returns "" if SpaceURL is refused.
func (c Credentials) BaseURL() string {
	u, err := spaceBaseURL(c.SpaceURL, false)
	if err != nil {
		return ""
	}
	return u
}

// String returns the project ID and the space, never the API token or a
// signing key; it says only whether each signing key is set.
func (c Credentials) String() string {
	return fmt.Sprintf("{ProjectID:%s SpaceURL:%s APIToken:[redacted] SigningKey:%s PreviousSigningKey:%s}",
		c.ProjectID, c.SpaceURL, redacted(c.SigningKey), redacted(c.PreviousSigningKey))
}

// GoString is used by %#v; it redacts the API token and the signing keys like String.
func (c Credentials) GoString() string {
	return fmt.Sprintf("signalwire.Credentials{ProjectID:%q, SpaceURL:%q, APIToken:\"[redacted]\", SigningKey:%q, PreviousSigningKey:%q}",
		c.ProjectID, c.SpaceURL, redacted(c.SigningKey), redacted(c.PreviousSigningKey))
}

// redacted stands in for a secret value: whether it is set, never what it is.
func redacted(v string) string {
	if v == "" {
		return "[none]"
	}
	return "[redacted]"
}

// Format implements fmt.Formatter so that every verb and flag (%v, %+v, %#v,
// %s, %q, %x ...) goes through the redacted forms.
func (c Credentials) Format(f fmt.State, verb rune) {
	s := c.String()
	if verb == 'v' && f.Flag('#') {
		s = c.GoString()
	}
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// LogValue implements slog.LogValuer: logs carry the project ID, the space
// and whether each signing key is set.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("project_id", c.ProjectID),
		slog.String("space_url", c.SpaceURL),
		slog.Bool("signing_key", c.SigningKey != ""),
		slog.Bool("previous_signing_key", c.PreviousSigningKey != ""),
	)
}

// MarshalJSON writes the project ID, the space and whether each signing key
// is set, so a Credentials value that ends up in a JSON document or log never
// exposes the token or a key.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ProjectID          string `json:"project_id"`
		SpaceURL           string `json:"space_url"`
		SigningKey         bool   `json:"signing_key"`
		PreviousSigningKey bool   `json:"previous_signing_key"`
	}{c.ProjectID, c.SpaceURL, c.SigningKey != "", c.PreviousSigningKey != ""})
}

// spaceBaseURL applies the space_url guard and returns the normalized
// scheme://host[:port]. Because the client sends the API token to this
// address, anything but an https *.signalwire.com space is refused: userinfo,
// query, fragment, paths, percent-encoding, IP literals, other ports and
// schemes. With loopback, a test server on 127.0.0.1, ::1 or localhost is
// accepted too (plain http included); only the local runner and tests turn
// that on. Error reasons never quote the value.
func spaceBaseURL(raw string, loopback bool) (string, error) {
	fail := func(reason string) (string, error) {
		return "", &CredentialsError{Key: "space_url", Reason: reason}
	}
	if len(raw) > 300 {
		return fail("too long")
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if b <= ' ' || b >= 0x7f {
			return fail("contains whitespace, control or non-ASCII characters")
		}
		// '@' introduces userinfo, '?' a query, '#' a fragment, '%' an
		// encoding that could hide any of them; a backslash is read as a
		// slash by some URL parsers. None belongs in a space address.
		if strings.IndexByte(`@?#%\`, b) >= 0 {
			return fail("contains userinfo, query, fragment or escape characters")
		}
	}

	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s // bare host
	}
	u, err := url.Parse(s)
	if err != nil {
		return fail("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return fail("scheme must be https")
	}
	if u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fail("contains userinfo, query or fragment")
	}
	if u.Path != "" && u.Path != "/" {
		return fail("must not have a path")
	}
	if u.Host == "" || strings.HasSuffix(u.Host, ":") {
		return fail("missing host or port")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return fail("invalid port")
		}
	}

	if isLoopbackHost(host) {
		if !loopback {
			return fail("loopback hosts are allowed only for local runs and tests")
		}
		// Local test servers and the replay server: plain http is fine.
		if port == "" {
			return scheme + "://" + bracketHost(host), nil
		}
		return scheme + "://" + net.JoinHostPort(host, port), nil
	}
	if net.ParseIP(host) != nil || strings.HasPrefix(u.Host, "[") {
		return fail("IP address hosts are not allowed")
	}
	if scheme != "https" {
		return fail("scheme must be https")
	}
	if port != "" && port != "443" {
		return fail("non-default port")
	}
	if !isSpaceHost(host) {
		return fail("host is not a SignalWire space")
	}
	return "https://" + host, nil
}

// isLoopbackHost reports the hosts a plain-http test server may use. Only
// these exact spellings count; 127.1, 0.0.0.0 and ::ffff:127.0.0.1 do not.
func isLoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || host == "localhost"
}

func bracketHost(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// isSpaceHost reports whether host (lower case) is a subdomain of
// signalwire.com made of LDH labels, with no trailing dot.
func isSpaceHost(host string) bool {
	const suffix = ".signalwire.com"
	if len(host) > 253 || !strings.HasSuffix(host, suffix) {
		return false
	}
	prefix := strings.TrimSuffix(host, suffix)
	if prefix == "" {
		return false
	}
	for label := range strings.SplitSeq(prefix, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
				return false
			}
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// joinErrors returns nil, the only error, or errors.Join of several, so a
// single problem keeps its concrete type at the top of the chain.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	default:
		return errors.Join(errs...)
	}
}
