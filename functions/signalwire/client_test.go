package signalwire

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/voice"
)

const (
	testSID  = "0c9b2a3e-4f5d-4e6a-8b7c-9d0e1f2a3b4c"
	callPath = "/api/laml/2010-04-01/Accounts/" + testProjectID + "/Calls/" + testSID
	listPath = "/api/laml/2010-04-01/Accounts/" + testProjectID + "/Calls"
	callBody = `{"sid":"` + testSID + `","status":"completed"}`
)

// testServer is an httptest server that counts requests and connections.
type testServer struct {
	*httptest.Server
	mux      *http.ServeMux
	requests atomic.Int64
	conns    atomic.Int64
}

// setup starts a loopback server and returns a client whose credentials
// point at it, with small backoffs and no jitter randomness. The space URL of
// a client has no path (see spaceBaseURL), so tests check the exact request
// path instead of mounting the API under a prefix.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *testServer) {
	t.Helper()
	ts := newTestServer(t)
	creds := NewStaticCredentials(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: ts.URL})
	return newTestClient(creds, opts...), ts.mux, ts
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{mux: http.NewServeMux()}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		ts.mux.ServeHTTP(w, r)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func newTestClient(creds credentialsSource, opts ...Option) *Client {
	base := []Option{
		WithRetry(3, time.Millisecond, 5*time.Millisecond),
		WithDeadlineMargin(100 * time.Millisecond),
		WithRand(func() float64 { return 0.5 }),
	}
	return NewClient(creds, NewHTTPClient(), append(append(base, WithLoopback()), opts...)...)
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("request method = %s, want %s", r.Method, want)
	}
}

func testHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("request header %s = %q, want %q", name, got, want)
	}
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// checkNoSecret fails if s holds a token or an Authorization header value.
func checkNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{
		testToken, testToken2,
		basicAuth(testProjectID, testToken), basicAuth(testProjectID, testToken2),
		base64.StdEncoding.EncodeToString([]byte(testProjectID + ":" + testToken)),
		"Authorization",
	} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains a credential: %s", what, s)
		}
	}
}

func checkResult(t *testing.T, resp *Response, err error) {
	t.Helper()
	if err != nil {
		checkNoSecret(t, "error", err.Error())
		checkNoSecret(t, "error %#v", fmt.Sprintf("%#v", err))
	}
	if resp != nil {
		checkNoSecret(t, "Response.URL", resp.URL)
		checkNoSecret(t, "Response", fmt.Sprintf("%+v", resp))
	}
}

func serveJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func TestGetCallRaw(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", basicAuth(testProjectID, testToken))
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "callwire/1 (+go)")
		if r.URL.Path != callPath || r.URL.RawQuery != "" {
			t.Errorf("request URL = %s, want path %s", r.URL, callPath)
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})

	// An upper-case SID is canonicalized before it goes on the wire.
	resp, err := client.GetCallRaw(t.Context(), strings.ToUpper(testSID))
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	want := &Response{
		Method:     http.MethodGet,
		URL:        ts.URL + callPath,
		StatusCode: http.StatusOK,
		Body:       []byte(callBody),
		Attempts:   1,
		ProjectID:  testProjectID,
	}
	if diff := cmp.Diff(want, resp, cmpResponse); diff != "" {
		t.Errorf("GetCallRaw mismatch (-want +got):\n%s", diff)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if resp.Latency <= 0 {
		t.Errorf("Latency = %v, want > 0", resp.Latency)
	}
	if err := resp.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
	if n := ts.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

// cmpResponse ignores the fields that vary from run to run.
var cmpResponse = cmp.FilterPath(func(p cmp.Path) bool {
	s := p.String()
	return s == "Header" || s == "Latency" || s == "echoes"
}, cmp.Ignore())

func TestGetCallRawStatus(t *testing.T) {
	t.Parallel()
	type step struct {
		status     int
		retryAfter string
	}
	tests := []struct {
		name         string
		steps        []step // served in order; the last one repeats
		wantStatus   int
		wantAttempts int
		wantErrIs    error // of Response.Err()
	}{
		{"404 passes through", []step{{404, ""}}, 404, 1, voice.ErrNotFound},
		{"403 passes through", []step{{403, ""}}, 403, 1, voice.ErrUnauthorized},
		{"400 is not retried", []step{{400, ""}}, 400, 1, voice.ErrUpstream},
		{"500 then 200", []step{{500, ""}, {200, ""}}, 200, 2, nil},
		{"502 then 200", []step{{502, ""}, {200, ""}}, 200, 2, nil},
		{"503 then 200", []step{{503, ""}, {200, ""}}, 200, 2, nil},
		{"504 then 200", []step{{504, ""}, {200, ""}}, 200, 2, nil},
		{"500 502 then 200", []step{{500, ""}, {502, ""}, {200, ""}}, 200, 3, nil},
		{"503 exhausts the budget", []step{{503, ""}}, 503, 3, voice.ErrUpstream},
		{"429 without Retry-After then 200", []step{{429, ""}, {200, ""}}, 200, 2, nil},
		{"429 exhausts the budget", []step{{429, "0"}}, 429, 3, voice.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, ts := setup(t)
			var n atomic.Int64
			mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
				i := min(int(n.Add(1))-1, len(tt.steps)-1)
				if ra := tt.steps[i].retryAfter; ra != "" {
					w.Header().Set("Retry-After", ra)
				}
				serveJSON(tt.steps[i].status, fmt.Sprintf(`{"code":%d,"message":"step %d","status":%d}`, 20000+tt.steps[i].status, i, tt.steps[i].status))(w, r)
			})
			resp, err := client.GetCallRaw(t.Context(), testSID)
			checkResult(t, resp, err)
			if err != nil {
				t.Fatalf("GetCallRaw: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Attempts != tt.wantAttempts {
				t.Errorf("status, attempts = %d, %d; want %d, %d", resp.StatusCode, resp.Attempts, tt.wantStatus, tt.wantAttempts)
			}
			if got := ts.requests.Load(); got != int64(tt.wantAttempts) {
				t.Errorf("server saw %d requests, want %d", got, tt.wantAttempts)
			}
			apiErr := resp.Err()
			if tt.wantErrIs == nil {
				if apiErr != nil {
					t.Errorf("Err() = %v, want nil", apiErr)
				}
				return
			}
			var ae *APIError
			if !errors.As(apiErr, &ae) || ae.StatusCode != tt.wantStatus || ae.Code != 20000+tt.wantStatus {
				t.Errorf("Err() = %#v, want *APIError for %d", apiErr, tt.wantStatus)
			}
			if !errors.Is(apiErr, tt.wantErrIs) {
				t.Errorf("errors.Is(%v, %v) = false", apiErr, tt.wantErrIs)
			}
		})
	}
}

func TestGetCallRawRetryAfter(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var n atomic.Int64
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			serveJSON(http.StatusTooManyRequests, `{"code":20429,"message":"Too Many Requests"}`)(w, r)
			return
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := client.GetCallRaw(ctx, testSID)
	elapsed := time.Since(start)
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Attempts != 2 {
		t.Errorf("status, attempts = %d, %d; want 200, 2", resp.StatusCode, resp.Attempts)
	}
	if elapsed < time.Second {
		t.Errorf("returned after %v, before the 1s Retry-After", elapsed)
	}
}

func TestGetCallRawRetryAfterPastDeadline(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		serveJSON(http.StatusTooManyRequests, `{"code":20429,"message":"Too Many Requests"}`)(w, r)
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	start := time.Now()
	resp, err := client.GetCallRaw(ctx, testSID)
	elapsed := time.Since(start)
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	if elapsed > 500*time.Millisecond {
		t.Errorf("returned after %v, want promptly", elapsed)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Attempts != 1 || ts.requests.Load() != 1 {
		t.Errorf("status, attempts, requests = %d, %d, %d; want 429, 1, 1", resp.StatusCode, resp.Attempts, ts.requests.Load())
	}
	var ae *APIError
	if apiErr := resp.Err(); !errors.As(apiErr, &ae) || ae.RetryAfter != 10*time.Second || !errors.Is(apiErr, voice.ErrRateLimited) {
		t.Errorf("Err() = %#v, want *APIError with RetryAfter 10s wrapping voice.ErrRateLimited", apiErr)
	}
}

func TestGetCallRawBackoffPastDeadline(t *testing.T) {
	t.Parallel()
	// A 5s backoff cannot fit a 1s deadline: the first 503 is the answer.
	client, mux, ts := setup(t, WithRetry(3, 5*time.Second, 5*time.Second), WithRand(func() float64 { return 0.999 }))
	mux.HandleFunc("GET "+callPath, serveJSON(http.StatusServiceUnavailable, `{}`))
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	start := time.Now()
	resp, err := client.GetCallRaw(ctx, testSID)
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("returned after %v, want promptly", elapsed)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || ts.requests.Load() != 1 {
		t.Errorf("status, requests = %d, %d; want 503, 1", resp.StatusCode, ts.requests.Load())
	}
}

func TestGetCallRawConnectionReset(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	var n atomic.Int64
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close with RST
			}
			_ = conn.Close()
			return
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})
	resp, err := client.GetCallRaw(t.Context(), testSID)
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Attempts != 2 || ts.requests.Load() != 2 {
		t.Errorf("status, attempts, requests = %d, %d, %d; want 200, 2, 2", resp.StatusCode, resp.Attempts, ts.requests.Load())
	}
}

