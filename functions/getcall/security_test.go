package getcall

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// secSID is a conformant recording (completed, inbound).
const secSID = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

// rewire rebuilds e's handler on the Secrets Manager endpoint smURL, signing
// with awsAccessKey, keeping e's SignalWire replay server, logs and metrics.
func rewire(t *testing.T, e *testEnv, smURL, awsAccessKey string) {
	t.Helper()
	src, client := testkit.Clients(t, smURL, awsAccessKey)
	e.h = newHandlerFrom(deps{
		cfg:     config{Settings: boot.Settings{SecretID: testSecretID, CacheTTL: time.Minute}, mode: e.mode},
		calls:   retrieve.New(client, e.mode, retrieve.WithClock(func() time.Time { return fixedNow })),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		metrics: emf.NewWriter(e.metrics, Metrics),
	})
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	_ = ln.Close()
	return u
}

// leakFault is one row of the credential-leak fault matrix.
type leakFault struct {
	name     string
	mode     retrieve.Mode // "" is warn
	prepare  func(t *testing.T, e *testEnv)
	sid      string        // "" is secSID
	timeout  time.Duration // 0 is 10s
	wantType string        // "" is success
	status   int           // HTTP status of the same fault through GET /calls/{sid}
}

func leakFaults() []leakFault {
	scripted := func(n, status int, h http.Header, body string) func(*testing.T, *testEnv) {
		return func(_ *testing.T, e *testEnv) {
			var s []replay.Scripted
			for range n {
				s = append(s, replay.Scripted{Status: status, Header: h, Body: []byte(body)})
			}
			e.sw.Script(secSID, s...)
		}
	}
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	// An upstream that reflects the credentials it was sent, in its error
	// document and in its headers.
	echo := `{"code":20003,"message":"invalid token ` + testToken + ` for ` + testProjectID + `","more_info":"Basic ` +
		basicAuth(testProjectID, testToken) + `","status":%d}`
	echoHeader := http.Header{"Content-Type": {"application/json"}, "X-Debug-Auth": {"Basic " + basicAuth(testProjectID, testToken)}}
	put := func(doc string) func(*testing.T, *testEnv) {
		return func(_ *testing.T, e *testEnv) { e.sm.Put(testSecretID, doc) }
	}
	fault := func(f secretsserver.Fault) func(*testing.T, *testEnv) {
		return func(_ *testing.T, e *testEnv) { e.sm.SetFault(testSecretID, f) }
	}
	return []leakFault{
		{name: "ok", status: 200},
		// Secrets Manager and the secret.
		{name: "secret not found", prepare: fault(secretsserver.NotFound), wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret access denied", prepare: fault(secretsserver.AccessDenied), wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret throttled", prepare: fault(secretsserver.Throttled), wantType: fail.CredentialsUnavailable, status: 502},
		{name: "Secrets Manager 500", prepare: fault(secretsserver.InternalError), wantType: fail.CredentialsUnavailable, status: 502},
		{name: "Secrets Manager unreachable", prepare: func(t *testing.T, e *testEnv) {
			rewire(t, e, closedURL(t), testAccessKey)
		}, wantType: fail.CredentialsUnavailable, status: 502},
		{name: "unknown AWS access key", prepare: func(t *testing.T, e *testEnv) {
			rewire(t, e, startSecrets(t, e.swURL), "AKIDNOTCALLWIRE")
		}, wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret binary only", prepare: func(_ *testing.T, e *testEnv) {
			e.sm.PutBinary(testSecretID, []byte(secretJSON(e.swURL)))
		}, wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret truncated after the token", prepare: put(`{"project_id":"` + testProjectID + `","api_token":"` + testToken),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret with a bad byte after the token", prepare: put(`{"project_id":"` + testProjectID + `","api_token":"` + testToken + "\x01" + `"}`),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "secret missing space_url", prepare: put(`{"project_id":"` + testProjectID + `","api_token":"` + testToken + `"}`),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "token with a newline", prepare: put(`{"project_id":"` + testProjectID + `","api_token":"` + testToken + `\n","space_url":"example.signalwire.com"}`),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "project_id holds the token", prepare: put(`{"project_id":"` + testToken + `","api_token":"` + testToken + `","space_url":"example.signalwire.com"}`),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "space_url with the token as userinfo", prepare: put(`{"project_id":"` + testProjectID + `","api_token":"` + testToken +
			`","space_url":"https://` + testProjectID + `:` + testToken + `@example.signalwire.com"}`),
			wantType: fail.CredentialsUnavailable, status: 502},
		{name: "space_url outside SignalWire", prepare: func(_ *testing.T, e *testEnv) {
			e.sm.Put(testSecretID, secretJSON("https://evil.example.com"))
		}, wantType: fail.CredentialsUnavailable, status: 502},
		// SignalWire.
		{name: "401 twice", prepare: scripted(2, 401, nil, ""), wantType: fail.AccessDenied, status: 502},
		{name: "401 echoing the credentials", prepare: scripted(2, 401, echoHeader, strings.Replace(echo, "%d", "401", 1)),
			wantType: fail.AccessDenied, status: 502},
		{name: "403", prepare: scripted(1, 403, jsonCT, `{"code":20003,"message":"Forbidden","status":403}`), wantType: fail.AccessDenied, status: 502},
		{name: "404", sid: "c0c0ca11-ffff-4fff-8fff-ffffffffffff", wantType: fail.CallNotFound, status: 404},
		{name: "404 echoing the credentials", prepare: scripted(1, 404, echoHeader, strings.Replace(echo, "%d", "404", 1)),
			wantType: fail.CallNotFound, status: 404},
		{name: "429 until the deadline", timeout: 700 * time.Millisecond,
			prepare: scripted(3, 429, http.Header{"Retry-After": {"1"}}, ""), wantType: fail.RateLimited, status: 429},
		{name: "500 throughout", prepare: scripted(3, 500, nil, ""), wantType: fail.UpstreamUnavailable, status: 502},
		{name: "500 echoing the credentials", prepare: scripted(3, 500, echoHeader, strings.Replace(echo, "%d", "500", 1)),
			wantType: fail.UpstreamUnavailable, status: 502},
		{name: "502 throughout", prepare: scripted(3, 502, nil, ""), wantType: fail.UpstreamUnavailable, status: 502},
		{name: "503 throughout", prepare: scripted(3, 503, nil, ""), wantType: fail.UpstreamUnavailable, status: 502},
		{name: "504 throughout", prepare: scripted(3, 504, nil, ""), wantType: fail.UpstreamUnavailable, status: 502},
		{name: "400 echoing the credentials", prepare: scripted(1, 400, echoHeader, strings.Replace(echo, "%d", "400", 1)),
			wantType: fail.UpstreamUnavailable, status: 502},
		{name: "302 to another host", prepare: func(t *testing.T, e *testEnv) {
			e.sw.Script(secSID, replay.Scripted{Status: 302, Header: http.Header{"Location": {redirectTarget(t) + "/x"}}})
		}, wantType: fail.UpstreamUnavailable, status: 502},
		{name: "connection reset throughout", prepare: func(_ *testing.T, e *testEnv) {
			e.sw.Script(secSID, replay.Scripted{Reset: true}, replay.Scripted{Reset: true}, replay.Scripted{Reset: true}, replay.Scripted{Reset: true})
		}, wantType: fail.UpstreamUnavailable, status: 502},
		{name: "slower than the deadline", timeout: 400 * time.Millisecond, prepare: func(_ *testing.T, e *testEnv) {
			e.sw.Script(secSID, replay.Scripted{Delay: 5 * time.Second})
		}, wantType: fail.UpstreamUnavailable, status: 504},
		{name: "2 MiB body", prepare: scripted(1, 200, jsonCT, strings.Repeat(" ", 2<<20)), wantType: fail.UpstreamUnavailable, status: 502},
		{name: "truncated JSON", prepare: scripted(1, 200, jsonCT, `{"sid":"`+secSID+`","date_cre`), wantType: fail.ContractViolation, status: 502},
		{name: "HTML 200", prepare: scripted(1, 200, http.Header{"Content-Type": {"text/html"}}, "<html>"+testToken+"</html>"),
			wantType: fail.ContractViolation, status: 502},
		{name: "strict mode, drifted body", mode: retrieve.ModeStrict, prepare: scripted(1, 200, jsonCT,
			`{"sid":"`+secSID+`","status":"completed","duration":{"token":"`+testToken+`"}}`), wantType: fail.ContractViolation, status: 502},
		{name: "body for another call", sid: "c0c0ca11-0e05-4a1e-8b0b-1ba0c0111ed1", wantType: fail.ContractViolation, status: 502},
		// Events.
		{name: "SID not a UUID", sid: "CA47b862ce3b99a6d79939320a9aa54a02", wantType: fail.InvalidCallSid, status: 400},
		{name: "SID with a path", sid: "../Messages", wantType: fail.InvalidCallSid, status: 404},
		{name: "10 KB SID", sid: strings.Repeat("a", 10<<10), wantType: fail.InvalidCallSid, status: 404},
	}
}

