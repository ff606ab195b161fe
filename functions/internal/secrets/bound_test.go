package secrets

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// faults are the Secrets Manager answers a bounded Source must survive.
var faults = []struct {
	name   string
	fault  secretsserver.Fault
	reason Reason
	outage bool // the last good value may stand in
}{
	{"throttled", secretsserver.Throttled, Throttled, true},
	{"internal error", secretsserver.InternalError, Unavailable, true},
	{"access denied", secretsserver.AccessDenied, AccessDenied, false},
	{"not found", secretsserver.NotFound, NotFound, false},
}

// TestRefreshBoundedWhileFailing checks that a forced fetch counts when it
// is attempted: 200 Refresh calls within one interval cost one
// GetSecretValue call whatever Secrets Manager answers, and the next
// interval one more.
func TestRefreshBoundedWhileFailing(t *testing.T) {
	t.Parallel()
	for _, f := range faults {
		for _, warm := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s warm=%v", f.name, warm), func(t *testing.T) {
				t.Parallel()
				src, srv, clock := setup(t, time.Hour, nil)
				srv.Put(testSecretID, "v1")
				if warm {
					mustValue(t, src, testSecretID)
				}
				srv.SetFault(testSecretID, f.fault)
				before := srv.Requests()
				for i := range 200 {
					v, err := src.Refresh(t.Context(), testSecretID)
					if warm && i > 0 && (err != nil || v != "v1") {
						t.Fatalf("Refresh %d = %q, %v; want the cached v1", i, v, err)
					}
					if !warm {
						var e *Error
						if !errors.As(err, &e) || e.Reason != f.reason {
							t.Fatalf("Refresh %d error = %v, want *Error %q", i, err, f.reason)
						}
					}
				}
				if n := srv.Requests() - before; n != 1 {
					t.Errorf("%d GetSecretValue calls for 200 Refresh calls within the interval, want 1", n)
				}
				clock.Add(DefaultRefreshInterval)
				before = srv.Requests()
				for range 50 {
					_, _ = src.Refresh(t.Context(), testSecretID)
				}
				if n := srv.Requests() - before; n != 1 {
					t.Errorf("%d GetSecretValue calls in the next interval, want 1", n)
				}
			})
		}
	}
}

// TestValueBoundedWhileFailing has the TTL expire during an outage: reads
// keep coming, and GetSecretValue is called once per backoff (1 s doubling
// to MaxRetryBackoff), not once per read. The last good value serves
// while the outage lasts within the stale TTL, and only for an outage.
func TestValueBoundedWhileFailing(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			src, srv, clock := setup(t, ttl, nil)
			srv.Put(testSecretID, "v1")
			mustValue(t, src, testSecretID)
			clock.Add(ttl)
			srv.SetFault(testSecretID, f.fault)

			before := srv.Requests()
			for i := range 300 {
				v, err := src.Value(t.Context(), testSecretID)
				if f.outage && (err != nil || v != "v1") {
					t.Fatalf("read %d = %q, %v; want the last good v1", i, v, err)
				}
				var e *Error
				if !f.outage && (!errors.As(err, &e) || e.Reason != f.reason) {
					t.Fatalf("read %d error = %v; want *Error %q", i, err, f.reason)
				}
			}
			if n := srv.Requests() - before; n != 1 {
				t.Errorf("%d GetSecretValue calls for 300 reads at once, want 1", n)
			}

			// Ten minutes of a read every 100 ms: 1+2+4+8+16 s, then every
			// 30 s, so at most 5 + 600/30 calls (and at least 600/30).
			before = srv.Requests()
			for range 6000 {
				clock.Add(100 * time.Millisecond)
				_, _ = src.Value(t.Context(), testSecretID)
			}
			if n := srv.Requests() - before; n > 25 || n < 20 {
				t.Errorf("%d GetSecretValue calls over ten minutes of reads, want 20 to 25", n)
			}
			wantStale := int64(0)
			if f.outage {
				wantStale = 6300
			}
			if got := src.StaleServes(); got != wantStale {
				t.Errorf("StaleServes = %d, want %d", got, wantStale)
			}
		})
	}
}

