package signalwire

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/voice"
)

// slowSecrets answers after delay, or when ctx ends.
func slowSecrets(delay time.Duration, value string) func(ctx context.Context, _ string) (string, error) {
	return func(ctx context.Context, _ string) (string, error) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			return value, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// TestDeadlineCoversSecrets checks that reading the secret, and refreshing it
// after a 401, stop at the same point as the HTTP attempts: the deadline
// less the margin, so the caller can still answer with a typed error.
func TestDeadlineCoversSecrets(t *testing.T) {
	t.Parallel()
	const deadline, margin = time.Second, 300 * time.Millisecond
	tests := []struct {
		name    string
		secrets func(space string) *fakeSecrets
	}{
		{name: "slow first read", secrets: func(space string) *fakeSecrets {
			return &fakeSecrets{ValueFn: slowSecrets(2*time.Second, secretJSON(testToken, space))}
		}},
		{name: "slow refresh after a 401", secrets: func(space string) *fakeSecrets {
			return &fakeSecrets{
				ValueFn:   func(context.Context, string) (string, error) { return secretJSON(testToken, space), nil },
				RefreshFn: slowSecrets(2*time.Second, secretJSON(testToken2, space)),
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t)
			ts.mux.HandleFunc("/", serveJSON(http.StatusUnauthorized, `{"code":20003}`))
			client := newTestClient(NewSecretCredentials(tt.secrets(ts.URL), "callwire/signalwire"), WithDeadlineMargin(margin))
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			start := time.Now()
			_, err := client.GetCallRaw(ctx, testSID)
			elapsed := time.Since(start)
			if !errors.Is(err, voice.ErrCredentials) {
				t.Fatalf("GetCallRaw error = %v, want voice.ErrCredentials", err)
			}
			// The caller's own deadline must not have passed: the secret read
			// stopped at the deadline less the margin, leaving the caller
			// time to answer (before, it ran until the deadline itself).
			if ctx.Err() != nil {
				t.Errorf("GetCallRaw returned after %v, past the caller's %v deadline; the secret read must stop %v before it", elapsed, deadline, margin)
			}
		})
	}
}

// TestRotationRace has many callers that used the old token get a 401 at
// once: every one of them must see the rotated secret as changed and retry,
// with one forced Secrets Manager read among them.
func TestRotationRace(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	accepted := testToken
	ts := newTestServer(t)
	ts.mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := r.Header.Get("Authorization") == basicAuth(testProjectID, accepted)
		mu.Unlock()
		if !ok {
			serveJSON(http.StatusUnauthorized, `{"code":20003}`)(w, r)
			return
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})

	sm := secretsserver.New(secretsserver.WithAccessKeyID("AKIDEXAMPLE"))
	smURL := httptest.NewServer(sm)
	t.Cleanup(smURL.Close)
	sm.Put("callwire/signalwire", secretJSON(testToken, ts.URL))
	api := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-access-key", ""),
		BaseEndpoint: aws.String(smURL.URL),
	})
	src := secrets.NewSource(api, time.Hour)
	client := newTestClient(NewSecretCredentials(src, "callwire/signalwire"))
	if _, err := client.GetCallRaw(t.Context(), testSID); err != nil { // warm: the old token is cached
		t.Fatal(err)
	}

	mu.Lock()
	accepted = testToken2
	mu.Unlock()
	sm.Put("callwire/signalwire", secretJSON(testToken2, ts.URL))

	const callers = 8
	var wg sync.WaitGroup
	statuses := make([]int, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			resp, err := client.GetCallRaw(t.Context(), testSID)
			errs[i] = err
			if resp != nil {
				statuses[i] = resp.StatusCode
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || statuses[i] != http.StatusOK {
			t.Errorf("caller %d: status %d, error %v; want 200 after the rotation", i, statuses[i], errs[i])
		}
	}
	if n := src.Fetches(); n != 2 {
		t.Errorf("%d Secrets Manager reads, want 2 (the first, and one forced refresh for all callers)", n)
	}
}

