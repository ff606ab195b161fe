package recording

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/callwire/callwire/contract"
)

// MaxHAREntrySize bounds one HAR entry (and any other single value of a HAR
// document). A HAR is read entry by entry, so memory follows the largest
// entry, never the number of entries; an entry past this size is not
// worth holding in memory.
const MaxHAREntrySize = 64 << 20

// operations resolves requests to the contract's operations: a HAR entry is
// taken by the rule the contract checks recordings with (Validator.Match).
var operations = sync.OnceValues(contract.New)

// droppedRequestHeaders and droppedResponseHeaders carry credentials or
// session state; they are discarded as a HAR is read, so nothing downstream
// can print or store them.
var (
	droppedRequestHeaders  = []string{"Authorization", "Proxy-Authorization", "Cookie"}
	droppedResponseHeaders = []string{"Set-Cookie"}
)

// HAREntry is one "Retrieve a Call" entry taken from a HAR file.
type HAREntry struct {
	// Index is the entry's position in log.entries, from 0.
	Index int
	// RequestHeader holds the request headers without Authorization,
	// Proxy-Authorization and Cookie.
	RequestHeader http.Header
	// Exchange is the request and response to check. Its URL has no user
	// information and the values of query parameters that look like
	// credentials replaced by REDACTED. Its Header holds the response
	// headers as received, without Set-Cookie; Content-Type comes from
	// response.content.mimeType only when the header list lacks it.
	Exchange contract.Exchange
	// Unusable says why the entry, a "Retrieve a Call" request, cannot be
	// checked; "" when it can. It never quotes the file's content.
	Unusable string
}

// HARSummary is what reading a HAR found besides its "Retrieve a Call"
// entries.
type HARSummary struct {
	// Entries counts log.entries; Skipped counts those that are not
	// "Retrieve a Call" requests.
	Entries, Skipped int
	// Credentials names, once each and sorted, the credentials the file
	// holds anywhere (any entry, skipped or not): "Authorization header",
	// "Cookie header", `query parameter "api_token"`, "URL user
	// information". It never holds a value.
	Credentials []string
}

// HARError reports a HAR file that cannot be read or parsed. Reason never
// quotes the file's content.
type HARError struct {
	Path   string
	Reason string
	Err    error
}

func (e *HARError) Error() string {
	return fmt.Sprintf("har %s: %s", e.Path, e.Reason)
}

func (e *HARError) Unwrap() error { return e.Err }