// TestStaleTTL checks where stale serving ends: at the TTL plus the stale
// TTL after the last good fetch, then the error is an *Error matching
// ErrUnavailable that says when the next fetch will be.
func TestStaleTTL(t *testing.T) {
	t.Parallel()
	const ttl, staleTTL = time.Minute, 10 * time.Minute
	tests := []struct {
		name      string
		advance   time.Duration
		wantValue bool
	}{
		{"just expired", ttl, true},
		{"last stale moment", ttl + staleTTL - time.Nanosecond, true},
		{"stale ttl over", ttl + staleTTL, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, srv, clock := setup(t, ttl, nil)
			var ages []time.Duration
			WithStaleTTL(staleTTL)(src)
			WithStaleHook(func(id string, age time.Duration) {
				if id == testSecretID {
					ages = append(ages, age)
				}
			})(src)
			srv.Put(testSecretID, "v1")
			mustValue(t, src, testSecretID)
			clock.Add(tt.advance)
			srv.SetFault(testSecretID, secretsserver.Throttled)

			v, err := src.Value(t.Context(), testSecretID)
			if tt.wantValue {
				if err != nil || v != "v1" {
					t.Fatalf("Value = %q, %v; want the stale v1", v, err)
				}
				if diff := cmp.Diff([]time.Duration{tt.advance}, ages); diff != "" {
					t.Errorf("stale hook ages (-want +got):\n%s", diff)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrUnavailable) || e.Reason != Throttled || e.RetryAfter <= 0 {
				t.Fatalf("Value error = %#v; want *Error Throttled matching ErrUnavailable with RetryAfter", err)
			}
			if len(ages) != 0 || src.StaleServes() != 0 {
				t.Errorf("stale serves counted past the stale TTL: hook %v, StaleServes %d", ages, src.StaleServes())
			}
		})
	}
}

// TestColdStartDuringOutage: with no good value at all, every read fails
// with a recognisable *Error, and the reads cost one call per backoff.
func TestColdStartDuringOutage(t *testing.T) {
	t.Parallel()
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			src, srv, clock := setup(t, time.Minute, nil)
			srv.Put(testSecretID, "v1")
			srv.SetFault(testSecretID, f.fault)
			for i := range 300 {
				_, err := src.Value(t.Context(), testSecretID)
				var e *Error
				if !errors.As(err, &e) || e.Reason != f.reason || e.SecretID != testSecretID {
					t.Fatalf("read %d error = %v; want *Error %q", i, err, f.reason)
				}
				if got := errors.Is(err, ErrUnavailable); got != f.outage {
					t.Errorf("read %d: errors.Is(err, ErrUnavailable) = %v, want %v", i, got, f.outage)
				}
				if e.RetryAfter <= 0 || e.RetryAfter > minRetryBackoff {
					t.Errorf("read %d: RetryAfter = %v, want within the first backoff %v", i, e.RetryAfter, minRetryBackoff)
				}
			}
			if n := srv.Requests(); n != 1 {
				t.Errorf("%d GetSecretValue calls for 300 reads of an unreadable secret, want 1", n)
			}
			srv.SetFault(testSecretID, secretsserver.None)
			clock.Add(minRetryBackoff)
			if got := mustValue(t, src, testSecretID); got != "v1" || srv.Requests() != 2 {
				t.Errorf("after the backoff: %q with %d calls, want v1 with 2", got, srv.Requests())
			}
		})
	}
}

// TestBackoffSharedByRefreshAndValue: a failed forced fetch holds back the
// reads too, and a failed read holds back a forced fetch within its interval.
func TestBackoffSharedByRefreshAndValue(t *testing.T) {
	t.Parallel()
	src, srv, _ := setup(t, time.Minute, nil)
	srv.Put(testSecretID, "v1")
	srv.SetFault(testSecretID, secretsserver.Throttled)
	if _, err := src.Refresh(t.Context(), testSecretID); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Refresh error = %v, want ErrUnavailable", err)
	}
	for range 100 {
		_, _ = src.Value(t.Context(), testSecretID)
		_, _ = src.Refresh(t.Context(), testSecretID)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d GetSecretValue calls, want 1", n)
	}
}

// TestZeroTTLRaised checks that no TTL makes every read a call.
func TestZeroTTLRaised(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{0, -time.Second, time.Nanosecond} {
		t.Run(ttl.String(), func(t *testing.T) {
			t.Parallel()
			srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			srv.Put(testSecretID, "v1")
			src := NewSource(newClient(ts.URL, testAccessKeyID), ttl)
			for range 100 {
				mustValue(t, src, testSecretID)
			}
			// 100 reads take well under MinTTL (one second).
			if n := srv.Requests(); n > 2 {
				t.Errorf("ttl %v: %d GetSecretValue calls for 100 reads, want 1", ttl, n)
			}
		})
	}
}

// TestRefreshBoundedConcurrently has many callers force a refresh at once
// while Secrets Manager throttles: one call among them all.
func TestRefreshBoundedConcurrently(t *testing.T) {
	t.Parallel()
	src, srv, _ := setup(t, time.Hour, nil)
	srv.Put(testSecretID, "v1")
	mustValue(t, src, testSecretID)
	srv.SetFault(testSecretID, secretsserver.Throttled)
	before := srv.Requests()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			<-start
			for range 4 {
				_, _ = src.Refresh(t.Context(), testSecretID)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := srv.Requests() - before; n != 1 {
		t.Errorf("%d GetSecretValue calls for 256 concurrent Refresh calls, want 1", n)
	}
}
