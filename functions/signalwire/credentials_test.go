package signalwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/voice"
)

const (
	testProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testToken     = "PTsecret-token-do-not-leak-4f2a"
	testToken2    = "PTrotated-token-do-not-leak-9c1e"
)

// credentialsKeys lists the keys named by every *CredentialsError in err,
// following both single and joined wrapping.
func credentialsKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		var ce *CredentialsError
		if errors.As(err, &ce) && err == error(ce) {
			keys = append(keys, ce.Key)
			return
		}
		switch u := err.(type) { //nolint:errorlint // walking the tree by hand
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return keys
}

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	base := `"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"example.signalwire.com"`
	plain := Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com"}
	with := func(current, previous string) Credentials {
		c := plain
		c.SigningKey, c.PreviousSigningKey = current, previous
		return c
	}
	tests := []struct {
		name     string
		secret   string
		want     Credentials
		wantKeys []string // keys named by the errors; nil means success
		wantMsg  string   // substring of the error
	}{
		{
			name:   "valid",
			secret: `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"example.signalwire.com"}`,
			want:   Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com"},
		},
		{
			name:   "extra keys ignored",
			secret: `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"https://example.signalwire.com/","note":1}`,
			want:   Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "https://example.signalwire.com/"},
		},
		{
			name:     "all keys missing",
			secret:   `{}`,
			wantKeys: []string{"project_id", "api_token", "space_url"},
		},
		{
			name:     "token and space missing",
			secret:   `{"project_id":"` + testProjectID + `"}`,
			wantKeys: []string{"api_token", "space_url"},
		},
		{
			name:     "empty values",
			secret:   `{"project_id":"","api_token":"","space_url":""}`,
			wantKeys: []string{"project_id", "api_token", "space_url"},
		},
		{
			name:     "project id not a uuid",
			secret:   `{"project_id":"AC123","api_token":"` + testToken + `","space_url":"example.signalwire.com"}`,
			wantKeys: []string{"project_id"},
			wantMsg:  "project_id: not a UUID",
		},
		{
			name:     "token not a string",
			secret:   `{"project_id":"` + testProjectID + `","api_token":987654321987,"space_url":"example.signalwire.com"}`,
			wantKeys: []string{"api_token"},
			wantMsg:  "api_token: not a JSON string",
		},
		{
			name:     "token with newline",
			secret:   `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `\n","space_url":"example.signalwire.com"}`,
			wantKeys: []string{"api_token"},
		},
		{
			name:     "space refused",
			secret:   `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"https://evil.example.com"}`,
			wantKeys: []string{"space_url"},
		},
		{
			name:     "malformed JSON quotes nothing",
			secret:   `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `"` + "\x01" + `}`,
			wantKeys: []string{""},
			wantMsg:  "malformed JSON at offset",
		},
		{
			name:     "truncated JSON",
			secret:   `{"api_token":"` + testToken,
			wantKeys: []string{""},
			wantMsg:  "malformed JSON at offset",
		},
		{
			name:     "not an object",
			secret:   `["` + testToken + `"]`,
			wantKeys: []string{""},
			wantMsg:  "not a JSON object",
		},
		{
			name:     "null",
			secret:   `null`,
			wantKeys: []string{""},
		},
		{
			name:     "empty",
			secret:   ``,
			wantKeys: []string{""},
		},
		{
			name:     "too large",
			secret:   `{"api_token":"` + strings.Repeat("x", maxSecretSize) + `"}`,
			wantKeys: []string{""},
		},
		{name: "no signing keys", secret: `{` + base + `}`, want: plain},
		{name: "signing key", secret: `{` + base + `,"signing_key":"` + testSigningKey + `"}`, want: with(testSigningKey, "")},
		{
			name:   "both keys",
			secret: `{` + base + `,"signing_key":"` + testSigningKey + `","previous_signing_key":"` + testPrevSigningKey + `"}`,
			want:   with(testSigningKey, testPrevSigningKey),
		},
		{name: "null and empty mean absent", secret: `{` + base + `,"signing_key":null,"previous_signing_key":""}`, want: plain},
		{name: "previous key alone", secret: `{` + base + `,"previous_signing_key":"` + testPrevSigningKey + `"}`, want: with("", testPrevSigningKey)},
		{name: "key not a string", secret: `{` + base + `,"signing_key":42}`, wantKeys: []string{"signing_key"}},
		{name: "previous key not a string", secret: `{` + base + `,"previous_signing_key":{"k":"` + testPrevSigningKey + `"}}`, wantKeys: []string{"previous_signing_key"}},
		{name: "key with a trailing newline", secret: `{` + base + `,"signing_key":"` + testSigningKey + `\n"}`, wantKeys: []string{"signing_key"}},
		{name: "previous key with a space", secret: `{` + base + `,"previous_signing_key":"PSK two"}`, wantKeys: []string{"previous_signing_key"}},
		{
			name:     "bad key reported with the missing ones",
			secret:   `{"project_id":"` + testProjectID + `","signing_key":true}`,
			wantKeys: []string{"api_token", "space_url", "signing_key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCredentials([]byte(tt.secret))
			if tt.wantKeys == nil {
				if err != nil {
					t.Fatalf("ParseCredentials: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ParseCredentials mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCredentials = %v, want error", got)
			}
			if !errors.Is(err, voice.ErrCredentials) {
				t.Errorf("errors.Is(%v, voice.ErrCredentials) = false", err)
			}
			if diff := cmp.Diff(tt.wantKeys, credentialsKeys(err)); diff != "" {
				t.Errorf("error keys mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			for _, secretPart := range []string{testToken, testSigningKey, testPrevSigningKey, "987654321987", "\x01", "evil.example.com", "AC123"} {
				if strings.Contains(err.Error(), secretPart) {
					t.Errorf("error %q repeats a secret value %q", err, secretPart)
				}
			}
			if _, ok := errors.AsType[*CredentialsError](err); !ok {
				t.Errorf("error %v is not a *CredentialsError", err)
			}
		})
	}
}

func TestSpaceURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // "" means refused
		// loopbackOnly cases are accepted only by a Client WithLoopback: a
		// secret alone never sends the credentials to loopback.
		loopbackOnly bool
	}{
		// Accepted.
		{"bare host", "example.signalwire.com", "https://example.signalwire.com", false},
		{"https", "https://example.signalwire.com", "https://example.signalwire.com", false},
		{"trailing slash", "https://example.signalwire.com/", "https://example.signalwire.com", false},
		{"bare host trailing slash", "example.signalwire.com/", "https://example.signalwire.com", false},
		{"upper case", "HTTPS://Example.SignalWire.COM", "https://example.signalwire.com", false},
		{"hyphen and digits", "my-space-01.signalwire.com", "https://my-space-01.signalwire.com", false},
		{"two labels", "a.b.signalwire.com", "https://a.b.signalwire.com", false},
		{"explicit default port", "https://example.signalwire.com:443", "https://example.signalwire.com", false},
		{"loopback http with port", "http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"loopback http no port", "http://127.0.0.1", "http://127.0.0.1", true},
		{"localhost http", "http://localhost:1234", "http://localhost:1234", true},
		{"localhost upper", "http://LOCALHOST:1234/", "http://localhost:1234", true},
		{"ipv6 loopback", "http://[::1]:9000", "http://[::1]:9000", true},
		{"ipv6 loopback no port", "http://[::1]", "http://[::1]", true},
		{"https loopback", "https://127.0.0.1:8443", "https://127.0.0.1:8443", true},
		{"bare loopback is https", "127.0.0.1:8080", "https://127.0.0.1:8080", true},

		// Refused.
		{"empty", "", "", false},
		{"http to signalwire", "http://example.signalwire.com", "", false},
		{"userinfo", "https://user@example.signalwire.com", "", false},
		{"userinfo with password", "https://user:pw@example.signalwire.com", "", false},
		{"userinfo hiding host", "https://example.signalwire.com@evil.com", "", false},
		{"userinfo on loopback", "http://localhost@evil.com", "", false},
		{"query", "https://example.signalwire.com?x=1", "", false},
		{"empty query", "https://example.signalwire.com?", "", false},
		{"fragment trick", "https://evil.com#.signalwire.com", "", false},
		{"bare fragment trick", "evil.com#.signalwire.com", "", false},
		{"empty fragment", "https://example.signalwire.com#", "", false},
		{"path", "https://example.signalwire.com/api", "", false},
		{"path trick", "https://evil.com/.signalwire.com", "", false},
		{"double slash path", "https://example.signalwire.com//", "", false},
		{"suffix trick", "signalwire.com.evil.com", "", false},
		{"suffix trick https", "https://example.signalwire.com.evil.com", "", false},
		{"apex", "signalwire.com", "", false},
		{"apex https", "https://signalwire.com", "", false},
		{"empty label", ".signalwire.com", "", false},
		{"empty inner label", "a..signalwire.com", "", false},
		{"lookalike", "examplesignalwire.com", "", false},
		{"trailing dot", "example.signalwire.com.", "", false},
		{"trailing dot slash", "https://example.signalwire.com./", "", false},
		{"underscore", "ex_ample.signalwire.com", "", false},
		{"leading hyphen", "-example.signalwire.com", "", false},
		{"trailing hyphen", "example-.signalwire.com", "", false},
		{"non-ascii", "exämple.signalwire.com", "", false},
		{"private ip", "https://10.0.0.1", "", false},
		{"metadata ip", "http://169.254.169.254", "", false},
		{"ip https", "https://93.184.216.34", "", false},
		{"ipv6 link local", "https://[fe80::1]", "", false},
		{"mapped loopback", "http://[::ffff:127.0.0.1]", "", false},
		{"short loopback", "http://127.1", "", false},
		{"other loopback address", "http://127.0.0.2", "", false},
		{"unspecified", "http://0.0.0.0:8080", "", false},
		{"localhost suffix", "http://localhost.evil.com", "", false},
		{"ftp", "ftp://example.signalwire.com", "", false},
		{"wss", "wss://example.signalwire.com", "", false},
		{"javascript", "javascript:alert(1)", "", false},
		{"scheme relative", "//example.signalwire.com", "", false},
		{"one slash", "https:/example.signalwire.com", "", false},
		{"non-default port", "https://example.signalwire.com:8443", "", false},
		{"empty port", "https://example.signalwire.com:", "", false},
		{"port out of range", "http://localhost:99999", "", false},
		{"port zero", "http://localhost:0", "", false},
		{"port not numeric", "http://localhost:http", "", false},
		{"leading space", " example.signalwire.com", "", false},
		{"trailing newline", "example.signalwire.com\n", "", false},
		{"inner space", "exa mple.signalwire.com", "", false},
		{"tab", "https://example.signalwire.com\t", "", false},
		{"nul", "example.signalwire.com\x00", "", false},
		{"encoded dot", "https://example%2esignalwire.com", "", false},
		{"encoded slash", "https://evil.com%2f.signalwire.com", "", false},
		{"encoded at", "https://evil.com%40example.signalwire.com", "", false},
		{"backslash", `https://evil.com\.signalwire.com`, "", false},
		{"backslash userinfo", `https://example.signalwire.com\@evil.com`, "", false},
		{"too long", strings.Repeat("a.", 150) + "signalwire.com", "", false},
		{"label too long", strings.Repeat("a", 64) + ".signalwire.com", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := spaceBaseURL(tt.in, tt.loopbackOnly)
			if tt.loopbackOnly {
				if strict, err := spaceBaseURL(tt.in, false); err == nil {
					t.Errorf("spaceBaseURL(%q) without loopback = %q, want refusal", tt.in, strict)
				}
				if c := (Credentials{SpaceURL: tt.in}); c.BaseURL() != "" || c.Validate() == nil {
					t.Errorf("Credentials{SpaceURL: %q}: BaseURL %q, Validate nil; want refused", tt.in, c.BaseURL())
				}
			}
			if tt.want == "" {
				if err == nil {
					t.Fatalf("spaceBaseURL(%q) = %q, want refusal", tt.in, got)
				}
				var ce *CredentialsError
				if !errors.As(err, &ce) || ce.Key != "space_url" || !errors.Is(err, voice.ErrCredentials) {
					t.Errorf("spaceBaseURL(%q) error = %#v, want *CredentialsError for space_url", tt.in, err)
				}
				if tt.in != "" && strings.Contains(err.Error(), tt.in) {
					t.Errorf("error %q repeats the value", err)
				}
				if c := (Credentials{SpaceURL: tt.in}); c.BaseURL() != "" {
					t.Errorf("BaseURL() = %q, want empty", c.BaseURL())
				}
				return
			}
			if err != nil {
				t.Fatalf("spaceBaseURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("spaceBaseURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if c := (Credentials{SpaceURL: tt.in}); !tt.loopbackOnly && c.BaseURL() != tt.want {
				t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), tt.want)
			}
		})
	}
}

