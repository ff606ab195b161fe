package signalwire

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/voice"
)

// FuzzParseCredentials feeds any secret document to ParseCredentials. It
// either fails with *CredentialsError values (unwrapping to
// voice.ErrCredentials) whose text does not depend on the token's value, or
// returns credentials whose base URL is an https SignalWire space or loopback.
func FuzzParseCredentials(f *testing.F) {
	secret := func(project, token, space string) string {
		b, _ := json.Marshal(map[string]string{"project_id": project, "api_token": token, "space_url": space})
		return string(b)
	}
	for _, space := range []string{
		"example.signalwire.com", "https://example.signalwire.com/", "HTTPS://Example.SignalWire.COM:443",
		"http://127.0.0.1:8080", "http://[::1]", "http://localhost:1", "127.0.0.1:8080",
		"evil.com#.signalwire.com", "signalwire.com.evil.com", "user@evil.com", "example.signalwire.com@evil.com",
		"https://evil.com/.signalwire.com", "10.0.0.1", "169.254.169.254", "http://[::ffff:127.0.0.1]", "0x7f.1",
		"2130706433", "http://2130706433", "EXAMPLE.SIGNALWIRE.COM", "example.signalwire.com.", "example%2esignalwire.com",
		"example.signalwire.com\t", "example.signalwire.com\n", "http://example.signalwire.com", "https://xn--e1a.signalwire.com",
		"https://a.signalwire.com:0443", "https://a.signalwire.com:443/", "//a.signalwire.com", "https:a.signalwire.com",
	} {
		f.Add([]byte(secret(testProjectID, testToken, space)))
	}
	for _, s := range []string{
		secret("B3F1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D", "t", "example.signalwire.com"),
		secret(testProjectID, "tok en", "example.signalwire.com"),
		secret(testProjectID, "tok\u00e9n", "example.signalwire.com"),
		secret("", "", ""),
		`{"project_id":"` + testProjectID + `","api_token":"` + testToken + `"}`,
		`{"project_id":null,"api_token":1,"space_url":{}}`,
		`{"project_id":"` + testProjectID + `","api_token":"a","api_token":"b","space_url":"example.signalwire.com"}`,
		`{"api_token":"` + testToken,
		`[]`, `null`, `""`, ``, `{}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, secret []byte) {
		c, err := ParseCredentials(secret)
		if err != nil {
			checkCredentialsError(t, err)
			checkTokenNotInError(t, secret)
			return
		}
		if !contract.IsUUID(c.ProjectID) || c.APIToken == "" || !isPrintableASCII(c.APIToken) {
			t.Fatalf("accepted unusable credentials %v", c)
		}
		base, err := spaceBaseURL(c.SpaceURL, true)
		if err != nil || !allowedBase(base) {
			t.Fatalf("space_url %q accepted with base URL %q (%v)", c.SpaceURL, base, err)
		}
		// Only a Client WithLoopback may use a loopback space: the strict
		// guard (Validate, BaseURL) accepts exactly the SignalWire spaces.
		strict := c.BaseURL()
		if (c.Validate() == nil) != (strict != "") || (strict != "" && strict != base) {
			t.Fatalf("space_url %q: strict base %q, Validate %v; loopback base %q", c.SpaceURL, strict, c.Validate(), base)
		}
		if strict != "" && !strings.HasPrefix(strict, "https://") {
			t.Fatalf("space_url %q: strict base %q is not https", c.SpaceURL, strict)
		}
		// The request URL the client builds must stay on that origin.
		u, err := url.Parse(base + apiPrefix + url.PathEscape(c.ProjectID) + "/Calls/" + "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1")
		if err != nil || u.User != nil || base != u.Scheme+"://"+u.Host {
			t.Fatalf("request URL on base %q leaves its origin: %v, %v", base, u, err)
		}
	})
}

// checkCredentialsError checks that every leaf of err is a *CredentialsError.
func checkCredentialsError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, voice.ErrCredentials) {
		t.Fatalf("error %v does not unwrap to voice.ErrCredentials", err)
	}
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	for _, e := range leaves {
		if _, ok := e.(*CredentialsError); !ok {
			t.Fatalf("error %v (%T) is not a *CredentialsError", e, e)
		}
	}
	if n := len(err.Error()); n > 512 {
		t.Errorf("error message of %d bytes", n)
	}
}

// checkTokenNotInError re-runs the parse with the api_token replaced by a
// token of the same class (empty, printable or not): the error must read the
// same, so no byte of the token can be in it.
func checkTokenNotInError(t *testing.T, secret []byte) {
	t.Helper()
	if len(secret) > 8<<10 {
		return
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(secret, &doc) != nil || doc == nil {
		return
	}
	var token string
	if json.Unmarshal(doc["api_token"], &token) != nil {
		return
	}
	stand := "PTstand-in"
	switch {
	case token == "":
		return
	case !isPrintableASCII(token):
		stand = "\n"
	}
	parse := func(tok string) string {
		doc["api_token"], _ = json.Marshal(tok)
		b, _ := json.Marshal(doc)
		_, err := ParseCredentials(b)
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if got, want := parse(token), parse(stand); got != want {
		t.Fatalf("error text depends on the token value:\n%s\nvs\n%s", got, want)
	}
}

// allowedBase reports whether base is https://<space>.signalwire.com or an
// http(s) loopback origin.
func allowedBase(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	switch host := u.Hostname(); host {
	case "127.0.0.1", "::1", "localhost":
		return u.Scheme == "http" || u.Scheme == "https"
	default:
		return u.Scheme == "https" && u.Port() == "" && strings.HasSuffix(host, ".signalwire.com") &&
			len(host) > len(".signalwire.com") && host == strings.ToLower(host) && !strings.HasSuffix(host, ".")
	}
}