// startSecrets starts another Secrets Manager endpoint holding the secret
// for the space at swURL, under the test AWS credentials.
func startSecrets(t *testing.T, swURL string) string {
	t.Helper()
	sm, u := testkit.SecretsManager(t)
	sm.Put(testSecretID, secretJSON(swURL))
	return u
}

// redirectTarget starts a server that fails the test if any request reaches it.
func redirectTarget(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect followed to %s (Authorization sent: %t)", r.URL, r.Header.Get("Authorization") != "")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// assertNoSecretParts is assertNoSecrets plus the halves of each credential,
// so a truncated or partly quoted credential is caught too.
func assertNoSecretParts(t *testing.T, where, text string) {
	t.Helper()
	assertNoSecrets(t, where, text)
	basic := basicAuth(testProjectID, testToken)
	for _, s := range []string{testToken[len(testToken)/2:], testSecretKey[len(testSecretKey)/2:], basic[len(basic)/2:]} {
		if strings.Contains(text, s) {
			t.Errorf("%s contains part of a credential", where)
		}
	}
}

// TestNoCredentialLeaks runs the fault matrix as a direct invoke and as an
// HTTP API event, and checks that no credential (API token, project ID and
// token pair, Basic Authorization value, AWS secret key) shows up in the
// function error, the HTTP answer, the log or the metrics.
func TestNoCredentialLeaks(t *testing.T) {
	t.Parallel()
	for _, tt := range leakFaults() {
		for _, via := range []string{"direct", "http"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				t.Parallel()
				mode := tt.mode
				if mode == "" {
					mode = retrieve.ModeWarn
				}
				env := setup(t, mode)
				if tt.prepare != nil {
					tt.prepare(t, env)
				}
				sid := tt.sid
				if sid == "" {
					sid = secSID
				}
				timeout := tt.timeout
				if timeout == 0 {
					timeout = 10 * time.Second
				}
				ctx, cancel := context.WithTimeout(t.Context(), timeout)
				defer cancel()

				var texts []string
				if via == "direct" {
					out, ierr := env.invoke(ctx, directEvent(sid))
					gotType := ""
					if ierr != nil {
						gotType = ierr.Type
						texts = append(texts, ierr.Type+" "+ierr.Message)
					}
					if gotType != tt.wantType {
						t.Errorf("errorType %q, want %q (%v)", gotType, tt.wantType, ierr)
					}
					texts = append(texts, string(out))
				} else {
					resp := invokeHTTP(ctx, t, env, "GET", "/calls/"+sid, nil)
					if resp.StatusCode != tt.status {
						t.Errorf("HTTP status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
					}
					b, _ := json.Marshal(resp)
					texts = append(texts, string(b))
				}
				t.Logf("matrix: %s | %s | attempts=%d", tt.name, via, env.sw.RequestsFor(strings.ToLower(sid)))
				for _, s := range texts {
					assertNoSecretParts(t, "answer", s)
				}
				assertNoSecretParts(t, "logs", env.logs.String())
				assertNoSecretParts(t, "metrics", env.metrics.String())
				if strings.Contains(env.logs.String(), "Basic ") || strings.Contains(env.logs.String(), "Authorization") {
					t.Errorf("logs mention an Authorization header: %s", env.logs.String())
				}
			})
		}
	}
}

