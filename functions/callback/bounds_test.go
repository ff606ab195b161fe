package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/lambdatest"
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
		{"JSON body with more than 200 members", rawBodyCallback(jsonOf(over)), http.StatusRequestEntityTooLarge},
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
// last good keys keep serving: forged requests get 403, signed ones are
// queued, and Secrets Manager is asked at most once per retry period and
// refreshed at most once per refresh interval, whatever the traffic.
func TestSecretsOutage(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]secretsserver.Fault{"throttled": secretsserver.Throttled, "failing": secretsserver.InternalError} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, secretJSON(testKey, ""), withCacheTTL(time.Millisecond))
			if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("before the outage: %d", resp.StatusCode)
			}
			time.Sleep(5 * time.Millisecond) // the source's cache expires
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
			if !strings.Contains(env.logs.String(), `"secret_stale":true`) {
				t.Error("serving with the last good keys is not logged")
			}
			assertNoSecrets(t, "logs", env.logs.String())
		})
	}
}

// TestColdStartOutage: with no keys at all, every request is answered 503
// with Retry-After (never 500), and Secrets Manager is asked at most once
// per retry period.
func TestColdStartOutage(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	env.sm.SetFault(testkit.SecretID, secretsserver.Throttled)
	for i := range 300 {
		key := testKey
		if i%2 == 1 {
			key = "PSKforged"
		}
		resp := env.invoke(t, event("completed", key))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] == "" {
			t.Fatalf("request %d: %d %v, want 503 with Retry-After", i, resp.StatusCode, resp.Headers)
		}
		if n, err := strconv.Atoi(resp.Headers["Retry-After"]); err != nil || n < 1 || n > int(secretRetryAfter/time.Second) {
			t.Fatalf("Retry-After %q", resp.Headers["Retry-After"])
		}
	}
	if got := env.sm.Requests(); got != 1 {
		t.Errorf("%d Secrets Manager requests for 300 callbacks within the retry period, want 1", got)
	}
	env.sm.SetFault(testkit.SecretID, secretsserver.None)
	env.clock.Add(secretRetryAfter)
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the outage: %d %s", resp.StatusCode, resp.Body)
	}
	if sums := env.metricSums(t); sums[emf.CallbacksFailed] != 300 {
		t.Errorf("CallbacksFailed = %v, want 300", sums[emf.CallbacksFailed])
	}
}