// TestPersistent401BoundsRefreshes checks that a 401 that does not go away
// costs one forced secret read per interval, not one per call.
func TestPersistent401BoundsRefreshes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/", serveJSON(http.StatusUnauthorized, `{"code":20003}`))
	sm := secretsserver.New(secretsserver.WithAccessKeyID("AKIDEXAMPLE"))
	smURL := httptest.NewServer(sm)
	t.Cleanup(smURL.Close)
	sm.Put("callwire/signalwire", secretJSON(testToken, ts.URL))
	api := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-access-key", ""),
		BaseEndpoint: aws.String(smURL.URL),
	})
	src := secrets.NewSource(api, time.Hour)
	client := newTestClient(NewSecretCredentials(src, "callwire/signalwire"))
	for i := range 5 {
		resp, err := client.GetCallRaw(t.Context(), testSID)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("call %d: %v, %v; want the 401", i, resp, err)
		}
	}
	if n := src.Fetches(); n != 2 {
		t.Errorf("%d Secrets Manager reads for 5 refused calls, want 2 (one read, one forced refresh)", n)
	}
}

// TestRefusalDuringSecretsOutage has SignalWire refuse every call (401)
// while Secrets Manager throttles or fails: each refusal asks for a forced
// refresh, and the refreshes must cost one GetSecretValue call per interval,
// not one per call, whether a good secret was cached or not.
func TestRefusalDuringSecretsOutage(t *testing.T) {
	t.Parallel()
	for _, fault := range []secretsserver.Fault{secretsserver.Throttled, secretsserver.InternalError} {
		for _, warm := range []bool{true, false} {
			t.Run(fmt.Sprintf("fault %d warm %v", fault, warm), func(t *testing.T) {
				t.Parallel()
				ts := newTestServer(t)
				var refusing atomic.Bool // the token is accepted, then revoked
				ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					if refusing.Load() {
						serveJSON(http.StatusUnauthorized, `{"code":20003}`)(w, r)
						return
					}
					serveJSON(http.StatusOK, callBody)(w, r)
				})
				sm := secretsserver.New(secretsserver.WithAccessKeyID("AKIDEXAMPLE"))
				smURL := httptest.NewServer(sm)
				t.Cleanup(smURL.Close)
				sm.Put("callwire/signalwire", secretJSON(testToken, ts.URL))
				api := secretsmanager.NewFromConfig(aws.Config{
					Region:           "us-east-1",
					Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-access-key", ""),
					BaseEndpoint:     aws.String(smURL.URL),
					RetryMaxAttempts: 1,
				})
				src := secrets.NewSource(api, time.Hour)
				client := newTestClient(NewSecretCredentials(src, "callwire/signalwire"))
				if warm {
					if resp, err := client.GetCallRaw(t.Context(), testSID); err != nil || resp.StatusCode != http.StatusOK {
						t.Fatalf("warm-up call: %v, %v; want 200", resp, err)
					}
				}
				refusing.Store(true)
				sm.SetFault("callwire/signalwire", fault)
				before := sm.Requests()
				for i := range 30 {
					resp, err := client.GetCallRaw(t.Context(), testSID)
					switch {
					case warm && i == 0 && !errors.Is(err, secrets.ErrUnavailable):
						t.Fatalf("call 0 error = %v; want the failed refresh, secrets.ErrUnavailable", err)
					case warm && i > 0 && (err != nil || resp.StatusCode != http.StatusUnauthorized):
						t.Fatalf("call %d: %v, %v; want the 401 with the cached credentials (no refresh within the interval)", i, resp, err)
					case !warm && (!errors.Is(err, voice.ErrCredentials) || !errors.Is(err, secrets.ErrUnavailable)):
						t.Fatalf("call %d error = %v; want voice.ErrCredentials and secrets.ErrUnavailable", i, err)
					}
				}
				if n := sm.Requests() - before; n != 1 {
					t.Errorf("%d GetSecretValue calls for 30 refused calls during the outage, want 1", n)
				}
			})
		}
	}
}