func TestCredentialsRedaction(t *testing.T) {
	t.Parallel()
	c := Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com"}
	type holder struct {
		Creds Credentials
		Ptr   *Credentials
	}
	logged := func(h func(*bytes.Buffer) slog.Handler) string {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("loaded", "creds", c, "static", NewStaticCredentials(c))
		return buf.String()
	}
	marshalled, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	outputs := map[string]string{
		"%v":          fmt.Sprintf("%v", c),
		"%+v":         fmt.Sprintf("%+v", c),
		"%#v":         fmt.Sprintf("%#v", c),
		"%s":          fmt.Sprintf("%s", c),
		"%q":          fmt.Sprintf("%q", c),
		"%x":          fmt.Sprintf("%x", c),
		"%d":          fmt.Sprintf("%d", c),
		"pointer %+v": fmt.Sprintf("%+v", &c),
		"nested %+v":  fmt.Sprintf("%+v", holder{c, &c}),
		"nested %#v":  fmt.Sprintf("%#v", holder{c, &c}),
		"slice %v":    fmt.Sprint([]Credentials{c}),
		"String":      c.String(),
		"GoString":    c.GoString(),
		"static %+v":  fmt.Sprintf("%+v", NewStaticCredentials(c)),
		"static %#v":  fmt.Sprintf("%#v", *NewStaticCredentials(c)),
		"secret %+v":  fmt.Sprintf("%+v", NewSecretCredentials(nil, "callwire/signalwire")),
		"slog json":   logged(func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }),
		"slog text":   logged(func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }),
		"json":        string(marshalled),
	}
	for name, out := range outputs {
		if strings.Contains(out, testToken) {
			t.Errorf("%s shows the token: %s", name, out)
		}
		if name != "secret %+v" && name != "%x" && !strings.Contains(out, testProjectID) {
			t.Errorf("%s lacks the project ID: %s", name, out)
		}
	}
}

func TestCredentialsValidate(t *testing.T) {
	t.Parallel()
	err := Credentials{ProjectID: "nope", APIToken: "two words", SpaceURL: "evil.com"}.Validate()
	if diff := cmp.Diff([]string{"project_id", "api_token", "space_url"}, credentialsKeys(err)); diff != "" {
		t.Errorf("Validate keys mismatch (-want +got):\n%s", diff)
	}
	if err := (Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com"}).Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