func TestGetCallRawSlowServer(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})
	deadline := time.Now().Add(600 * time.Millisecond)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	resp, err := client.GetCallRaw(ctx, testSID)
	returned := time.Now()
	checkResult(t, resp, err)
	if err == nil {
		t.Fatalf("GetCallRaw = %d, want error", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, voice.ErrUpstream) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded and voice.ErrUpstream", err)
	}
	// The 100ms margin is left to the caller.
	if !returned.Before(deadline) {
		t.Errorf("returned %v after the deadline", returned.Sub(deadline))
	}
}

func TestGetCallRawCanceled(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("GET "+callPath, serveJSON(http.StatusOK, callBody))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	resp, err := client.GetCallRaw(ctx, testSID)
	checkResult(t, resp, err)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, voice.ErrUpstream) {
		t.Errorf("GetCallRaw error = %v, want context.Canceled and voice.ErrUpstream", err)
	}
	if n := ts.requests.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestGetCallRawBodyTooLarge(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for range 32 { // 2 MiB
			if _, err := w.Write(chunk); err != nil {
				return // the client hung up, as it should
			}
		}
	})
	resp, err := client.GetCallRaw(t.Context(), testSID)
	checkResult(t, resp, err)
	var tooLarge *BodyTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Limit != defaultMaxBodySize {
		t.Fatalf("GetCallRaw error = %v, want *BodyTooLargeError with the 1 MiB limit", err)
	}
	if !errors.Is(err, voice.ErrUpstream) {
		t.Errorf("errors.Is(%v, voice.ErrUpstream) = false", err)
	}
	if n := ts.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1 (no retry)", n)
	}
}

func TestGetCallRawMaxBodySize(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithMaxBodySize(int64(len(callBody))))
	mux.HandleFunc("GET "+callPath, serveJSON(http.StatusOK, callBody))
	resp, err := client.GetCallRaw(t.Context(), testSID)
	if err != nil || string(resp.Body) != callBody {
		t.Fatalf("body of exactly the limit: GetCallRaw = %v, %v", resp, err)
	}
	client2, mux2, _ := setup(t, WithMaxBodySize(int64(len(callBody)-1)))
	mux2.HandleFunc("GET "+callPath, serveJSON(http.StatusOK, callBody))
	var tooLarge *BodyTooLargeError
	if _, err := client2.GetCallRaw(t.Context(), testSID); !errors.As(err, &tooLarge) {
		t.Errorf("body one byte over: error = %v, want *BodyTooLargeError", err)
	}
}

func TestGetCallRawInvalidSID(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, sid string }{
		{"path traversal", "../Messages"},
		{"traversal with uuid", "../Messages/" + testSID},
		{"twilio style", "CA" + strings.Repeat("a", 32)},
		{"empty", ""},
		{"10 KB", strings.Repeat("a", 10<<10)},
		{"query", testSID[:35] + "?"},
		{"encoded slash", "%2e%2e%2fMessages"},
		{"uuid with suffix", testSID + ".json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, ts := setup(t)
			mux.HandleFunc("/", serveJSON(http.StatusOK, callBody))
			resp, err := client.GetCallRaw(t.Context(), tt.sid)
			checkResult(t, resp, err)
			if !errors.Is(err, voice.ErrInvalidSID) {
				t.Errorf("GetCallRaw(%.40q) error = %v, want voice.ErrInvalidSID", tt.sid, err)
			}
			if resp != nil {
				t.Errorf("GetCallRaw returned a response")
			}
			if err != nil && len(err.Error()) > 200 {
				t.Errorf("error is %d bytes long, want it bounded", len(err.Error()))
			}
			if n := ts.requests.Load(); n != 0 {
				t.Errorf("server saw %d requests, want 0", n)
			}
		})
	}
}