type harEntry struct {
	Request struct {
		Method  string      `json:"method"`
		URL     string      `json:"url"`
		Headers []harHeader `json:"headers"`
	} `json:"request"`
	Response struct {
		Status  int         `json:"status"`
		Headers []harHeader `json:"headers"`
		Content struct {
			MimeType string  `json:"mimeType"`
			Text     harText `json:"text"`
			Encoding string  `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ReadHAR reads the HAR file at path and returns its "Retrieve a Call"
// entries, in file order, with the number of other entries it skipped. It
// holds every entry: use ScanHAR for files of any size.
func ReadHAR(path string) (entries []HAREntry, skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, &HARError{Path: path, Reason: "cannot read: " + errReason(err), Err: err}
	}
	defer f.Close()
	return collectHAR(path, f)
}

// ParseHAR decodes a HAR 1.2 document held in data, as ReadHAR does; name is
// used in errors.
func ParseHAR(name string, data []byte) (entries []HAREntry, skipped int, err error) {
	return collectHAR(name, bytes.NewReader(data))
}

func collectHAR(name string, r io.Reader) ([]HAREntry, int, error) {
	var entries []HAREntry
	sum, err := ScanHAR(name, r, func(e HAREntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return entries, sum.Skipped, nil
}

// ScanHAR reads a HAR 1.2 document from r entry by entry and calls fn for
// each "Retrieve a Call" entry, in file order; memory follows the largest
// entry, not the number of entries. An entry is taken when its request is
// one the contract documents, by the rule the contract checks recordings
// with (contract.Validator.Match: the method exactly, "GET"; the path
// exactly, /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}); every
// other entry is skipped and counted, as a HAR holds other traffic. A taken
// entry that cannot be checked (no HTTP status, content that cannot be
// decoded, a field of the wrong type) is passed to fn with Unusable set. A
// document that stops being readable part way returns a *HARError after
// the entries before it were passed to fn; an error from fn stops the scan
// and is returned as it is.
func ScanHAR(name string, r io.Reader, fn func(HAREntry) error) (HARSummary, error) {
	s, err := newHARScanner(name, r, MaxHAREntrySize)
	if err != nil {
		return HARSummary{}, err
	}
	tok, err := s.dec.Token()
	if err != nil || tok != json.Delim('{') {
		return HARSummary{}, s.fail(err, "not a HAR: the document is not a JSON object")
	}
	return s.scanTop(fn)
}

// harScanner reads a HAR document with a json.Decoder, one value at a time.
type harScanner struct {
	name  string
	v     *contract.Validator
	in    *limitReader
	dec   *json.Decoder
	limit int64
	sum   HARSummary
	creds map[string]bool
	// seenLog is set once the top-level "log" member is met: the
	// document is then a HAR.
	seenLog bool
	// onLog, when set, is called as "log" is met.
	onLog func()
}

func newHARScanner(name string, r io.Reader, limit int64) (*harScanner, error) {
	v, err := operations()
	if err != nil {
		return nil, &HARError{Path: name, Reason: err.Error(), Err: err}
	}
	in := &limitReader{r: r}
	return &harScanner{name: name, v: v, in: in, dec: json.NewDecoder(in), limit: limit, creds: map[string]bool{}}, nil
}

// errValueTooLarge is returned by limitReader past the size allowed for
// the value being decoded.
var errValueTooLarge = errors.New("value too large")

// limitReader counts the bytes read and refuses to read past max, which
// the scanner sets before each value it decodes.
type limitReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.max > 0 && l.n >= l.max {
		return 0, errValueTooLarge
	}
	if l.max > 0 && int64(len(p)) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// decode decodes the next value into v, reading at most s.limit bytes past
// the decoder's current offset.
func (s *harScanner) decode(v any) error {
	s.in.max = s.dec.InputOffset() + s.limit + 1
	err := s.dec.Decode(v)
	s.in.max = 0
	return err
}

// fail turns a decoding error into a *HARError; reason is used when err is
// nil or says nothing more.
func (s *harScanner) fail(err error, reason string) error {
	switch {
	case errors.Is(err, errValueTooLarge):
		reason = fmt.Sprintf("a value larger than %d bytes", s.limit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		reason = "invalid JSON: truncated"
	case err != nil && !errors.Is(err, io.EOF):
		reason = "invalid JSON: " + contract.DescribeJSONError(err)
	case errors.Is(err, io.EOF) && s.dec.InputOffset() == 0:
		reason = "invalid JSON: empty file"
	case errors.Is(err, io.EOF):
		reason = "invalid JSON: truncated"
	}
	return &HARError{Path: s.name, Reason: reason, Err: err}
}

// scanTop reads the members of the top-level object, whose '{' has been
// read.
func (s *harScanner) scanTop(fn func(HAREntry) error) (HARSummary, error) {
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return s.sum, err
		}
		if key != "log" {
			if err := s.skip(); err != nil {
				return s.sum, err
			}
			continue
		}
		if s.seenLog {
			return s.sum, &HARError{Path: s.name, Reason: "not a HAR: log appears twice"}
		}
		s.seenLog = true
		if s.onLog != nil {
			s.onLog()
		}
		if err := s.scanLog(fn); err != nil {
			return s.sum, err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.sum, s.fail(err, "invalid JSON: truncated")
	}
	if !s.seenLog {
		return s.sum, &HARError{Path: s.name, Reason: "not a HAR: log is missing"}
	}
	if _, err := s.dec.Token(); !errors.Is(err, io.EOF) {
		return s.sum, &HARError{Path: s.name, Reason: "trailing data after the HAR document", Err: err}
	}
	s.sum.Credentials = slices.Sorted(mapKeys(s.creds))
	return s.sum, nil
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// key reads an object member's name.
func (s *harScanner) key() (string, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return "", s.fail(err, "invalid JSON: malformed")
	}
	k, _ := tok.(string)
	return k, nil
}

// skip reads past one value.
func (s *harScanner) skip() error {
	var raw json.RawMessage
	if err := s.decode(&raw); err != nil {
		return s.fail(err, "invalid JSON: malformed")
	}
	return nil
}

// scanLog reads the value of "log".
func (s *harScanner) scanLog(fn func(HAREntry) error) error {
	tok, err := s.dec.Token()
	switch {
	case err != nil:
		return s.fail(err, "invalid JSON: malformed")
	case tok == nil:
		return &HARError{Path: s.name, Reason: "not a HAR: log is missing"}
	case tok != json.Delim('{'):
		return s.invalidValue(tok, "not a HAR: log is not an object")
	}
	seenEntries := false
	for s.dec.More() {
		key, err := s.key()
		if err != nil {
			return err
		}
		if key != "entries" {
			if err := s.skip(); err != nil {
				return err
			}
			continue
		}
		if seenEntries {
			return &HARError{Path: s.name, Reason: "not a HAR: log.entries appears twice"}
		}
		seenEntries = true
		if err := s.scanEntries(fn); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.fail(err, "invalid JSON: truncated")
	}
	if !seenEntries {
		return &HARError{Path: s.name, Reason: "not a HAR: log.entries is missing"}
	}
	return nil
}

// invalidValue reports a value of the wrong kind; an object or array is
// read past first, so that a syntax error inside it is reported as such.
func (s *harScanner) invalidValue(tok json.Token, reason string) error {
	if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
		depth := 1
		for depth > 0 {
			t, err := s.dec.Token()
			if err != nil {
				return s.fail(err, "invalid JSON: malformed")
			}
			switch t {
			case json.Delim('{'), json.Delim('['):
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
		}
	}
	return &HARError{Path: s.name, Reason: reason}
}

// scanEntries reads the value of "log.entries", one entry at a time.
func (s *harScanner) scanEntries(fn func(HAREntry) error) error {
	tok, err := s.dec.Token()
	switch {
	case err != nil:
		return s.fail(err, "invalid JSON: malformed")
	case tok == nil:
		return &HARError{Path: s.name, Reason: "not a HAR: log.entries is missing"}
	case tok != json.Delim('['):
		return s.invalidValue(tok, "not a HAR: log.entries is not an array")
	}
	for i := 0; s.dec.More(); i++ {
		var e harEntry
		err := s.decode(&e)
		var typ *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &typ) {
			return s.fail(err, "invalid JSON: malformed")
		}
		s.sum.Entries++
		s.noteCredentials(&e)
		entry, taken := s.entry(i, &e, err)
		if !taken {
			s.sum.Skipped++
			continue
		}
		if err := fn(entry); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.fail(err, "invalid JSON: truncated")
	}
	return nil
}

// entry turns log.entries[i] into a HAREntry, and reports whether it is a
// "Retrieve a Call" request. typeErr is the decoder's error for a field of
// the wrong type, which makes a taken entry unusable.
func (s *harScanner) entry(i int, e *harEntry, typeErr error) (HAREntry, bool) {
	u, ok := callURL(s.v, e.Request.Method, e.Request.URL)
	if !ok {
		return HAREntry{}, false
	}
	header := harHeaders(e.Response.Headers, droppedResponseHeaders)
	// The header list is what was received: an empty Content-Type stays
	// empty; mimeType stands in only for a list without the field.
	if _, ok := header["Content-Type"]; !ok && e.Response.Content.MimeType != "" {
		header.Set("Content-Type", e.Response.Content.MimeType)
	}
	out := HAREntry{
		Index:         i,
		RequestHeader: harHeaders(e.Request.Headers, droppedRequestHeaders),
		Exchange: contract.Exchange{
			Method: e.Request.Method,
			URL:    u,
			Status: e.Response.Status,
			Header: header,
		},
	}
	switch {
	case typeErr != nil:
		out.Unusable = contract.DescribeJSONError(typeErr)
		return out, true
	case e.Response.Status < 100 || e.Response.Status > 599:
		out.Unusable = fmt.Sprintf("response.status %d is not an HTTP status (no response was captured)", e.Response.Status)
		return out, true
	}
	body, err := harBody(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		out.Unusable = "response.content: " + err.Error()
		return out, true
	}
	out.Exchange.Body = body
	return out, true
}

// callURL reports whether method and rawURL are a request for a documented
// operation, and returns the URL without user information and with the
// values of credential-like query parameters redacted.
func callURL(v *contract.Validator, method, rawURL string) (string, bool) {
	if _, _, ok := v.Match(method, rawURL); !ok {
		return "", false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false
	}
	u.User = nil
	u.RawQuery = redactQuery(u.RawQuery)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), true
}

// harBody returns the response body that text holds in the given encoding.
func harBody(text harText, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		if len(text) == 0 {
			return nil, nil
		}
		return text, nil
	case "base64":
		b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(b, text)
		if err != nil {
			return nil, errors.New("text is not valid base64")
		}
		return b[:n], nil
	}
	return nil, fmt.Errorf("encoding %q is not supported", contract.Truncate(encoding, 32))
}

// harHeaders turns a HAR header list into an http.Header, leaving out the
// named headers and HTTP/2 pseudo-headers such as ":status".
func harHeaders(list []harHeader, drop []string) http.Header {
	h := make(http.Header, len(list))
	for _, kv := range list {
		if kv.Name == "" || strings.HasPrefix(kv.Name, ":") {
			continue
		}
		h.Add(kv.Name, kv.Value)
	}
	for _, name := range drop {
		h.Del(name)
	}
	return h
}

// maxCredentialNames bounds the credentials a HAR summary names; a file
// with more says so in one more name.
const maxCredentialNames = 16

// noteCredentials records the credentials entry e carries, by name only.
func (s *harScanner) noteCredentials(e *harEntry) {
	add := func(name string) {
		if len(s.creds) < maxCredentialNames {
			s.creds[name] = true
		} else if !s.creds[name] {
			s.creds["more credentials"] = true
		}
	}
	for _, h := range e.Request.Headers {
		switch http.CanonicalHeaderKey(strings.TrimSpace(h.Name)) {
		case "Authorization", "Proxy-Authorization", "Cookie":
			add(http.CanonicalHeaderKey(strings.TrimSpace(h.Name)) + " header")
		}
	}
	for _, h := range e.Response.Headers {
		if http.CanonicalHeaderKey(strings.TrimSpace(h.Name)) == "Set-Cookie" {
			add("Set-Cookie header")
		}
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return
	}
	if u.User != nil {
		add("URL user information")
	}
	for _, name := range credentialParams(u.RawQuery) {
		add(fmt.Sprintf("query parameter %q", contract.Truncate(name, 40)))
	}
}

// credentialWords mark a query parameter whose value is a credential when
// its name, lower-cased without '_' and '-', contains one of them;
// credentialNames when it is one of them.
var (
	credentialWords = []string{"token", "secret", "password", "passwd", "apikey", "auth", "signature", "credential", "jwt", "session"}
	credentialNames = []string{"key", "sig", "pwd", "pass", "code"}
)

// isCredentialParam reports whether a query parameter named name carries a
// credential.
func isCredentialParam(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	if slices.Contains(credentialNames, n) {
		return true
	}
	return slices.ContainsFunc(credentialWords, func(w string) bool { return strings.Contains(n, w) })
}

// splitQuery splits a raw query on '&' as a browser does and returns each
// part with its decoded name.
func splitQuery(raw string, fn func(part, name string)) {
	for part := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		fn(part, name)
	}
}

// credentialParams returns the names of the credential query parameters in
// raw.
func credentialParams(raw string) []string {
	var names []string
	if raw == "" {
		return nil
	}
	splitQuery(raw, func(_, name string) {
		if isCredentialParam(name) {
			names = append(names, name)
		}
	})
	return names
}

// redactQuery replaces the value of every credential query parameter in
// raw with REDACTED, leaving the rest as it is.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	first := true
	splitQuery(raw, func(part, name string) {
		if !first {
			b.WriteByte('&')
		}
		first = false
		if isCredentialParam(name) {
			rawName, _, _ := strings.Cut(part, "=")
			b.WriteString(rawName + "=REDACTED")
			return
		}
		b.WriteString(part)
	})
	return b.String()
}
