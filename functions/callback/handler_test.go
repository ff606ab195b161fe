package callback

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/sqsserver"
	"github.com/callwire/callwire/functions/internal/webhook"
)

const sid = lambdatest.DemoCallSID

// event is a POST callback for sid in status, signed with key.
func event(status string, key string) events.LambdaFunctionURLRequest {
	return lambdatest.CallbackEvent(lambdatest.CallbackFields(sid, status, 4), key)
}

// resign signs e again (form scheme, POST body) for url with key.
func resign(e *events.LambdaFunctionURLRequest, url, key string) {
	fields, err := webhook.ParseForm([]byte(e.Body))
	if err != nil {
		panic(err)
	}
	e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(key, url, fields)
}

func modified(e events.LambdaFunctionURLRequest, f func(*events.LambdaFunctionURLRequest)) events.LambdaFunctionURLRequest {
	e.Headers = cloneMap(e.Headers)
	f(&e)
	return e
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func withFields(f func([]webhook.Field) []webhook.Field) events.LambdaFunctionURLRequest {
	return lambdatest.CallbackEvent(f(lambdatest.CallbackFields(sid, "completed", 4)), testKey)
}

func setField(fs []webhook.Field, name, value string) []webhook.Field {
	out := slices.Clone(fs)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = value
		}
	}
	return out
}

func dropField(fs []webhook.Field, name string) []webhook.Field {
	return slices.DeleteFunc(slices.Clone(fs), func(f webhook.Field) bool { return f.Name == name })
}

const demoURL = "https://" + lambdatest.DemoCallbackDomain + lambdatest.DemoCallbackPath

func seq(n int64) *int64 { return &n }