func TestGetCallRawKeepAlive(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("GET "+callPath, serveJSON(http.StatusOK, callBody))
	for i := range 20 {
		resp, err := client.GetCallRaw(t.Context(), testSID)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("call %d: GetCallRaw = %v, %v", i, resp, err)
		}
	}
	if n := ts.conns.Load(); n != 1 {
		t.Errorf("20 calls opened %d connections, want 1", n)
	}
}

func TestGetCallRawKeepAliveAfterErrorStatus(t *testing.T) {
	t.Parallel()
	// Error bodies are drained too, so 404s reuse the connection.
	client, mux, ts := setup(t)
	mux.HandleFunc("GET "+callPath, serveJSON(http.StatusNotFound, `{"code":20404}`))
	for i := range 5 {
		if _, err := client.GetCallRaw(t.Context(), testSID); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := ts.conns.Load(); n != 1 {
		t.Errorf("5 calls opened %d connections, want 1", n)
	}
}

func TestGetCallRawRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	other := newTestServer(t)
	other.mux.HandleFunc("/", serveJSON(http.StatusOK, callBody))
	ts := newTestServer(t)
	ts.mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+callPath, http.StatusFound)
	})
	// Even a caller's client that follows redirects must not follow this one.
	hc := &http.Client{Timeout: 5 * time.Second}
	creds := NewStaticCredentials(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: ts.URL})
	client := NewClient(creds, hc, WithLoopback(), WithRetry(3, time.Millisecond, time.Millisecond))

	resp, err := client.GetCallRaw(t.Context(), testSID)
	checkResult(t, resp, err)
	if err != nil {
		t.Fatalf("GetCallRaw: %v", err)
	}
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != other.URL+callPath {
		t.Errorf("status, Location = %d, %q; want 302 to the other host", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := other.requests.Load(); n != 0 {
		t.Errorf("the other host saw %d requests, want 0", n)
	}
	if hc.CheckRedirect != nil {
		t.Errorf("NewClient changed the caller's http.Client")
	}
}

// fakeSecrets is a secretReader whose answers come from its Fn fields.
type fakeSecrets struct {
	ValueFn   func(ctx context.Context, id string) (string, error)
	RefreshFn func(ctx context.Context, id string) (string, error)
	reads     atomic.Int64
}

func (f *fakeSecrets) Value(ctx context.Context, id string) (string, error) {
	f.reads.Add(1)
	return f.ValueFn(ctx, id)
}

func (f *fakeSecrets) Refresh(ctx context.Context, id string) (string, error) {
	f.reads.Add(1)
	return f.RefreshFn(ctx, id)
}

func secretJSON(token, space string) string {
	return `{"project_id":"` + testProjectID + `","api_token":"` + token + `","space_url":"` + space + `"}`
}

func TestGetCallRawRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		refreshToken  string // token after Refresh
		serverAccepts string // token the server accepts
		wantStatus    int
		wantRequests  int64
	}{
		{"rotated token accepted", testToken2, testToken2, 200, 2},
		{"unchanged secret returns the 401", testToken, testToken2, 401, 1},
		{"rotated token refused too", testToken2, "none", 401, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t)
			ts.mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != basicAuth(testProjectID, tt.serverAccepts) {
					serveJSON(http.StatusUnauthorized, `{"code":20003,"message":"Authentication Error"}`)(w, r)
					return
				}
				serveJSON(http.StatusOK, callBody)(w, r)
			})
			secrets := &fakeSecrets{
				ValueFn: func(_ context.Context, id string) (string, error) {
					if id != "callwire/signalwire" {
						t.Errorf("secret id = %q", id)
					}
					return secretJSON(testToken, ts.URL), nil
				},
				RefreshFn: func(context.Context, string) (string, error) {
					return secretJSON(tt.refreshToken, ts.URL), nil
				},
			}
			client := newTestClient(NewSecretCredentials(secrets, "callwire/signalwire"))
			resp, err := client.GetCallRaw(t.Context(), testSID)
			checkResult(t, resp, err)
			if err != nil {
				t.Fatalf("GetCallRaw: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || int64(resp.Attempts) != tt.wantRequests || ts.requests.Load() != tt.wantRequests {
				t.Errorf("status, attempts, requests = %d, %d, %d; want %d, %d, %d",
					resp.StatusCode, resp.Attempts, ts.requests.Load(), tt.wantStatus, tt.wantRequests, tt.wantRequests)
			}
			if n := secrets.reads.Load(); n != 2 {
				t.Errorf("secret read %d times, want 2 (Value, then Refresh once)", n)
			}
			if tt.wantStatus == 401 && !errors.Is(resp.Err(), voice.ErrUnauthorized) {
				t.Errorf("Err() = %v, want voice.ErrUnauthorized", resp.Err())
			}
		})
	}
}

