package secrets

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit/testclock"
)

const (
	testSecretID        = "callwire/signalwire"
	testAccessKeyID     = "AKIDEXAMPLE"
	testSecretAccessKey = "test-secret-access-key"
)

// newClient returns a real SDK client for url signing with accessKeyID,
// making a single attempt so fault tests neither retry nor back off.
func newClient(url, accessKeyID string) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, testSecretAccessKey, ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	})
}

// setup returns a Source with a fake clock that reads from a secretsserver
// accepting only the test access key. wrap, if not nil, wraps the server's handler.
func setup(t *testing.T, ttl time.Duration, wrap func(http.Handler) http.Handler) (*Source, *secretsserver.Server, *testclock.Clock) {
	t.Helper()
	srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	clock := testclock.New(time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC))
	src := NewSource(newClient(ts.URL, testAccessKeyID), ttl, WithClock(clock.Now))
	return src, srv, clock
}

func mustValue(t *testing.T, src *Source, id string) string {
	t.Helper()
	v, err := src.Value(t.Context(), id)
	if err != nil {
		t.Fatalf("Value(%q): %v", id, err)
	}
	return v
}

func TestValueCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		ttl          time.Duration
		advance      time.Duration
		wantValue    string
		wantRequests int64
	}{
		{"warm hit", time.Minute, 0, "v1", 1},
		{"just before expiry", time.Minute, time.Minute - time.Nanosecond, "v1", 1},
		{"expired", time.Minute, time.Minute, "v2", 2},
		{"zero ttl is MinTTL", 0, MinTTL - time.Nanosecond, "v1", 1},
		{"zero ttl expires after MinTTL", 0, MinTTL, "v2", 2},
		{"negative ttl is MinTTL", -time.Second, 0, "v1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, srv, clock := setup(t, tt.ttl, nil)
			srv.Put(testSecretID, "v1")

			if got := mustValue(t, src, testSecretID); got != "v1" {
				t.Fatalf("first Value = %q, want v1", got)
			}
			srv.Put(testSecretID, "v2")
			clock.Add(tt.advance)
			got := mustValue(t, src, testSecretID)

			if diff := cmp.Diff([]any{tt.wantValue, tt.wantRequests, tt.wantRequests}, []any{got, srv.Requests(), src.Fetches()}); diff != "" {
				t.Errorf("value, server requests, Fetches mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		warm   bool // call Value before rotating
		rotate bool // Put a new value before Refresh
	}{
		{"unchanged", true, false},
		{"rotated", true, true},
		{"nothing cached", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, srv, _ := setup(t, time.Hour, nil)
			srv.Put(testSecretID, "v1")
			if tt.warm {
				mustValue(t, src, testSecretID)
			}
			want := "v1"
			if tt.rotate {
				srv.Put(testSecretID, "v2")
				want = "v2"
			}

			before := srv.Requests()
			value, err := src.Refresh(t.Context(), testSecretID)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if value != want || srv.Requests() != before+1 {
				t.Errorf("Refresh = %q after %d requests; want %q after one", value, srv.Requests()-before, want)
			}
			before = srv.Requests()
			if got := mustValue(t, src, testSecretID); got != want || srv.Requests() != before {
				t.Errorf("Value after Refresh = %q with %d new requests; want %q from cache", got, srv.Requests()-before, want)
			}
		})
	}
}

// TestRefreshBounded checks that forced fetches are rate limited per secret:
// a refusal that persists costs one Secrets Manager call per interval.
func TestRefreshBounded(t *testing.T) {
	t.Parallel()
	src, srv, clock := setup(t, time.Hour, nil)
	srv.Put(testSecretID, "v1")
	mustValue(t, src, testSecretID)
	for i := range 5 {
		if v, err := src.Refresh(t.Context(), testSecretID); err != nil || v != "v1" {
			t.Fatalf("Refresh %d = %q, %v", i, v, err)
		}
	}
	if n := srv.Requests(); n != 2 {
		t.Errorf("%d requests for one Value and five Refresh calls within the interval, want 2", n)
	}
	srv.Put(testSecretID, "v2")
	clock.Add(DefaultRefreshInterval)
	if v, err := src.Refresh(t.Context(), testSecretID); err != nil || v != "v2" {
		t.Fatalf("Refresh after the interval = %q, %v; want v2", v, err)
	}
	if n := srv.Requests(); n != 3 {
		t.Errorf("%d requests after the interval, want 3", n)
	}
}

// TestValueBursts starts bursts of concurrent reads of a cold cache, with no
// delay to make them overlap: a caller that found the cache empty just before
// another caller's fetch ended must not fetch again.
func TestValueBursts(t *testing.T) {
	t.Parallel()
	const bursts, callers = 300, 16
	srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	srv.Put(testSecretID, "v1")
	api := newClient(ts.URL, testAccessKeyID)
	extra := 0
	for range bursts {
		src := NewSource(api, time.Minute)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				<-start
				if _, err := src.Value(t.Context(), testSecretID); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := src.Fetches(); n > 1 {
			extra++
		}
	}
	if extra > 0 {
		t.Errorf("%d of %d bursts fetched the secret more than once", extra, bursts)
	}
}

func TestValueConcurrentColdCache(t *testing.T) {
	t.Parallel()
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(50 * time.Millisecond) // let the callers pile up on one fetch
			h.ServeHTTP(w, r)
		})
	}
	src, srv, _ := setup(t, time.Minute, slow)
	srv.Put(testSecretID, "v1")

	const callers = 32
	values := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { values[i], errs[i] = src.Value(t.Context(), testSecretID) })
	}
	wg.Wait()

	for i := range callers {
		if errs[i] != nil || values[i] != "v1" {
			t.Errorf("caller %d: Value = %q, %v", i, values[i], errs[i])
		}
	}
	if srv.Requests() != 1 || src.Fetches() != 1 {
		t.Errorf("server requests = %d, Fetches = %d; want 1, 1", srv.Requests(), src.Fetches())
	}
}

func TestValueCancelledCallerDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	gate := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
			h.ServeHTTP(w, r)
		})
	}
	src, srv, _ := setup(t, time.Minute, gate)
	srv.Put(testSecretID, "v1")

	ctx, cancel := context.WithCancel(t.Context())
	firstErr := make(chan error, 1)
	go func() {
		_, err := src.Value(ctx, testSecretID)
		firstErr <- err
	}()
	<-arrived
	cancel()
	err := <-firstErr
	var secErr *Error
	if !errors.As(err, &secErr) || secErr.Reason != Unavailable || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: err = %v; want *Error Unavailable wrapping context.Canceled", err)
	}

	type result struct {
		value string
		err   error
	}
	second := make(chan result, 1)
	go func() {
		v, err := src.Value(t.Context(), testSecretID)
		second <- result{v, err}
	}()
	close(release)
	if got := <-second; got.value != "v1" || got.err != nil {
		t.Errorf("second caller: Value = %q, %v; want v1", got.value, got.err)
	}
	if srv.Requests() != 1 {
		t.Errorf("server requests = %d, want 1 (the cancelled caller's fetch is shared)", srv.Requests())
	}
}

func TestValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prepare    func(*secretsserver.Server)
		accessKey  string
		wantReason Reason
	}{
		{"not found", func(*secretsserver.Server) {}, testAccessKeyID, NotFound},
		{"access denied", func(s *secretsserver.Server) { s.SetFault(testSecretID, secretsserver.AccessDenied) }, testAccessKeyID, AccessDenied},
		{"throttled", func(s *secretsserver.Server) { s.SetFault(testSecretID, secretsserver.Throttled) }, testAccessKeyID, Throttled},
		{"internal error", func(s *secretsserver.Server) { s.SetFault(testSecretID, secretsserver.InternalError) }, testAccessKeyID, Unavailable},
		{"binary only", func(s *secretsserver.Server) { s.PutBinary(testSecretID, []byte("PTleak-binary")) }, testAccessKeyID, NoString},
		{"empty string", func(s *secretsserver.Server) { s.Put(testSecretID, "") }, testAccessKeyID, NoString},
		{"unknown access key", func(s *secretsserver.Server) { s.Put(testSecretID, "v1") }, "AKIDOTHER", AccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			tt.prepare(srv)
			src := NewSource(newClient(ts.URL, tt.accessKey), time.Hour)
			clock := testclock.New(time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC))
			src.now = clock.Now

			_, err := src.Value(t.Context(), testSecretID)
			var secErr *Error
			if !errors.As(err, &secErr) {
				t.Fatalf("Value error = %v, want *Error", err)
			}
			if secErr.SecretID != testSecretID || secErr.Reason != tt.wantReason {
				t.Errorf("got %q %q, want %q %q", secErr.SecretID, secErr.Reason, testSecretID, tt.wantReason)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, `secrets: secret "callwire/signalwire": `+string(tt.wantReason)) || strings.Contains(msg, "PTleak") {
				t.Errorf("Error() = %q; want the id and reason and no value", msg)
			}

			// A failure holds back the next fetch for the backoff only: once
			// the secret is readable, the first call after it fetches it.
			srv.SetFault(testSecretID, secretsserver.None)
			srv.Put(testSecretID, "v1")
			src.api = newClient(ts.URL, testAccessKeyID)
			if _, err := src.Value(t.Context(), testSecretID); !errors.As(err, &secErr) || secErr.RetryAfter <= 0 || src.Fetches() != 1 {
				t.Errorf("within the backoff: %v after %d fetches; want the last failure with RetryAfter and no new fetch", err, src.Fetches())
			}
			clock.Add(minRetryBackoff)
			if got := mustValue(t, src, testSecretID); got != "v1" || src.Fetches() != 2 {
				t.Errorf("after recovery: Value = %q with %d fetches, want v1 with 2", got, src.Fetches())
			}
		})
	}
}

func TestValueCancelledContext(t *testing.T) {
	t.Parallel()
	src, srv, _ := setup(t, time.Minute, nil)
	srv.Put(testSecretID, "v1")
	ctx, cancel := context.WithTimeout(t.Context(), -time.Second)
	defer cancel()

	_, err := src.Value(ctx, testSecretID)
	var secErr *Error
	if !errors.As(err, &secErr) || secErr.Reason != Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Value error = %v; want *Error Unavailable wrapping context.DeadlineExceeded", err)
	}
}

func TestValueUndecodableResponse(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{"Name":"callwire/signalwire","SecretString":PTleak-4f1c}`))
	}))
	t.Cleanup(ts.Close)
	src := NewSource(newClient(ts.URL, testAccessKeyID), time.Minute)

	_, err := src.Value(t.Context(), testSecretID)
	var secErr *Error
	if !errors.As(err, &secErr) || secErr.Reason != Unavailable {
		t.Fatalf("Value error = %v; want *Error Unavailable", err)
	}
	if msg := err.Error(); strings.Contains(msg, "PTleak") || strings.Contains(msg, "'P'") {
		t.Errorf("Error() = %q quotes the response body", msg)
	}
}
