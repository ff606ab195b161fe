package callback

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// manyFields are n undeclared fields added to a completed callback.
func manyFields(n int, name func(int) string) []webhook.Field {
	fs := lambdatest.CallbackFields(sid, "completed", 4)
	for i := range n {
		fs = append(fs, webhook.Field{Name: name(i), Value: "1"})
	}
	return fs
}

// TestBoundsBeforeWork: a request over a bound is refused before the
// secret is read, any HMAC is computed or anything is parsed, and its log
// line stays small.
func TestBoundsBeforeWork(t *testing.T) {
	t.Parallel()
	short := func(i int) string { return "X" + strconv.Itoa(i) }
	over := manyFields(webhook.MaxFields, short) // the callback's own fields on top
	tests := []struct {
		name   string
		event  events.LambdaFunctionURLRequest
		status int
	}{
		{"GET with a 9 KiB query", modified(getCallback(lambdatest.CallbackFields(sid, "completed", 4)), func(e *events.LambdaFunctionURLRequest) {
			e.RawQueryString += "&Pad=" + strings.Repeat("x", 9<<10)
		}), http.StatusRequestURITooLong},
		{"GET with a 4 MiB query", modified(getCallback(lambdatest.CallbackFields(sid, "completed", 4)), func(e *events.LambdaFunctionURLRequest) {
			e.RawQueryString += strings.Repeat("&a=1", 1<<20)
		}), http.StatusRequestURITooLong},
		{"POST with a 9 KiB path", modified(formCallback(lambdatest.CallbackFields(sid, "completed", 4)), func(e *events.LambdaFunctionURLRequest) {
			e.RawPath += "/" + strings.Repeat("p", 9<<10)
		}), http.StatusRequestURITooLong},
		{"form body over 64 KiB", modified(formCallback(lambdatest.CallbackFields(sid, "completed", 4)), func(e *events.LambdaFunctionURLRequest) {
			e.Body += "&Pad=" + strings.Repeat("x", webhook.MaxBody)
		}), http.StatusRequestEntityTooLarge},
		{"form body with more than 200 fields", formCallback(over), http.StatusRequestEntityTooLarge},
		{"GET with more than 200 fields", getCallback(over), http.StatusRequestEntityTooLarge},
		{"JSON body with more than 200 members", rawBodyCallback(webhook.EncodeJSON(over)), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, secretJSON(testKey, ""))
			resp := env.invoke(t, tt.event)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if n := env.sm.Requests(); n != 0 {
				t.Errorf("%d Secrets Manager requests before refusing", n)
			}
			if q := env.queued(t); len(q) != 0 {
				t.Errorf("queued %v", q)
			}
			if n := len(env.logs.String()); n > 2<<10 {
				t.Errorf("log line of %d bytes", n)
			}
		})
	}
	// 200 fields in all are accepted.
	env := setup(t, secretJSON(testKey, ""))
	fields := manyFields(webhook.MaxFields-len(lambdatest.CallbackFields(sid, "completed", 4)), short)
	if resp := env.invoke(t, formCallback(fields)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("200 fields: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestUndeclaredFindingsAggregated: a signed body of many undeclared names
// makes one finding for the object, which counts them all and lists a few.
func TestUndeclaredFindingsAggregated(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	long := func(i int) string { return strconv.Itoa(i) + strings.Repeat("N", 280) }
	n := webhook.MaxFields - len(lambdatest.CallbackFields(sid, "completed", 4))
	fields := manyFields(n, long)
	if resp := env.invoke(t, formCallback(fields)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
	}
	logs := env.logs.String()
	if n := strings.Count(logs, `"rule":"schema.undeclared"`); n != 1 {
		t.Errorf("%d undeclared findings, want 1", n)
	}
	if !strings.Contains(logs, " and "+strconv.Itoa(n-5)+" more") {
		t.Error("the finding does not count the names it leaves out")
	}
	if len(logs) > 4<<10 {
		t.Errorf("log line of %d bytes for a 56 KiB body", len(logs))
	}
}

// TestSecretsOutage: Secrets Manager fails after the cache expired. The
// secret source serves the last good keys: forged requests get 403, signed
// ones are queued, each stale serve is counted, and Secrets Manager is read
// at most once per backoff and forced at most once per refresh interval,
// whatever the traffic.
func TestSecretsOutage(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]secretsserver.Fault{"throttled": secretsserver.Throttled, "failing": secretsserver.InternalError} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, secretJSON(testKey, ""), withCacheTTL(secrets.MinTTL))
			if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("before the outage: %d", resp.StatusCode)
			}
			env.clock.Add(secrets.MinTTL) // the source's cache expires
			env.sm.SetFault(testkit.SecretID, fault)
			before := env.sm.Requests()
			for round := range 2 {
				for i := range 300 {
					if resp := env.invoke(t, event("completed", "PSKforged")); resp.StatusCode != http.StatusForbidden {
						t.Fatalf("round %d, forged %d: %d %s, want 403", round, i, resp.StatusCode, resp.Body)
					}
				}
				if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
					t.Fatalf("round %d, signed: %d %s, want 204", round, resp.StatusCode, resp.Body)
				}
				// One read of the secret and one forced refresh per round
				// at most: the clock moves a refresh interval between them.
				if got := env.sm.Requests() - before; got > int64(2*(round+1)) {
					t.Fatalf("round %d: %d Secrets Manager requests for 301 callbacks", round, got)
				}
				env.clock.Add(defaultRefreshInterval)
			}
			if n := len(env.queued(t)); n != 3 {
				t.Errorf("%d hints queued, want 3", n)
			}
			sums := env.metricSums(t)
			if sums[emf.SecretStaleServes] < 602 {
				t.Errorf("SecretStaleServes = %v, want one per read of the 602 callbacks during the outage", sums[emf.SecretStaleServes])
			}
			if sums[emf.CallbacksFailed] != 0 {
				t.Errorf("CallbacksFailed = %v, want 0", sums[emf.CallbacksFailed])
			}
			if !strings.Contains(env.logs.String(), `"secret_stale":true`) {
				t.Error("serving with the last good keys is not logged")
			}
			assertNoSecrets(t, "logs", env.logs.String())
		})
	}
}