func TestGetCallRawCredentialsErrors(t *testing.T) {
	t.Parallel()
	errSecrets := errors.New("secrets: get callwire/signalwire: AccessDeniedException")
	tests := []struct {
		name    string
		value   func(space string) (string, error)
		refresh func(space string) (string, error)
	}{
		{
			name:  "secret unreadable",
			value: func(string) (string, error) { return "", errSecrets },
		},
		{
			name:  "secret malformed",
			value: func(string) (string, error) { return `{"api_token":"` + testToken + `"`, nil },
		},
		{
			name:  "space refused",
			value: func(string) (string, error) { return secretJSON(testToken, "https://evil.example.com"), nil },
		},
		{
			name:    "refresh fails after 401",
			value:   func(space string) (string, error) { return secretJSON(testToken, space), nil },
			refresh: func(string) (string, error) { return "", errSecrets },
		},
		{
			name:  "rotated secret malformed",
			value: func(space string) (string, error) { return secretJSON(testToken, space), nil },
			refresh: func(string) (string, error) {
				return `{"project_id":"x","api_token":"` + testToken2 + `"}`, nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t)
			ts.mux.HandleFunc("/", serveJSON(http.StatusUnauthorized, `{"code":20003}`))
			secrets := &fakeSecrets{
				ValueFn: func(context.Context, string) (string, error) { return tt.value(ts.URL) },
				RefreshFn: func(context.Context, string) (string, error) {
					if tt.refresh == nil {
						t.Error("unexpected Refresh")
						return "", errSecrets
					}
					return tt.refresh(ts.URL)
				},
			}
			client := newTestClient(NewSecretCredentials(secrets, "callwire/signalwire"))
			resp, err := client.GetCallRaw(t.Context(), testSID)
			checkResult(t, resp, err)
			if !errors.Is(err, voice.ErrCredentials) {
				t.Errorf("GetCallRaw error = %v, want voice.ErrCredentials", err)
			}
			if resp != nil {
				t.Errorf("GetCallRaw returned a response with a credentials error")
			}
		})
	}
}