// httpAnswer is the part of an API Gateway v2 response the tests read.
type httpAnswer struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// invokeHTTP sends an HTTP API (v2) event through Handler.Invoke. HTTP events
// never produce a function error; the error is in the answer.
func invokeHTTP(ctx context.Context, t *testing.T, env *testEnv, method, path string, headers map[string]string) httpAnswer {
	t.Helper()
	ev, err := json.Marshal(map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "", "headers": headers,
		"requestContext": map[string]any{"stage": "$default", "http": map[string]string{"method": method, "path": path}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, ierr := env.invoke(ctx, ev)
	if ierr != nil {
		t.Fatalf("HTTP event gave a function error %s: %s", ierr.Type, ierr.Message)
	}
	var resp httpAnswer
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("HTTP answer does not decode: %v: %s", err, out)
	}
	return resp
}

// TestHTTPPathRejected extends TestHTTPRoutes: every path but GET
// /calls/{uuid} is answered 400, 404 or 405 from the event alone, and no
// request reaches SignalWire (or Secrets Manager).
func TestHTTPPathRejected(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	big := map[string]string{"x-big": strings.Repeat("h", 1<<20)}
	many := map[string]string{}
	for i := range 2000 {
		many["x-h"+strings.Repeat("a", i%50)+string(rune('a'+i%26))+strings.Repeat("b", i/26)] = "v"
	}
	tests := []struct {
		name, method, path string
		headers            map[string]string
		want               int
		wantType           string
	}{
		{"dot segments", "GET", "/calls/./" + secSID, nil, 404, "NotFound"},
		{"traversal to the sid", "GET", "/calls/x/../" + secSID, nil, 404, "NotFound"},
		{"traversal out", "GET", "/calls/../../Accounts/x/Messages", nil, 404, "NotFound"},
		{"encoded traversal", "GET", "/calls/%2e%2e%2fMessages", nil, 404, "NotFound"},
		{"encoded sid", "GET", "/calls/%63" + secSID[1:], nil, 404, "NotFound"},
		{"encoded slash upper", "GET", "/calls/" + secSID + "%2F", nil, 404, "NotFound"},
		{"double-encoded slash", "GET", "/calls/" + secSID + "%252F", nil, 404, "NotFound"},
		{"backslash", "GET", `/calls/..\` + secSID, nil, 404, "NotFound"},
		{"double slash before", "GET", "//calls/" + secSID, nil, 404, "NotFound"},
		{"double slash inside", "GET", "/calls//" + secSID, nil, 404, "NotFound"},
		{"trailing slash", "GET", "/calls/" + secSID + "/", nil, 404, "NotFound"},
		{"no slash", "GET", "/calls" + secSID, nil, 404, "NotFound"},
		{"empty sid", "GET", "/calls/", nil, 404, "NotFound"},
		{"upper-case route", "GET", "/CALLS/" + secSID, nil, 404, "NotFound"},
		{"query in the path", "GET", "/calls/" + secSID + "?x=1", nil, 400, fail.InvalidCallSid},
		{"fragment in the path", "GET", "/calls/" + secSID + "#x", nil, 400, fail.InvalidCallSid},
		{"NUL in the sid", "GET", "/calls/" + secSID + "\x00", nil, 400, fail.InvalidCallSid},
		{"newline in the sid", "GET", "/calls/" + secSID + "\n", nil, 400, fail.InvalidCallSid},
		{"unicode sid", "GET", "/calls/" + strings.Replace(secSID, "a", "\u0430", 1), nil, 400, fail.InvalidCallSid},
		{"Twilio sid", "GET", "/calls/CA47b862ce3b99a6d79939320a9aa54a02", nil, 400, fail.InvalidCallSid},
		{"path just over the limit", "GET", "/calls/" + strings.Repeat("a", maxPathLen), nil, 404, "NotFound"},
		{"1 MiB path", "GET", "/calls/" + strings.Repeat("a", 1<<20), nil, 404, "NotFound"},
		{"HEAD", "HEAD", "/calls/" + secSID, nil, 405, "MethodNotAllowed"},
		{"lower-case get", "get", "/calls/" + secSID, nil, 405, "MethodNotAllowed"},
		{"DELETE", "DELETE", "/calls/" + secSID, nil, 405, "MethodNotAllowed"},
		{"1 MiB header, bad path", "GET", "/calls/../x", big, 404, "NotFound"},
		{"2000 headers, bad sid", "GET", "/calls/x", many, 400, fail.InvalidCallSid},
		{"1 MiB header, good path", "GET", "/calls/" + secSID, big, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, smBefore := env.sw.Requests(), env.sm.Requests()
			resp := invokeHTTP(t.Context(), t, env, tt.method, tt.path, tt.headers)
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d: %s", resp.StatusCode, tt.want, resp.Body)
			}
			if tt.wantType != "" {
				var eb struct {
					Error struct{ Type, Message string } `json:"error"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &eb); err != nil || eb.Error.Type != tt.wantType {
					t.Errorf("error body %s, want type %s", resp.Body, tt.wantType)
				}
				if env.sw.Requests() != before {
					t.Errorf("a rejected request reached SignalWire")
				}
				if tt.want != 200 && env.sm.Requests() != smBefore {
					t.Errorf("a rejected request read the secret")
				}
				if len(resp.Body) > 256 {
					t.Errorf("error body of %d bytes repeats the request", len(resp.Body))
				}
			}
			if resp.Headers["Content-Type"] != "application/json" || resp.Headers["Cache-Control"] != "no-store" {
				t.Errorf("headers %v", resp.Headers)
			}
			assertNoSecretParts(t, "HTTP answer", resp.Body)
		})
	}
	if n := env.sw.Requests(); n != 1 {
		t.Errorf("SignalWire saw %d requests, want 1 (the good path)", n)
	}
}

// TestRedirectNotFollowed has SignalWire answer 302 to another loopback
// server: nothing reaches that server, and the call fails as
// UpstreamUnavailable without a retry.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var reached atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(other.Close)
	t.Cleanup(func() {
		if n := reached.Load(); n != 0 {
			t.Errorf("the redirect target saw %d requests", n)
		}
	})
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			env := setup(t, retrieve.ModeWarn)
			env.sw.Script(secSID, replay.Scripted{Status: status, Header: http.Header{"Location": {other.URL + "/api/laml/2010-04-01/Accounts/" + testProjectID + "/Calls/" + secSID}}})
			_, ierr := env.invoke(t.Context(), directEvent(secSID))
			if ierr == nil || ierr.Type != fail.UpstreamUnavailable {
				t.Errorf("got %+v, want %s", ierr, fail.UpstreamUnavailable)
			}
			if n := env.sw.RequestsFor(secSID); n != 1 {
				t.Errorf("SignalWire saw %d requests, want 1 (3xx is not retried)", n)
			}
			if ierr != nil {
				assertNoSecretParts(t, "error", ierr.Message)
			}
			assertNoSecretParts(t, "logs", env.logs.String())
		})
	}
}