// TestForgedFloodDuringOutage: after the cache TTL and during a Secrets
// Manager outage, 300 forged callbacks arrive one a second. Each is answered
// 403, never 500, and they cost a bounded handful of GetSecretValue calls:
// reads spaced by the source's backoff (1 s doubling to 30 s: 14 in 300 s)
// and forced refreshes at most one per refresh interval (5 in 300 s).
func TestForgedFloodDuringOutage(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""), withCacheTTL(time.Minute))
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("before the outage: %d", resp.StatusCode)
	}
	env.clock.Add(time.Minute)
	env.sm.SetFault(testkit.SecretID, secretsserver.Throttled)
	before := env.sm.Requests()
	for i := range 300 {
		if resp := env.invoke(t, event("completed", "PSKforged")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("forged %d: %d %s, want 403", i, resp.StatusCode, resp.Body)
		}
		env.clock.Add(time.Second)
	}
	const bound = 14 + 5
	if got := env.sm.Requests() - before; got > bound {
		t.Errorf("%d GetSecretValue calls for 300 forged callbacks over 300 s, want at most %d", got, bound)
	}
	if sums := env.metricSums(t); sums[emf.CallbackSignatureFailures] != 300 || sums[emf.CallbacksFailed] != 0 {
		t.Errorf("CallbackSignatureFailures %v, CallbacksFailed %v; want 300, 0", sums[emf.CallbackSignatureFailures], sums[emf.CallbacksFailed])
	}

	// Past the stale TTL there are no keys to check a signature with: 503
	// with the source's Retry-After, still never 500 and still bounded.
	env.clock.Add(boot.DefaultStaleTTL)
	before = env.sm.Requests()
	for i := range 100 {
		resp := env.invoke(t, event("completed", "PSKforged"))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("past the stale TTL, forged %d: %d %s, want 503", i, resp.StatusCode, resp.Body)
		}
		if n, err := strconv.Atoi(resp.Headers["Retry-After"]); err != nil || n < 1 || n > int(secrets.MaxRetryBackoff/time.Second) {
			t.Fatalf("past the stale TTL: Retry-After %q", resp.Headers["Retry-After"])
		}
	}
	if got := env.sm.Requests() - before; got != 1 {
		t.Errorf("%d GetSecretValue calls for 100 callbacks within one backoff, want 1", got)
	}
}

// TestColdStartOutage: with no keys at all, every request, signed or
// forged, is answered 503 (never 500) with the Retry-After of the source's
// backoff, and Secrets Manager is asked once per backoff: 1 s doubling to
// 30 s.
func TestColdStartOutage(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	env.sm.SetFault(testkit.SecretID, secretsserver.Throttled)
	answered := 0
	for period, backoff := range []int{1, 2, 4, 8, 16, 30, 30} {
		for i := range 50 {
			key := testKey
			if i%2 == 1 {
				key = "PSKforged"
			}
			resp := env.invoke(t, event("completed", key))
			answered++
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("period %d, request %d: %d %s, want 503", period, i, resp.StatusCode, resp.Body)
			}
			if got := resp.Headers["Retry-After"]; got != strconv.Itoa(backoff) {
				t.Fatalf("period %d, request %d: Retry-After %q, want %d", period, i, got, backoff)
			}
		}
		if got := env.sm.Requests(); got != int64(period+1) {
			t.Fatalf("period %d: %d Secrets Manager requests, want one per backoff (%d)", period, got, period+1)
		}
		// Half the backoff on: the answer counts down to the next call.
		env.clock.Add(time.Duration(backoff) * time.Second / 2)
		if resp := env.invoke(t, event("completed", testKey)); resp.Headers["Retry-After"] != strconv.Itoa((backoff+1)/2) {
			t.Fatalf("period %d, half-way: %d Retry-After %q, want %d", period, resp.StatusCode, resp.Headers["Retry-After"], (backoff+1)/2)
		}
		answered++
		env.clock.Add(time.Duration(backoff) * time.Second / 2)
	}
	env.sm.SetFault(testkit.SecretID, secretsserver.None)
	env.clock.Add(secrets.MaxRetryBackoff)
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the outage: %d %s", resp.StatusCode, resp.Body)
	}
	if sums := env.metricSums(t); sums[emf.CallbacksFailed] != float64(answered) {
		t.Errorf("CallbacksFailed = %v, want %d", sums[emf.CallbacksFailed], answered)
	}
}
