package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
)

const (
	testProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testToken     = "PTtesttoken-6d1f0c8e2b7a4f55a9e3"
	testSID       = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
)

// setup returns a Fetcher on an httptest server that serves mux, checking
// the method and Basic auth of every request, and a request counter.
func setup(t *testing.T, h http.HandlerFunc) (*Fetcher, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		user, pass, ok := r.BasicAuth()
		if r.Method != http.MethodGet || !ok || user != testProjectID || pass != testToken || r.Header.Get("Accept") != "application/json" {
			t.Errorf("request %s, auth %v, Accept %q", r.Method, ok, r.Header.Get("Accept"))
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	f, err := NewFetcher(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: srv.URL}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	f.backoff = time.Millisecond
	return f, &n
}

func TestGetCall(t *testing.T) {
	t.Parallel()
	wantPath := apiPrefix + testProjectID + "/Calls/" + testSID
	tests := []struct {
		name     string
		handler  func(n int64) (status int, header map[string]string, body string)
		status   int
		attempts int64
		err      string // substring; "" means no error
	}{
		{name: "200", handler: func(int64) (int, map[string]string, string) { return 200, nil, `{"sid":"x"}` }, status: 200, attempts: 1},
		{name: "404 is an exchange", handler: func(int64) (int, map[string]string, string) { return 404, nil, `{"code":20404}` }, status: 404, attempts: 1},
		{name: "429 then 200", handler: func(n int64) (int, map[string]string, string) {
			if n == 1 {
				return 429, map[string]string{"Retry-After": "0"}, ""
			}
			return 200, nil, `{}`
		}, status: 200, attempts: 2},
		{name: "503 persisting", handler: func(int64) (int, map[string]string, string) { return 503, nil, "down" }, status: 503, attempts: 3},
		{name: "redirect not followed", handler: func(int64) (int, map[string]string, string) {
			return 302, map[string]string{"Location": "https://elsewhere.example/"}, ""
		}, status: 302, attempts: 1},
		{name: "401", handler: func(int64) (int, map[string]string, string) { return 401, nil, "{}" }, attempts: 1, err: "HTTP 401"},
		{name: "403", handler: func(int64) (int, map[string]string, string) { return 403, nil, "{}" }, attempts: 1, err: "HTTP 403"},
		{name: "body too large", handler: func(int64) (int, map[string]string, string) {
			return 200, nil, strings.Repeat(" ", maxBodySize+1)
		}, attempts: 3, err: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			f, n := setup(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != wantPath {
					t.Errorf("path %s, want %s", r.URL.Path, wantPath)
				}
				status, header, body := tt.handler(calls.Add(1))
				for k, v := range header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(status)
				fmt.Fprint(w, body)
			})
			ex, err := f.GetCall(t.Context(), testSID)
			if n.Load() != tt.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tt.attempts)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Error("error holds the token")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status != tt.status || ex.Method != "GET" || !strings.HasSuffix(ex.URL, wantPath) {
				t.Errorf("exchange %s %s %d, want status %d", ex.Method, ex.URL, ex.Status, tt.status)
			}
		})
	}
}

func TestGetCallErrors(t *testing.T) {
	t.Parallel()
	f, n := setup(t, func(http.ResponseWriter, *http.Request) {})
	if _, err := f.GetCall(t.Context(), "CA123"); err == nil || n.Load() != 0 {
		t.Errorf("invalid sid: err %v, %d requests", err, n.Load())
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	closed, err := NewFetcher(Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: u}, nil)
	if err != nil {
		t.Fatal(err)
	}
	closed.backoff = time.Millisecond
	_, err = closed.GetCall(t.Context(), testSID)
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("closed server: err = %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.GetCall(ctx, testSID); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
}

func TestListCallSIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		n      int
		want   []string
		err    string
	}{
		{name: "page", status: 200, n: 2, body: `{"calls":[{"sid":"C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1"},{"sid":"c0c0ca11-0002-4b0b-9a55-0ac41be00002"},{"sid":"c0c0ca11-0003-4c41-8d1e-0c4113d00003"}]}`,
			want: []string{testSID, "c0c0ca11-0002-4b0b-9a55-0ac41be00002"}},
		{name: "empty", status: 200, n: 5, body: `{"calls":[]}`},
		{name: "no calls array", status: 200, n: 5, body: `{"page":0}`, err: "malformed page"},
		{name: "not JSON", status: 200, n: 5, body: `<html>`, err: "malformed page"},
		{name: "bad sid", status: 200, n: 5, body: `{"calls":[{"sid":"CA1"}]}`, err: "calls[0].sid"},
		{name: "403", status: 403, n: 5, body: `{}`, err: "list calls: HTTP 403"},
		{name: "page size", n: 0, err: "outside 1..1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Get("PageSize"); got != fmt.Sprint(tt.n) {
					t.Errorf("PageSize %s, want %d", got, tt.n)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			got, err := f.ListCallSIDs(t.Context(), tt.n)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"example.signalwire.com", "https://example.signalwire.com"},
		{"https://example.signalwire.com/", "https://example.signalwire.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://localhost:1", "http://localhost:1"},
		{"http://example.signalwire.com", ""},
		{"https://user:pw@example.signalwire.com", ""},
		{"https://example.signalwire.com/api", ""},
		{"https://example.signalwire.com?x=1", ""},
		{"ftp://example.signalwire.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := baseURL(tt.in)
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Errorf("baseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	full := map[string]string{EnvProjectID: testProjectID, EnvAPIToken: testToken, EnvSpaceURL: "example.signalwire.com"}
	tests := []struct {
		name string
		env  map[string]string
		err  string
	}{
		{name: "all set", env: full},
		{name: "none set", env: nil, err: "no SignalWire credentials"},
		{name: "token missing", env: map[string]string{EnvProjectID: testProjectID, EnvSpaceURL: "x"}, err: EnvAPIToken + " not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || c.APIToken != testToken {
				t.Fatalf("FromEnv = %v, %v", c, err)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if s := fmt.Sprintf(verb, c); strings.Contains(s, testToken) {
					t.Errorf("%s prints the token: %s", verb, s)
				}
			}
		})
	}
}

// secretsFunc is a SecretsAPI backed by a function.
type secretsFunc func(id string) (*string, error)

func (f secretsFunc) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s, err := f(*in.SecretId)
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: s}, nil
}

func TestFromSecret(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		secret *string
		apiErr error
		err    string
	}{
		{name: "valid", secret: str(`{"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"example.signalwire.com"}`)},
		{name: "missing keys", secret: str(`{"api_token":"` + testToken + `"}`), err: "secret lacks project_id, space_url"},
		{name: "not JSON", secret: str(`{"api_token":"` + testToken), err: "not a JSON object"},
		{name: "binary secret", err: "no secret string"},
		{name: "api error", apiErr: errors.New("ResourceNotFoundException"), err: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := secretsFunc(func(id string) (*string, error) {
				if id != "callwire/signalwire" {
					t.Errorf("secret id %q", id)
				}
				return tt.secret, tt.apiErr
			})
			c, err := FromSecret(t.Context(), api, "callwire/signalwire")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), testToken) {
					t.Fatalf("err = %v, want %q and no token", err, tt.err)
				}
				return
			}
			if err != nil || c.ProjectID != testProjectID || c.APIToken != testToken {
				t.Fatalf("FromSecret = %v, %v", c, err)
			}
		})
	}
}
