package replay

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/recording"
	"github.com/google/go-cmp/cmp"
)

// recordingsDir is the project's recordings, seen from this package's directory.
const recordingsDir = "../../testdata/recordings"

// testAccount is the demo project SID used by every recording.
const testAccount = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

// startServer starts s on loopback and closes it when the test ends.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return base
}

// loadedServer returns a started server holding every project recording.
func loadedServer(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	s := New(opts...)
	if err := s.LoadDir(recordingsDir); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	return s, startServer(t, s)
}

// newClient returns a client with its own keep-alive transport, so each test
// counts its own connections.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

func callPath(account, sid string) string {
	return "/api/laml/2010-04-01/Accounts/" + account + "/Calls/" + sid
}

// reply is the part of a response the tests compare.
type reply struct {
	Status int
	Header http.Header
	Body   string
}

// do sends one request with the test's context and reads the whole response.
func do(t *testing.T, c *http.Client, method, url string, header http.Header) (reply, error) {
	t.Helper()
	return send(t.Context(), c, method, url, header)
}

// send sends one request and reads the whole response.
func send(ctx context.Context, c *http.Client, method, url string, header http.Header) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return reply{}, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, nil
}

func mustDo(t *testing.T, c *http.Client, method, url string, header http.Header) reply {
	t.Helper()
	r, err := do(t, c, method, url, header)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

func readRecording(t *testing.T, name string) *recording.Recording {
	t.Helper()
	rec, err := recording.ReadRecording(filepath.Join(recordingsDir, name))
	if err != nil {
		t.Fatalf("ReadRecording: %v", err)
	}
	return rec
}

// recordingSID is the last path segment of the recording's request URL.
func recordingSID(rec *recording.Recording) string {
	return rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
}

func recordedBody(rec *recording.Recording) string {
	if rec.Response.BodyText != nil {
		return *rec.Response.BodyText
	}
	return string(rec.Response.Body)
}

const notFoundBody = `{"code":20404,"message":"The requested resource was not found.","more_info":"https://developer.signalwire.com/compatibility-api/reference/error-codes","status":404}`

func TestServeHTTP(t *testing.T) {
	t.Parallel()
	_, base := loadedServer(t)

	busy := readRecording(t, "conformant/200-busy-outbound.json")
	human := readRecording(t, "conformant/200-completed-inbound-human.json")
	notFound := readRecording(t, "conformant/404-not-found.json")
	truncated := readRecording(t, "drift/200-truncated-json.json")
	empty := readRecording(t, "drift/200-empty-body.json")
	html := readRecording(t, "drift/502-html-bad-gateway.json")

	tests := []struct {
		name   string
		method string
		path   string
		want   reply // Header lists only the headers to check
	}{
		{
			name:   "conformant recording byte for byte",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(busy)),
			want:   reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: recordedBody(busy)},
		},
		{
			name:   "content type with charset preserved",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(human)),
			want:   reply{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: recordedBody(human)},
		},
		{
			name:   "account in path not compared",
			method: http.MethodGet,
			path:   callPath("00000000-0000-4000-8000-000000000000", recordingSID(busy)),
			want:   reply{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: recordedBody(busy)},
		},
		{
			name:   "served under a base path",
			method: http.MethodGet,
			path:   "/mount/point" + callPath(testAccount, recordingSID(busy)),
			want:   reply{Status: 200, Body: recordedBody(busy)},
		},
		{
			name:   "truncated body_text",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(truncated)),
			want:   reply{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: recordedBody(truncated)},
		},
		{
			name:   "empty body",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(empty)),
			want:   reply{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Content-Length": {"0"}}, Body: ""},
		},
		{
			name:   "html 502",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(html)),
			want:   reply{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: recordedBody(html)},
		},
		{
			name:   "recorded 404",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(notFound)),
			want:   reply{Status: 404, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: recordedBody(notFound)},
		},
		{
			name:   "head has headers and no body",
			method: http.MethodHead,
			path:   callPath(testAccount, recordingSID(busy)),
			want: reply{Status: 200, Header: http.Header{
				"Content-Type":   {"application/json"},
				"Content-Length": {strconv.Itoa(len(busy.Response.Body))},
			}},
		},
		{
			name:   "unknown sid",
			method: http.MethodGet,
			path:   callPath(testAccount, "ffffffff-0000-4000-8000-000000000000"),
			want:   reply{Status: 404, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: notFoundBody},
		},
		{
			name:   "other path",
			method: http.MethodGet,
			path:   "/api/laml/2010-04-01/Accounts/" + testAccount + "/Messages/" + recordingSID(busy),
			want:   reply{Status: 404, Body: notFoundBody},
		},
		{
			name:   "call subresource",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(busy)) + "/Recordings",
			want:   reply{Status: 404, Body: notFoundBody},
		},
		{
			name:   "trailing slash",
			method: http.MethodGet,
			path:   callPath(testAccount, recordingSID(busy)) + "/",
			want:   reply{Status: 404, Body: notFoundBody},
		},
		{
			name:   "post not allowed",
			method: http.MethodPost,
			path:   callPath(testAccount, recordingSID(busy)),
			want: reply{Status: 405, Header: http.Header{"Allow": {"GET, HEAD"}},
				Body: `{"code":20004,"message":"Method not allowed","more_info":"https://developer.signalwire.com/compatibility-api/reference/error-codes","status":405}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustDo(t, newClient(t), tt.method, base+tt.path, nil)
			got.Header = pick(got.Header, tt.want.Header)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", tt.method, tt.path, diff)
			}
		})
	}
}

// pick returns the headers of h named in want; nil when want is empty.
func pick(h, want http.Header) http.Header {
	if len(want) == 0 {
		return nil
	}
	out := http.Header{}
	for k := range want {
		if vs, ok := h[k]; ok {
			out[k] = vs
		}
	}
	return out
}

func TestServeHTTPAuth(t *testing.T) {
	t.Parallel()
	const (
		projectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
		apiToken  = "PTsecret-token-value"
	)
	rec := readRecording(t, "conformant/200-busy-outbound.json")
	_, base := loadedServer(t, WithCredentials(projectID, apiToken))
	url := base + callPath(testAccount, recordingSID(rec))
	basic := func(user, pass string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
	}
	const unauthorized = `{"code":20003,"message":"Authentication Error - invalid username","more_info":"https://developer.signalwire.com/compatibility-api/reference/error-codes","status":401}`

	tests := []struct {
		name   string
		header http.Header
		want   reply
	}{
		{name: "right credentials", header: basic(projectID, apiToken), want: reply{Status: 200, Body: recordedBody(rec)}},
		{name: "no credentials", want: reply{Status: 401, Body: unauthorized}},
		{name: "wrong password", header: basic(projectID, "wrong-password-guess"), want: reply{Status: 401, Body: unauthorized}},
		{name: "wrong project", header: basic("someone-else", apiToken), want: reply{Status: 401, Body: unauthorized}},
		{name: "token prefix", header: basic(projectID, apiToken[:5]), want: reply{Status: 401, Body: unauthorized}},
		{name: "bearer scheme", header: http.Header{"Authorization": {"Bearer " + apiToken}}, want: reply{Status: 401, Body: unauthorized}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustDo(t, newClient(t), http.MethodGet, url, tt.header)
			hdr := got.Header
			got.Header = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if got.Status != http.StatusUnauthorized {
				return
			}
			if hdr.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without a WWW-Authenticate header")
			}
			for k, vs := range hdr {
				for _, v := range vs {
					if strings.Contains(v, "wrong-password-guess") || strings.Contains(v, apiToken) {
						t.Errorf("header %s echoes a credential: %q", k, v)
					}
				}
			}
		})
	}
}

func TestServeHTTPKeepAlive(t *testing.T) {
	t.Parallel()
	rec := readRecording(t, "conformant/200-completed-inbound-human.json")
	sid := recordingSID(rec)
	tests := []struct {
		name     string
		requests int
	}{
		{name: "one request", requests: 1},
		{name: "twenty requests", requests: 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, base := loadedServer(t)
			c := newClient(t)
			for range tt.requests {
				got := mustDo(t, c, http.MethodGet, base+callPath(testAccount, sid), nil)
				if got.Status != http.StatusOK || got.Body != recordedBody(rec) {
					t.Fatalf("got status %d and a body of %d bytes, want the recording", got.Status, len(got.Body))
				}
			}
			want := struct{ Connections, Requests, RequestsFor int64 }{1, int64(tt.requests), int64(tt.requests)}
			got := struct{ Connections, Requests, RequestsFor int64 }{s.Connections(), s.Requests(), s.RequestsFor(sid)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("counters (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServeHTTPConcurrent(t *testing.T) {
	t.Parallel()
	s, base := loadedServer(t)
	rec := readRecording(t, "conformant/200-busy-outbound.json")
	sid := recordingSID(rec)
	const workers, each = 8, 25
	c := newClient(t)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if i%5 == 0 {
					s.Script(sid, Scripted{Status: 503, Body: []byte(`{"status":503}`)})
				}
				if w == 0 && i%10 == 0 {
					s.SetCallList([]string{sid})
				}
				path := callPath(testAccount, sid)
				if i%2 == 1 {
					path = "/api/laml/2010-04-01/Accounts/" + testAccount + "/Calls?PageSize=3"
				}
				got, err := do(t, c, http.MethodGet, base+path, nil)
				if err != nil {
					t.Errorf("GET %s: %v", path, err)
					return
				}
				if got.Status != http.StatusOK && got.Status != http.StatusServiceUnavailable {
					t.Errorf("GET %s: status %d", path, got.Status)
				}
			}
		})
	}
	wg.Wait()
	if got, want := s.Requests(), int64(workers*each); got != want {
		t.Errorf("Requests() = %d, want %d", got, want)
	}
}

func TestWithNotFound(t *testing.T) {
	t.Parallel()
	custom := readRecording(t, "drift/404-missing-code-more-info.json")
	tests := []struct {
		name string
		opts []Option
		want reply
	}{
		{name: "default", want: reply{Status: 404, Body: notFoundBody}},
		{name: "nil keeps default", opts: []Option{WithNotFound(nil)}, want: reply{Status: 404, Body: notFoundBody}},
		{name: "custom", opts: []Option{WithNotFound(custom)}, want: reply{Status: custom.Response.Status, Body: recordedBody(custom)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(tt.opts...)
			base := startServer(t, s)
			got := mustDo(t, newClient(t), http.MethodGet, base+callPath(testAccount, "ffffffff-0000-4000-8000-000000000000"), nil)
			got.Header = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(*Server) error // runs before the Start under test
		addr    string
		wantErr string
	}{
		{name: "loopback", addr: "127.0.0.1:0"},
		{name: "all interfaces refused", addr: ":0", wantErr: "not a loopback address"},
		{name: "started twice", addr: "127.0.0.1:0", wantErr: "already started",
			prepare: func(s *Server) error { _, err := s.Start("127.0.0.1:0"); return err }},
		{name: "after close", addr: "127.0.0.1:0", wantErr: "closed",
			prepare: func(s *Server) error { return s.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New()
			t.Cleanup(func() { _ = s.Close() })
			if tt.prepare != nil {
				if err := tt.prepare(s); err != nil {
					t.Fatalf("prepare: %v", err)
				}
			}
			base, err := s.Start(tt.addr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Start(%q) error = %v, want one containing %q", tt.addr, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start(%q): %v", tt.addr, err)
			}
			if !strings.HasPrefix(base, "http://127.0.0.1:") {
				t.Errorf("base URL %q, want http://127.0.0.1:PORT", base)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}