// TestResponseEchoes checks that a response carrying the credentials, in any
// of the forms an upstream could use, is recognised.
func TestResponseEchoes(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte(testProjectID + ":" + testToken))
	tests := []struct {
		name string
		body string
		want bool
	}{
		{name: "clean", body: callBody, want: false},
		{name: "token in to", body: `{"sid":"` + testSID + `","to":"` + testToken + `"}`, want: true},
		{name: "basic value in direction", body: `{"direction":"Basic ` + basic + `"}`, want: true},
		{name: "base64 token", body: `{"to":"` + base64.StdEncoding.EncodeToString([]byte(testToken)) + `"}`, want: true},
		{name: "raw url base64 token", body: `{"to":"` + base64.RawURLEncoding.EncodeToString([]byte(testToken)) + `"}`, want: true},
		{name: "url-encoded token", body: `{"uri":"/x?t=` + url.QueryEscape(testToken) + `"}`, want: true},
		{name: "project id alone", body: `{"account_sid":"` + testProjectID + `"}`, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("GET "+callPath, serveJSON(http.StatusOK, tt.body))
			resp, err := client.GetCallRaw(t.Context(), testSID)
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Echoes(resp.Body); got != tt.want {
				t.Errorf("Echoes(body) = %t, want %t", got, tt.want)
			}
		})
	}
}

// TestBodyCaps checks each operation's cap: a call body over 64 KiB and a
// List Calls page over its size-dependent cap are refused; at the cap they pass.
func TestBodyCaps(t *testing.T) {
	t.Parallel()
	pad := func(n int) string { // a JSON object of exactly n bytes
		return `{"sid":"` + testSID + `","x":"` + strings.Repeat("a", n-len(`{"sid":"`+testSID+`","x":""}`)) + `"}`
	}
	page := func(n int) string {
		const head, tail = `{"calls":[],"x":"`, `"}`
		return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
	}
	tests := []struct {
		name    string
		path    string
		body    string
		list    int // page size; 0 for a call
		wantErr bool
	}{
		{name: "call at the cap", path: callPath, body: pad(defaultMaxBodySize)},
		{name: "call over the cap", path: callPath, body: pad(defaultMaxBodySize + 1), wantErr: true},
		{name: "page of 10 at its cap", path: listPath, list: 10, body: page(defaultMaxBodySize + 10*pageBodyPerCall)},
		{name: "page of 10 over its cap", path: listPath, list: 10, body: page(defaultMaxBodySize + 10*pageBodyPerCall + 1), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("GET "+tt.path, serveJSON(http.StatusOK, tt.body))
			var err error
			if tt.list > 0 {
				_, err = client.ListCalls(t.Context(), CallsQuery{PageSize: tt.list})
			} else {
				_, err = client.GetCallRaw(t.Context(), testSID)
			}
			var tooLarge *BodyTooLargeError
			if got := errors.As(err, &tooLarge); got != tt.wantErr {
				t.Fatalf("error = %v; want BodyTooLargeError: %t", err, tt.wantErr)
			}
		})
	}
}

// TestHeaderCap checks that a huge header block is refused, not read.
func TestHeaderCap(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("GET "+callPath, func(w http.ResponseWriter, r *http.Request) {
		for i := range 64 {
			w.Header().Set("X-Pad-"+strings.Repeat("p", 4)+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("x", 1024))
		}
		serveJSON(http.StatusOK, callBody)(w, r)
	})
	resp, err := client.GetCallRaw(t.Context(), testSID)
	if !errors.Is(err, voice.ErrUpstream) || resp != nil {
		t.Fatalf("GetCallRaw = %v, %v; want ErrUpstream for a 64 KiB header block", resp, err)
	}
}