func TestListCallSIDs(t *testing.T) {
	t.Parallel()
	sid2 := "1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6"
	page := func(sids ...string) string {
		calls := make([]string, len(sids))
		for i, s := range sids {
			calls[i] = `{"sid":"` + s + `","status":"completed"}`
		}
		return `{"calls":[` + strings.Join(calls, ",") + `],"page":0,"page_size":2,"next_page_uri":null}`
	}
	tests := []struct {
		name      string
		n         int
		status    int
		body      string
		want      []string
		wantErrIs error
	}{
		{"two calls", 2, 200, page(testSID, sid2), []string{testSID, sid2}, nil},
		{"sids are canonicalized", 2, 200, page(strings.ToUpper(testSID)), []string{testSID}, nil},
		{"truncated to n", 1, 200, page(testSID, sid2), []string{testSID}, nil},
		{"empty page", 5, 200, `{"calls":[]}`, []string{}, nil},
		{"not JSON", 2, 200, `<html>`, nil, voice.ErrUpstream},
		{"no calls array", 2, 200, `{"page":0}`, nil, voice.ErrUpstream},
		{"calls not an array", 2, 200, `{"calls":{}}`, nil, voice.ErrUpstream},
		{"bad sid", 2, 200, page(testSID, "../x"), nil, voice.ErrInvalidSID},
		{"401", 2, 401, `{"code":20003}`, nil, voice.ErrUnauthorized},
		{"404", 2, 404, `{"code":20404}`, nil, voice.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testHeader(t, r, "Authorization", basicAuth(testProjectID, testToken))
				if r.URL.Path != listPath || r.URL.RawQuery != fmt.Sprintf("PageSize=%d", tt.n) {
					t.Errorf("request URL = %s, want %s?PageSize=%d", r.URL, listPath, tt.n)
				}
				serveJSON(tt.status, tt.body)(w, r)
			})
			got, err := client.ListCallSIDs(t.Context(), tt.n)
			checkResult(t, nil, err)
			if tt.wantErrIs != nil {
				if !errors.Is(err, tt.wantErrIs) {
					t.Fatalf("ListCallSIDs error = %v, want %v", err, tt.wantErrIs)
				}
				if tt.status != 200 {
					if _, ok := err.(*APIError); !ok { //nolint:errorlint // the dynamic type is the contract
						t.Errorf("ListCallSIDs error is %T, want *APIError", err)
					}
				} else if !errors.Is(err, voice.ErrUpstream) {
					t.Errorf("malformed page error %v does not wrap voice.ErrUpstream", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ListCallSIDs: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListCallSIDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListCallSIDsPageSize(t *testing.T) {
	t.Parallel()
	client, mux, ts := setup(t)
	mux.HandleFunc("/", serveJSON(http.StatusOK, `{"calls":[]}`))
	for _, n := range []int{0, -1, 1001} {
		if _, err := client.ListCallSIDs(t.Context(), n); err == nil {
			t.Errorf("ListCallSIDs(%d) succeeded, want error", n)
		}
	}
	if n := ts.requests.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestNewHTTPClient(t *testing.T) {
	t.Parallel()
	hc := NewHTTPClient()
	if hc.Timeout <= 0 || hc.Timeout > 30*time.Second {
		t.Errorf("Timeout = %v, want a bounded timeout", hc.Timeout)
	}
	if hc.CheckRedirect == nil || !errors.Is(hc.CheckRedirect(nil, nil), http.ErrUseLastResponse) {
		t.Errorf("CheckRedirect does not stop redirects")
	}
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport is %T", hc.Transport)
	}
	if tr.MaxIdleConnsPerHost < 2 || tr.IdleConnTimeout != 90*time.Second || tr.TLSHandshakeTimeout != 5*time.Second ||
		tr.ResponseHeaderTimeout <= 0 || !tr.ForceAttemptHTTP2 || tr.DisableKeepAlives {
		t.Errorf("Transport settings = %+v", tr)
	}
}

func TestNewClientCopiesHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	client := NewClient(NewStaticCredentials(Credentials{}), hc)
	if client.hc == hc || client.hc.Timeout != defaultTimeout || client.hc.CheckRedirect == nil {
		t.Errorf("client uses hc as is: Timeout %v", client.hc.Timeout)
	}
	if hc.Timeout != 0 || hc.CheckRedirect != nil {
		t.Errorf("NewClient changed the caller's http.Client")
	}
}

// TestSecretCredentialsFollowsTheSecret: SecretCredentials parses a secret
// once while it is unchanged, and every change (a rotation, a broken
// secret, a rollback) is seen on the next read.
func TestSecretCredentialsFollowsTheSecret(t *testing.T) {
	t.Parallel()
	const space = "https://example.signalwire.com"
	values := []string{
		secretJSON(testToken, space),
		secretJSON(testToken, space),
		secretJSON(testToken2, space),
		`{"project_id":"not-a-uuid"}`,
		`{"project_id":"not-a-uuid"}`,
		secretJSON(testToken, space),
	}
	i := 0
	secrets := &fakeSecrets{ValueFn: func(context.Context, string) (string, error) {
		v := values[i]
		i++
		return v, nil
	}}
	sc := NewSecretCredentials(secrets, "callwire/signalwire")
	for n, v := range values {
		want, wantErr := ParseCredentials([]byte(v))
		got, err := sc.Credentials(t.Context())
		if got != want || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("read %d: Credentials = %v, %v; want %v, %v", n, got, err, want, wantErr)
		}
	}
}
