package signalwire

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/voice"
)

// TestSpaceURLTricks adds to TestSpaceURL the spellings an attacker with
// write access to the secret, or a careless copy and paste, could use to send
// the API token somewhere other than a SignalWire space: each is refused by
// ParseCredentials, by Validate and by BaseURL, naming space_url only.
func TestSpaceURLTricks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		space string
	}{
		{"bare userinfo", "user@evil.com"},
		{"bare userinfo hiding host", "example.signalwire.com@evil.com"},
		{"userinfo with port", "https://example.signalwire.com:443@evil.com"},
		{"bare fragment", "evil.com#.signalwire.com"},
		{"bare suffix", "signalwire.com.evil.com"},
		{"path", "https://evil.com/.signalwire.com"},
		{"bare path", "evil.com/.signalwire.com"},
		{"semicolon", "https://evil.com;.signalwire.com"},
		{"comma", "https://evil.com,.signalwire.com"},
		{"bare private IP", "10.0.0.1"},
		{"bare metadata IP", "169.254.169.254"},
		{"metadata IP with port", "http://169.254.169.254:80"},
		{"ECS metadata IP", "http://169.254.170.2"},
		{"IPv6 metadata", "http://[fd00:ec2::254]"},
		// Only the literal spellings 127.0.0.1, ::1 and localhost count as
		// loopback; an IPv4-mapped address is refused even though it does
		// reach 127.0.0.1, because it takes the IP-literal path.
		{"bare mapped loopback", "[::ffff:127.0.0.1]"},
		{"mapped loopback hex", "http://[::ffff:7f00:1]"},
		{"ipv6 zone", "http://[::1%25lo]"},
		{"hex IPv4 short", "0x7f.1"},
		{"hex IPv4 http", "http://0x7f.1"},
		{"hex IPv4 full", "http://0x7f000001"},
		{"octal IPv4", "http://0177.0.0.1"},
		{"decimal IPv4", "2130706433"},
		{"decimal IPv4 http", "http://2130706433:8080"},
		{"decimal IPv4 https", "https://2130706433"},
		{"IPv4 with trailing dot", "http://127.0.0.1."},
		{"localhost trailing dot", "http://localhost.:8080"},
		{"localhost subdomain", "http://a.localhost"},
		{"dns rebinding name", "http://127.0.0.1.nip.io"},
		{"upper-case http", "HTTP://EXAMPLE.SIGNALWIRE.COM"},
		{"upper-case trailing dot", "EXAMPLE.SIGNALWIRE.COM."},
		{"trailing dot https", "https://example.signalwire.com."},
		{"encoded dot bare", "example%2esignalwire.com"},
		{"encoded dot upper", "example%2Esignalwire.com"},
		{"encoded userinfo", "https://evil.com%2540example.signalwire.com"},
		{"tab inside", "example.signal\twire.com"},
		{"leading tab", "\texample.signalwire.com"},
		{"CRLF", "https://example.signalwire.com\r\n"},
		{"newline then host", "example.signalwire.com\nevil.com"},
		{"vertical tab", "example.signalwire.com\v"},
		{"non-breaking space", "example.signalwire.com\u00a0"},
		{"fullwidth dot", "example\uff0esignalwire.com"},
		{"plain http", "http://example.signalwire.com"},
		{"plain http port 80", "http://example.signalwire.com:80"},
		{"plain http upper scheme", "HTTP://example.signalwire.com"},
		{"ws", "ws://example.signalwire.com"},
		{"file", "file:///etc/passwd"},
		{"data", "data:text/plain,x.signalwire.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":` + quoteJSON(tt.space) + `}`
			c, err := ParseCredentials([]byte(doc))
			if err == nil {
				t.Fatalf("space_url %q accepted, base URL %q", tt.space, c.BaseURL())
			}
			var ce *CredentialsError
			if !errors.As(err, &ce) || ce.Key != "space_url" || !errors.Is(err, voice.ErrCredentials) {
				t.Errorf("error %#v, want a *CredentialsError for space_url", err)
			}
			checkNoSecret(t, "error", err.Error())
			if strings.TrimSpace(tt.space) != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.space)) {
				t.Errorf("error %q repeats the value", err)
			}
			direct := Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: tt.space}
			if direct.Validate() == nil || direct.BaseURL() != "" {
				t.Errorf("Validate/BaseURL accept %q: %q", tt.space, direct.BaseURL())
			}
		})
	}
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestSpaceURLAlternateLoopback points alternate spellings of a live
// loopback server's address at the client: none may carry a request (and so
// the token) to it.
func TestSpaceURLAlternateLoopback(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/", serveJSON(http.StatusOK, callBody))
	t.Cleanup(func() {
		if n := ts.requests.Load(); n != 0 {
			t.Errorf("the loopback server saw %d requests", n)
		}
	})
	_, port, err := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, space := range []string{
		"http://[::ffff:127.0.0.1]:" + port,
		"http://[::ffff:7f00:1]:" + port,
		"http://127.1:" + port,
		"http://2130706433:" + port,
		"http://0x7f.1:" + port,
		"http://0177.0.0.1:" + port,
		"http://127.0.0.1.:" + port,
		"http://localhost.:" + port,
		"http://127.0.0.2:" + port,
		"http://0.0.0.0:" + port,
		"http://user@127.0.0.1:" + port,
	} {
		t.Run(space, func(t *testing.T) {
			t.Parallel()
			client := newTestClient(NewStaticCredentials(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: space}))
			resp, err := client.GetCallRaw(t.Context(), testSID)
			checkResult(t, resp, err)
			if !errors.Is(err, voice.ErrCredentials) || resp != nil {
				t.Errorf("GetCallRaw = %v, %v; want a voice.ErrCredentials error", resp, err)
			}
		})
	}
}

// TestRedirectsCarryNoCredentials has a loopback "SignalWire" answer every
// redirect status, with absolute, scheme-relative and path-only Locations,
// to a second loopback server. The second server must see no request, the
// client must not retry, and the call must fail as an upstream error.
func TestRedirectsCarryNoCredentials(t *testing.T) {
	t.Parallel()
	statuses := []int{
		http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
	}
	for _, status := range statuses {
		for _, loc := range []string{"absolute", "scheme-relative", "same host"} {
			t.Run(http.StatusText(status)+"/"+loc, func(t *testing.T) {
				t.Parallel()
				other := newTestServer(t)
				other.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					t.Errorf("redirect followed to %s with Authorization %t", r.URL, r.Header.Get("Authorization") != "")
					serveJSON(http.StatusOK, callBody)(w, r)
				})
				target := other.URL + callPath
				switch loc {
				case "scheme-relative":
					target = "//" + strings.TrimPrefix(other.URL, "http://") + callPath
				case "same host":
					target = callPath + "/other"
				}
				ts := newTestServer(t)
				ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != callPath && r.URL.Path != listPath {
						t.Errorf("redirect followed on the same host to %s", r.URL.Path)
					}
					w.Header().Set("Location", target)
					w.WriteHeader(status)
				})
				// The default client and a caller's client that follows
				// redirects both get a client that does not.
				for _, hc := range []*http.Client{NewHTTPClient(), {Timeout: 5 * time.Second}} {
					creds := NewStaticCredentials(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: ts.URL})
					client := NewClient(creds, hc, WithLoopback(), WithRetry(3, time.Millisecond, time.Millisecond))
					resp, err := client.GetCallRaw(t.Context(), testSID)
					checkResult(t, resp, err)
					if err != nil {
						t.Fatalf("GetCallRaw: %v", err)
					}
					if resp.StatusCode != status || resp.Attempts != 1 {
						t.Errorf("status %d after %d attempts, want %d after 1", resp.StatusCode, resp.Attempts, status)
					}
					apiErr, ok := errors.AsType[*APIError](resp.Err())
					if !ok || apiErr.StatusCode != status || !errors.Is(resp.Err(), voice.ErrUpstream) {
						t.Errorf("Err() = %v, want an *APIError %d wrapping voice.ErrUpstream", resp.Err(), status)
					}
					if _, err := client.ListCallSIDs(t.Context(), 1); !errors.Is(err, voice.ErrUpstream) {
						t.Errorf("ListCallSIDs error = %v, want voice.ErrUpstream", err)
					}
					hc.CloseIdleConnections()
				}
				if n := other.requests.Load(); n != 0 {
					t.Errorf("the redirect target saw %d requests", n)
				}
			})
		}
	}
}

// TestRequestURLStaysOnSpace checks that the SID and project ID, the only
// inputs in the request path, cannot move a request off the API path.
func TestRequestURLStaysOnSpace(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("/", serveJSON(http.StatusOK, callBody))
	for _, sid := range []string{
		"../../../Messages", "%2e%2e%2f", testSID + "/../x", testSID + "?x=1", testSID + "#x",
		"@evil.com", "//evil.com/" + testSID, strings.ToUpper(testSID) + "\x00",
	} {
		if _, err := client.GetCallRaw(t.Context(), sid); !errors.Is(err, voice.ErrInvalidSID) {
			t.Errorf("GetCallRaw(%q) error = %v, want voice.ErrInvalidSID", sid, err)
		}
	}
	if n := ts.requests.Load(); n != 0 {
		t.Errorf("%d requests sent for invalid SIDs", n)
	}
}

// TestLoopbackNeedsTheSwitch checks that a secret alone cannot send the
// credentials to a loopback address (inside Lambda, 127.0.0.1:9001 is the
// Runtime API): only a Client built WithLoopback talks to one.
func TestLoopbackNeedsTheSwitch(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	t.Cleanup(func() { // after the parallel subtests
		if n := ts.requests.Load(); n != 0 {
			t.Errorf("%d requests reached the loopback server without WithLoopback", n)
		}
	})
	for _, space := range []string{
		ts.URL,
		"http://127.0.0.1:" + port,
		"http://[::1]:" + port,
		"http://localhost:" + port,
		"https://127.0.0.1:" + port,
		"127.0.0.1:" + port,
	} {
		t.Run(space, func(t *testing.T) {
			t.Parallel()
			creds := NewStaticCredentials(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: space})
			client := NewClient(creds, NewHTTPClient())
			resp, err := client.GetCallRaw(t.Context(), testSID)
			if !errors.Is(err, voice.ErrCredentials) || resp != nil {
				t.Fatalf("GetCallRaw = %v, %v; want ErrCredentials", resp, err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error carries the token: %v", err)
			}
		})
	}
}