func TestHandle(t *testing.T) {
	t.Parallel()
	completedHint := pipeline.Hint{CallSID: sid, Status: "completed", Sequence: seq(4), Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback}
	jsonBody := `{"AccountSid":"` + lambdatest.DemoProjectID + `","CallSid":"` + sid + `","CallStatus":"busy","SequenceNumber":2}`
	sum := sha256.Sum256([]byte(jsonBody))
	tests := []struct {
		name       string
		secret     string
		opts       []option
		event      events.LambdaFunctionURLRequest
		wantStatus int
		wantType   string          // error type of the body; "" for 204
		wantQueued []pipeline.Hint // nil: nothing queued
		wantMetric map[string]float64
		wantRule   string // a finding rule the log line must name
	}{
		{
			name: "completed is queued", event: event("completed", testKey),
			wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			wantMetric: map[string]float64{emf.CallbacksQueued: 1, emf.CallbacksFailed: 0},
		},
		{
			name: "ringing is answered and not queued", event: event("ringing", testKey),
			wantStatus: http.StatusNoContent, wantMetric: map[string]float64{emf.CallbacksIgnored: 1},
			wantRule: contract.RuleRequired, // no media statistics before the end
		},
		{
			name: "FETCH_ON takes ringing", event: event("ringing", testKey), opts: []option{withFetchOn("ringing")},
			wantStatus: http.StatusNoContent,
			wantQueued: []pipeline.Hint{{CallSID: sid, Status: "ringing", Sequence: seq(4), Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback}},
		},
		{
			name: "X-Twilio-Signature", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Headers[webhook.HeaderTwilio] = e.Headers[webhook.HeaderSignalWire]
				delete(e.Headers, webhook.HeaderSignalWire)
			}),
		},
		{
			name: "header names in another case", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Headers["X-SignalWire-Signature"] = e.Headers[webhook.HeaderSignalWire]
				delete(e.Headers, webhook.HeaderSignalWire)
			}),
		},
		{
			name: "base64 body", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(e.Body)), true
			}),
		},
		{
			name: "previous key during a reset", secret: secretJSON(testKey, testPrevKey), event: event("completed", testPrevKey),
			wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
		},
		{
			name: "signed with :443", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				resign(e, "https://"+lambdatest.DemoCallbackDomain+":443"+lambdatest.DemoCallbackPath, testKey)
			}),
		},
		{
			name: "query string is part of the signed URL", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			wantRule: "",
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.RawQueryString = "tenant=a%2Fb&x=1"
				resign(e, demoURL+"?tenant=a%2Fb&x=1", testKey)
			}),
		},
		{
			name: "GET with the parameters in the query string", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.RequestContext.HTTP.Method = http.MethodGet
				e.RawQueryString, e.Body = e.Body, ""
				e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
			}),
		},
		{
			name: "bare domain signed without the slash", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.RawPath = "/"
				resign(e, "https://"+lambdatest.DemoCallbackDomain, testKey)
			}),
		},
		{
			name: "CALLBACK_PUBLIC_URL", opts: []option{withPublicURL("https://hooks.example.com/signalwire/status")},
			wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.RawQueryString = "t=1"
				resign(e, "https://hooks.example.com/signalwire/status?t=1", testKey)
			}),
		},
		{
			name: "CALLBACK_PUBLIC_URL set: the Function URL's own is refused", opts: []option{withPublicURL("https://hooks.example.com/signalwire/status")},
			event: event("completed", testKey), wantStatus: http.StatusForbidden, wantType: resultForbidden,
			wantMetric: map[string]float64{emf.CallbackSignatureFailures: 1},
		},
		{
			name: "JSON body, raw-body scheme", wantStatus: http.StatusNoContent,
			wantQueued: []pipeline.Hint{{CallSID: sid, Status: "busy", Sequence: seq(2), Source: pipeline.SourceCallback}},
			wantRule:   contract.RuleContentType,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body = jsonBody
				e.Headers["content-type"] = "application/json; charset=utf-8"
				e.Headers[webhook.HeaderSignalWire] = webhook.SignRawBody(testKey, demoURL, []byte(jsonBody))
			}),
		},
		{
			name: "JSON body, bodySHA256", wantStatus: http.StatusNoContent,
			wantQueued: []pipeline.Hint{{CallSID: sid, Status: "busy", Sequence: seq(2), Source: pipeline.SourceCallback}},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body = jsonBody
				e.RawQueryString = "bodySHA256=" + hex.EncodeToString(sum[:])
				e.Headers["content-type"] = "application/json"
				e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
			}),
		},
		{
			name: "wrong key", event: event("completed", "PSKsomebody-else"), wantStatus: http.StatusForbidden, wantType: resultForbidden,
			wantMetric: map[string]float64{emf.CallbackSignatureFailures: 1, emf.CallbacksQueued: 0},
		},
		{
			name: "no signature", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { delete(e.Headers, webhook.HeaderSignalWire) }),
		},
		{
			name: "garbage signature", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.Headers[webhook.HeaderSignalWire] = "<script>" }),
		},
		{
			name: "body changed after signing", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body = strings.Replace(e.Body, "CallStatus=completed", "CallStatus=busy", 1)
			}),
		},
		{
			name: "another path", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.RawPath = "/other" }),
		},
		{
			name: "another domain", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.RequestContext.DomainName = "evil.example" }),
		},
		{
			name: "query string added", wantStatus: http.StatusForbidden, wantType: resultForbidden,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.RawQueryString = "x=1" }),
		},
		{
			name: "PUT", wantStatus: http.StatusMethodNotAllowed, wantType: resultMethodNotAllowed,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.RequestContext.HTTP.Method = http.MethodPut }),
		},
		{
			name: "body over 64 KiB", wantStatus: http.StatusRequestEntityTooLarge, wantType: resultTooLarge,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) { e.Body += "&Pad=" + strings.Repeat("x", webhook.MaxBody) }),
		},
		{
			name: "base64 body over 64 KiB", wantStatus: http.StatusRequestEntityTooLarge, wantType: resultTooLarge,
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(e.Body+"&Pad="+strings.Repeat("x", webhook.MaxBody))), true
			}),
		},
		{
			name: "no CallSid", wantStatus: http.StatusBadRequest, wantType: resultInvalidCallback, wantRule: contract.RuleRequired,
			event: withFields(func(fs []webhook.Field) []webhook.Field { return dropField(fs, "CallSid") }),
		},
		{
			name: "CallSid not a UUID", wantStatus: http.StatusBadRequest, wantType: resultInvalidCallback, wantRule: contract.RuleFormat,
			event:      withFields(func(fs []webhook.Field) []webhook.Field { return setField(fs, "CallSid", "CA1234567890ABCDE") }),
			wantMetric: map[string]float64{emf.CallbackContractFindings: 1},
		},
		{
			name: "no CallStatus", wantStatus: http.StatusBadRequest, wantType: resultInvalidCallback,
			event: withFields(func(fs []webhook.Field) []webhook.Field { return dropField(fs, "CallStatus") }),
		},
		{
			name: "signed JSON body that does not parse", wantStatus: http.StatusBadRequest, wantType: resultMalformedBody, wantRule: "body.invalid-form",
			wantMetric: map[string]float64{emf.CallbackContractFindings: 1, emf.CallbacksRejected: 1},
			event: modified(event("completed", testKey), func(e *events.LambdaFunctionURLRequest) {
				e.Body = `{"CallSid":"` + sid + `","CallStatus":{}}`
				e.Headers["content-type"] = "application/json"
				e.Headers[webhook.HeaderSignalWire] = webhook.SignRawBody(testKey, demoURL, []byte(e.Body))
			}),
		},
		{
			name: "wrong type of a hint field is refused", wantStatus: http.StatusBadRequest, wantType: resultInvalidCallback, wantRule: contract.RuleType,
			wantMetric: map[string]float64{emf.CallbackContractFindings: 1, emf.CallbacksQueued: 0, emf.CallbacksRejected: 1},
			event:      withFields(func(fs []webhook.Field) []webhook.Field { return setField(fs, "SequenceNumber", "four") }),
		},
		{
			name: "wrong type of another field is an error finding, still queued", wantStatus: http.StatusNoContent, wantRule: contract.RuleType,
			wantQueued: []pipeline.Hint{completedHint},
			wantMetric: map[string]float64{emf.CallbackContractFindings: 1, emf.CallbacksQueued: 1},
			event:      withFields(func(fs []webhook.Field) []webhook.Field { return setField(fs, "AudioInMediaPacketCount", "many") }),
		},
		{
			name: "upper-case SID is queued lower-case", wantStatus: http.StatusNoContent, wantQueued: []pipeline.Hint{completedHint},
			event: withFields(func(fs []webhook.Field) []webhook.Field { return setField(fs, "CallSid", strings.ToUpper(sid)) }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret := tt.secret
			if secret == "" {
				secret = secretJSON(testKey, "")
			}
			env := setup(t, secret, tt.opts...)
			resp := env.invoke(t, tt.event)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantType == "" {
				if resp.Body != "" {
					t.Errorf("body %q, want none", resp.Body)
				}
			} else {
				var body struct {
					Error struct{ Type, Message string } `json:"error"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Type != tt.wantType {
					t.Errorf("body %s, want error type %s", resp.Body, tt.wantType)
				}
				if tt.wantStatus == http.StatusForbidden && resp.Body != `{"error":{"message":"forbidden","type":"Forbidden"}}` {
					t.Errorf("403 body %s says more than forbidden", resp.Body)
				}
			}
			if diff := cmp.Diff(tt.wantQueued, env.queued(t)); diff != "" {
				t.Errorf("queued (-want +got):\n%s", diff)
			}
			sums := env.metricSums(t)
			if sums[emf.CallbacksReceived] != 1 {
				t.Errorf("CallbacksReceived = %v, want 1", sums[emf.CallbacksReceived])
			}
			for name, want := range tt.wantMetric {
				if sums[name] != want {
					t.Errorf("%s = %v, want %v", name, sums[name], want)
				}
			}
			lines := env.logLines(t)
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), env.logs.String())
			}
			if got := lines[0]["status"]; got != float64(tt.wantStatus) {
				t.Errorf("logged status %v", got)
			}
			if tt.wantRule != "" && !strings.Contains(env.logs.String(), `"rule":"`+tt.wantRule+`"`) {
				t.Errorf("log line does not name a %s finding: %s", tt.wantRule, env.logs.String())
			}
			for _, leak := range []string{"+15550100001", "+15550100002", "Mon, 02 Mar"} {
				if strings.Contains(env.logs.String(), leak) {
					t.Errorf("log line carries a callback value %q", leak)
				}
			}
			assertNoSecrets(t, "logs", env.logs.String())
			assertNoSecrets(t, "metrics", env.metrics.String())
			assertNoSecrets(t, "response", resp.Body)
			for _, m := range env.sq.Messages(testQueue) {
				assertNoSecrets(t, "queue message", m.Body)
			}
		})
	}
}

func TestSigningKeyMissing(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON("", testPrevKey))
	resp := env.invoke(t, event("completed", testPrevKey))
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(resp.Body, "signing") {
		t.Fatalf("answer %d %s, want 500 that says nothing of the cause", resp.StatusCode, resp.Body)
	}
	if q := env.queued(t); len(q) != 0 {
		t.Errorf("queued %v without a signing key", q)
	}
	if sums := env.metricSums(t); sums[emf.SigningKeyMissing] != 1 {
		t.Errorf("SigningKeyMissing = %v, want 1", sums[emf.SigningKeyMissing])
	}
	lines := env.logLines(t)
	if len(lines) != 1 || lines[0]["level"] != "ERROR" || !strings.Contains(lines[0]["error"].(string), "no signing_key") {
		t.Errorf("log = %v, want one ERROR line naming signing_key", lines)
	}
	assertNoSecrets(t, "logs", env.logs.String())

	// Once the key is added, the next forced refresh picks it up.
	env.sm.Put("callwire/test", secretJSON(testKey, ""))
	env.clock.Add(defaultRefreshInterval)
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Errorf("after adding signing_key: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestKeyReset: the key is reset while the function holds the old secret in
// its cache. The first callback signed with the new key forces a refresh and
// is accepted; bad signatures force at most one refresh per interval.
func TestKeyReset(t *testing.T) {
	t.Parallel()
	// The cache outlives the test's refresh intervals: only forced
	// refreshes read the secret again.
	env := setup(t, secretJSON(testPrevKey, ""), withCacheTTL(time.Hour))
	if resp := env.invoke(t, event("completed", testPrevKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("before the reset: %d", resp.StatusCode)
	}
	env.sm.Put("callwire/test", secretJSON(testKey, testPrevKey))
	env.clock.Add(defaultRefreshInterval)
	before := env.sm.Requests()
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("signed with the new key: %d %s", resp.StatusCode, resp.Body)
	}
	if got := env.sm.Requests() - before; got != 1 {
		t.Errorf("%d Secrets Manager requests for the new key, want 1 refresh", got)
	}
	if !strings.Contains(env.logs.String(), `"secret_refreshed":true`) {
		t.Error("the refresh is not logged")
	}
	if resp := env.invoke(t, event("completed", testPrevKey)); resp.StatusCode != http.StatusNoContent {
		t.Errorf("signed with the previous key after the reset: %d", resp.StatusCode)
	}

	// A flood of bad signatures within one interval: no refresh at all
	// (the last one was just now), then one after the interval.
	before = env.sm.Requests()
	for range 50 {
		if resp := env.invoke(t, event("completed", "PSKforged")); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("forged: %d", resp.StatusCode)
		}
	}
	if got := env.sm.Requests() - before; got != 0 {
		t.Errorf("%d Secrets Manager requests for 50 bad signatures within the interval, want 0", got)
	}
	env.clock.Add(defaultRefreshInterval)
	for range 50 {
		env.invoke(t, event("completed", "PSKforged"))
	}
	if got := env.sm.Requests() - before; got != 1 {
		t.Errorf("%d Secrets Manager requests for 50 more after the interval, want 1", got)
	}
	if sums := env.metricSums(t); sums[emf.CallbackSignatureFailures] != 100 {
		t.Errorf("CallbackSignatureFailures = %v, want 100", sums[emf.CallbackSignatureFailures])
	}
}

func TestRefreshOff(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testPrevKey, ""), withRefresh(0))
	env.invoke(t, event("completed", testPrevKey))
	env.sm.Put("callwire/test", secretJSON(testKey, testPrevKey))
	env.clock.Add(defaultRefreshInterval / 2) // within the cache TTL
	before := env.sm.Requests()
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("new key without refreshes, before the cache TTL: %d, want 403", resp.StatusCode)
	}
	if env.sm.Requests() != before {
		t.Error("a refresh happened with SIGNING_KEY_REFRESH_INTERVAL=0")
	}
}

// TestReplayAccepted: SignalWire retries a callback with the same body and
// signature; each copy is accepted and queued, and both hints carry what the
// consumer's event id is made of, so they collapse downstream.
func TestReplayAccepted(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	ev := event("completed", testKey)
	for i := range 3 {
		if resp := env.invoke(t, ev); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("copy %d: %d", i+1, resp.StatusCode)
		}
	}
	q := env.queued(t)
	if len(q) != 3 || !cmp.Equal(q[0], q[1]) || !cmp.Equal(q[1], q[2]) {
		t.Fatalf("queued %v, want 3 equal hints", q)
	}
	if pipeline.EventID(q[0].CallSID, "completed") != pipeline.EventID(q[2].CallSID, "completed") {
		t.Error("replays do not share an event id")
	}
}

// TestQueuedThroughTheSender checks that a verified callback reaches the
// queue through queue.Sender (SendMessageBatch, which retries the entries
// SQS refuses), the one SQS sender every function shares.
func TestQueuedThroughTheSender(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	if resp := env.invoke(t, event("completed", testKey)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("answer %d %s, want 204", resp.StatusCode, resp.Body)
	}
	if q := env.queued(t); len(q) != 1 {
		t.Fatalf("queued %v, want one hint", q)
	}
	if b, m := env.sq.Requests(sqsserver.OpSendMessageBatch), env.sq.Requests(sqsserver.OpSendMessage); b != 1 || m != 0 {
		t.Errorf("SendMessageBatch %d, SendMessage %d requests; want 1 and 0", b, m)
	}
}

func TestQueueUnavailable(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	env.sq.SetFault(testQueue, sqsserver.Unavailable)
	resp := env.invoke(t, event("completed", testKey))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] == "" {
		t.Fatalf("answer %d %v, want 503 with Retry-After so SignalWire may retry", resp.StatusCode, resp.Headers)
	}
	lines := env.logLines(t)
	if len(lines) != 1 || lines[0]["outcome"] != resultQueue || !strings.Contains(lines[0]["error"].(string), "ServiceUnavailable") {
		t.Errorf("log = %v", lines)
	}
	if sums := env.metricSums(t); sums[emf.CallbacksFailed] != 1 || sums[emf.CallbacksQueued] != 0 {
		t.Errorf("CallbacksFailed = %v, CallbacksQueued = %v; want 1, 0", sums[emf.CallbacksFailed], sums[emf.CallbacksQueued])
	}
	assertNoSecrets(t, "logs", env.logs.String())
}

func TestSecretUnavailable(t *testing.T) {
	t.Parallel()
	env := setup(t, "{}")
	resp := env.invoke(t, event("completed", testKey))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("malformed secret: %d", resp.StatusCode)
	}
	if lines := env.logLines(t); lines[0]["outcome"] != resultSecret {
		t.Errorf("log = %v", lines)
	}
	if sums := env.metricSums(t); sums[emf.CallbacksFailed] != 1 || sums[emf.SigningKeyMissing] != 0 {
		t.Errorf("CallbacksFailed = %v, SigningKeyMissing = %v; want 1, 0", sums[emf.CallbacksFailed], sums[emf.SigningKeyMissing])
	}
}

// TestAnyChangeIsRefused is the signature property through the real
// handler: starting from a valid callback, a random change to the domain,
// the path, the query string, the body's content, the signature header or
// the key is refused with 403 and queues nothing.
func TestAnyChangeIsRefused(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	other := setup(t, secretJSON("PSKanother-project-key", ""))
	r := rand.New(rand.NewPCG(7, 11))
	flip := func(s string) string {
		b := []byte(s)
		i := r.IntN(len(b))
		c := "abcdefghijklmnopqrstuvwxyz0123456789"[r.IntN(36)]
		if b[i] == c {
			c = '_'
		}
		b[i] = c
		return string(b)
	}
	base := event("completed", testKey)
	if resp := env.invoke(t, base); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the unchanged callback: %d", resp.StatusCode)
	}
	changes := map[string]func(*events.LambdaFunctionURLRequest){
		"domain": func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.DomainName = flip(e.RequestContext.DomainName)
		},
		"path":  func(e *events.LambdaFunctionURLRequest) { e.RawPath = "/" + flip(e.RawPath[1:]) },
		"query": func(e *events.LambdaFunctionURLRequest) { e.RawQueryString = "q=" + flip("value") },
		"body": func(e *events.LambdaFunctionURLRequest) {
			fields, _ := webhook.ParseForm([]byte(e.Body))
			i := r.IntN(len(fields))
			if fields[i].Value == "" {
				fields[i].Value = "x"
			} else {
				fields[i].Value = flip(fields[i].Value)
			}
			e.Body = webhook.EncodeForm(fields)
		},
		"header": func(e *events.LambdaFunctionURLRequest) {
			sig := e.Headers[webhook.HeaderSignalWire]
			for {
				changed := flip(sig[:27]) + "="
				mac, _ := base64.StdEncoding.Strict().DecodeString(changed)
				orig, _ := base64.StdEncoding.DecodeString(sig)
				if !slices.Equal(mac, orig) {
					e.Headers[webhook.HeaderSignalWire] = changed
					return
				}
			}
		},
	}
	for round := range 40 {
		for name, change := range changes {
			ev := modified(base, change)
			if resp := env.invoke(t, ev); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("round %d, %s changed: %d, want 403", round, name, resp.StatusCode)
			}
		}
		if resp := other.invoke(t, base); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("round %d, another key: %d, want 403", round, resp.StatusCode)
		}
	}
	if n := len(env.queued(t)); n != 1 {
		t.Errorf("%d hints queued, want only the unchanged callback's", n)
	}
	if n := len(other.queued(t)); n != 0 {
		t.Errorf("%d hints queued under another key", n)
	}
}
