package getcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/callv1"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// invoke runs payload through the Lambda runtime's own handler wrapper, as a
// real invocation would, and returns the response bytes or the function error.
func (e *testEnv) invoke(ctx context.Context, payload []byte) ([]byte, *messages.InvokeResponse_Error) {
	out, err := lambda.NewHandler(e.h).Invoke(ctx, payload)
	if err == nil {
		return out, nil
	}
	var ie messages.InvokeResponse_Error
	if errors.As(err, &ie) {
		return nil, &ie
	}
	return nil, &messages.InvokeResponse_Error{Type: "untyped", Message: err.Error()}
}

func directEvent(sid string) []byte {
	b, _ := json.Marshal(map[string]string{"call_sid": sid})
	return b
}

// outcomeJSON is what a golden file holds: the response, or the function error.
func outcomeJSON(t *testing.T, out []byte, ierr *messages.InvokeResponse_Error) []byte {
	t.Helper()
	var v any
	if ierr != nil {
		v = map[string]string{"errorType": ierr.Type, "errorMessage": ierr.Message}
	} else if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./functions/getcall -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestEvents runs every event in testdata/events through Handler.Invoke.
func TestEvents(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	files, err := filepath.Glob(filepath.Join(testdataDir, "events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, ierr := env.invoke(t.Context(), payload)
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			if strings.HasPrefix(name, "apigw") || strings.HasPrefix(name, "function-url") {
				var resp struct {
					StatusCode int    `json:"statusCode"`
					Body       string `json:"body"`
				}
				if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("HTTP answer %d, %v: %s", resp.StatusCode, err, out)
				}
				out = []byte(resp.Body)
			}
			if err := callv1.Validate(out); err != nil {
				t.Errorf("output breaks callwire.call.v1: %v", err)
			}
			checkGolden(t, filepath.Join(testdataDir, "golden", "events", name+".json"), outcomeJSON(t, out, nil))
		})
	}
	assertNoSecrets(t, "logs", env.logs.String())
	assertNoSecrets(t, "metrics", env.metrics.String())
}

// TestGoldenCalls normalizes every recording through the handler (direct
// invoke, CONTRACT_MODE=warn) and compares with testdata/golden/calls.
func TestGoldenCalls(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Join(testdataDir, "recordings"), path)
		t.Run(rel, func(t *testing.T) {
			rec, err := recording.ReadRecording(path)
			if err != nil {
				t.Fatal(err)
			}
			sid := rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
			out, ierr := env.invoke(t.Context(), directEvent(sid))
			if ierr == nil {
				if err := callv1.Validate(out); err != nil {
					t.Errorf("output breaks callwire.call.v1: %v", err)
				}
			}
			if strings.HasPrefix(rel, "conformant/200") && ierr != nil {
				t.Errorf("conformant recording failed: %s: %s", ierr.Type, ierr.Message)
			}
			checkGolden(t, filepath.Join(testdataDir, "golden", "calls", rel), outcomeJSON(t, out, ierr))
		})
	}
	assertNoSecrets(t, "logs", env.logs.String())
}

// TestModesNormalizeAlike: with the check on, the normalizer reads the
// document the check decoded; with it off, it decodes the body itself. Every
// recording must give the same call (apart from the contract summary) or
// the same error either way.
func TestModesNormalizeAlike(t *testing.T) {
	t.Parallel()
	warn, off := setup(t, retrieve.ModeWarn), setup(t, retrieve.ModeOff)
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		rec, err := recording.ReadRecording(path)
		if err != nil {
			t.Fatal(err)
		}
		sid := rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
		wantOut, wantErr := off.invoke(t.Context(), directEvent(sid))
		gotOut, gotErr := warn.invoke(t.Context(), directEvent(sid))
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && (wantErr.Type != gotErr.Type || wantErr.Message != gotErr.Message)) {
			t.Errorf("%s: error with the check %v, without %v", path, gotErr, wantErr)
			continue
		}
		if wantErr != nil {
			continue
		}
		var got, want map[string]any
		if err := json.Unmarshal(gotOut, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(wantOut, &want); err != nil {
			t.Fatal(err)
		}
		delete(got, "contract")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: calls differ (-without check +with):\n%s", path, diff)
		}
	}
}

func TestContractModes(t *testing.T) {
	t.Parallel()
	drifted := "c0c0ca11-d001-4d1e-8b0b-000000000001" // replaced below by a drift recording's SID
	rec, err := recording.ReadRecording(filepath.Join(testdataDir, "recordings", "drift", "200-content-type-text-html.json"))
	if err != nil {
		t.Fatal(err)
	}
	drifted = rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
	tests := []struct {
		mode         retrieve.Mode
		wantType     string
		wantContract bool
	}{
		{retrieve.ModeWarn, "", true},
		{retrieve.ModeStrict, fail.ContractViolation, true},
		{retrieve.ModeOff, "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			t.Parallel()
			env := setup(t, tt.mode)
			out, ierr := env.invoke(t.Context(), directEvent(drifted))
			if tt.wantType != "" {
				if ierr == nil || ierr.Type != tt.wantType {
					t.Fatalf("got %v, want %s", ierr, tt.wantType)
				}
				if !strings.Contains(ierr.Message, "content-type header:Content-Type") {
					t.Errorf("message %q does not name the finding", ierr.Message)
				}
				return
			}
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			var got map[string]any
			_ = json.Unmarshal(out, &got)
			c, has := got["contract"]
			if has != tt.wantContract {
				t.Fatalf("contract member present = %v, want %v", has, tt.wantContract)
			}
			if has && c.(map[string]any)["conformant"] != false {
				t.Errorf("contract = %v, want conformant false", c)
			}
			logs := env.logs.String()
			if tt.mode == retrieve.ModeWarn && !strings.Contains(logs, `"rule":"content-type"`) {
				t.Errorf("warn mode did not log the finding: %s", logs)
			}
			if tt.mode == retrieve.ModeWarn && !strings.Contains(env.metrics.String(), `"ContractFindings":1`) {
				t.Errorf("warn mode did not count the finding: %s", env.metrics.String())
			}
			// The alarm-ready dimension set: role and deployed name.
			for _, want := range []string{`"Dimensions":[["Function","FunctionName"]]`, `"Function":"getcall"`, `"FunctionName":"` + testFunctionName + `"`} {
				if !strings.Contains(env.metrics.String(), want) {
					t.Errorf("metrics lack %s: %s", want, env.metrics.String())
				}
			}
		})
	}
}

// TestFaults is the fault matrix: each row a failure and the errorType it must produce.
func TestFaults(t *testing.T) {
	t.Parallel()
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1" // conformant, completed inbound
	big := bytes.Repeat([]byte("x"), 2<<20)
	retry := func(status int, h http.Header) replay.Scripted { return replay.Scripted{Status: status, Header: h} }
	tests := []struct {
		name     string
		prepare  func(e *testEnv)
		event    []byte
		timeout  time.Duration
		wantType string // "" means success
		noCalls  bool   // no request may reach SignalWire
	}{
		{name: "401 then rotated secret", prepare: func(e *testEnv) {
			// Warm the cache with the current secret, then rotate it.
			if _, ierr := e.invoke(context.Background(), directEvent("c0c0ca11-0002-4b0b-9a55-0ac41be00002")); ierr != nil {
				panic(ierr.Message)
			}
			e.sw.SetCredentials(testkit.ProjectID, testToken+"-rotated")
			e.sm.Put(testSecretID, testkit.SecretJSON(e.swURL, testToken+"-rotated"))
		}},
		{name: "401 twice", prepare: func(e *testEnv) { e.sw.Script(sid, retry(401, nil), retry(401, nil)) }, wantType: fail.AccessDenied},
		{name: "404", event: directEvent("c0c0ca11-ffff-4fff-8fff-ffffffffffff"), wantType: fail.CallNotFound},
		{name: "429 with Retry-After then 200", prepare: func(e *testEnv) {
			e.sw.Script(sid, retry(429, http.Header{"Retry-After": {"0"}}))
		}},
		{name: "429 without Retry-After then 200", prepare: func(e *testEnv) { e.sw.Script(sid, retry(429, nil)) }},
		{name: "429 until the deadline", timeout: 700 * time.Millisecond, prepare: func(e *testEnv) {
			h := http.Header{"Retry-After": {"1"}}
			e.sw.Script(sid, retry(429, h), retry(429, h), retry(429, h))
		}, wantType: fail.RateLimited},
		{name: "500 then 200", prepare: func(e *testEnv) { e.sw.Script(sid, retry(500, nil)) }},
		{name: "502 then 200", prepare: func(e *testEnv) { e.sw.Script(sid, retry(502, nil)) }},
		{name: "503 then 200", prepare: func(e *testEnv) { e.sw.Script(sid, retry(503, nil)) }},
		{name: "504 then 200", prepare: func(e *testEnv) { e.sw.Script(sid, retry(504, nil)) }},
		{name: "503 throughout", prepare: func(e *testEnv) {
			e.sw.Script(sid, retry(503, nil), retry(503, nil), retry(503, nil))
		}, wantType: fail.UpstreamUnavailable},
		{name: "connection reset then 200", prepare: func(e *testEnv) {
			e.sw.Script(sid, replay.Scripted{Reset: true}, replay.Scripted{Reset: true})
		}},
		{name: "slower than the deadline", timeout: 400 * time.Millisecond, prepare: func(e *testEnv) {
			e.sw.Script(sid, replay.Scripted{Delay: 5 * time.Second})
		}, wantType: fail.UpstreamUnavailable},
		{name: "truncated JSON", prepare: func(e *testEnv) {
			e.sw.Script(sid, replay.Scripted{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"sid":"` + sid + `","date_cre`)})
		}, wantType: fail.ContractViolation},
		{name: "HTML body", prepare: func(e *testEnv) {
			h := http.Header{"Content-Type": {"text/html"}}
			b := []byte("<html><body>Bad Gateway</body></html>")
			e.sw.Script(sid, replay.Scripted{Status: 502, Header: h, Body: b}, replay.Scripted{Status: 502, Header: h, Body: b}, replay.Scripted{Status: 502, Header: h, Body: b})
		}, wantType: fail.UpstreamUnavailable},
		{name: "2 MiB body", prepare: func(e *testEnv) {
			e.sw.Script(sid, replay.Scripted{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: big})
		}, wantType: fail.UpstreamUnavailable},
		{name: "body SID differs", event: directEvent("c0c0ca11-0e05-4a1e-8b0b-1ba0c0111ed1"), wantType: fail.ContractViolation},
		{name: "secret missing", prepare: func(e *testEnv) { e.sm.SetFault(testSecretID, secretsserver.NotFound) },
			wantType: fail.CredentialsUnavailable, noCalls: true},
		{name: "secret malformed", prepare: func(e *testEnv) {
			e.sm.Put(testSecretID, `{"project_id": "`+testProjectID+`", "api_token": "`+testToken)
		},
			wantType: fail.CredentialsUnavailable, noCalls: true},
		{name: "secret missing a key", prepare: func(e *testEnv) {
			e.sm.Put(testSecretID, `{"project_id": "`+testProjectID+`", "api_token": "`+testToken+`"}`)
		}, wantType: fail.CredentialsUnavailable, noCalls: true},
		{name: "secret throttled", prepare: func(e *testEnv) { e.sm.SetFault(testSecretID, secretsserver.Throttled) },
			wantType: fail.CredentialsUnavailable, noCalls: true},
		{name: "space_url outside SignalWire", prepare: func(e *testEnv) {
			e.sm.Put(testSecretID, secretJSON("https://evil.example.com"))
		}, wantType: fail.CredentialsUnavailable, noCalls: true},
		{name: "SID not a UUID", event: directEvent("../Messages"), wantType: fail.InvalidCallSid, noCalls: true},
		{name: "Twilio SID", event: directEvent("CA47b862ce3b99a6d79939320a9aa54a02"), wantType: fail.InvalidCallSid, noCalls: true},
		{name: "empty SID", event: directEvent(""), wantType: fail.InvalidCallSid, noCalls: true},
		{name: "10 KB SID", event: directEvent(strings.Repeat("a", 10<<10)), wantType: fail.InvalidCallSid, noCalls: true},
		{name: "not an event", event: []byte(`[1,2]`), wantType: fail.InvalidRequest, noCalls: true},
		{name: "unknown shape", event: []byte(`{"sid":"x"}`), wantType: fail.InvalidRequest, noCalls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, retrieve.ModeWarn)
			if tt.prepare != nil {
				tt.prepare(env)
			}
			ctx := t.Context()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			event := tt.event
			if event == nil {
				event = directEvent(sid)
			}
			start := time.Now()
			out, ierr := env.invoke(ctx, event)
			if elapsed := time.Since(start); elapsed > timeout {
				t.Errorf("answered after %v, past the %v deadline", elapsed, timeout)
			}
			switch {
			case tt.wantType == "" && ierr != nil:
				t.Errorf("function error %s: %s", ierr.Type, ierr.Message)
			case tt.wantType == "" && callv1.Validate(out) != nil:
				t.Errorf("output breaks callwire.call.v1: %v", callv1.Validate(out))
			case tt.wantType != "" && (ierr == nil || ierr.Type != tt.wantType):
				t.Errorf("got %+v, want errorType %s", ierr, tt.wantType)
			}
			if tt.noCalls && env.sw.Requests() != 0 {
				t.Errorf("%d requests reached SignalWire", env.sw.Requests())
			}
			if ierr != nil {
				assertNoSecrets(t, "error message", ierr.Message)
			}
			assertNoSecrets(t, "logs", env.logs.String())
			assertNoSecrets(t, "metrics", env.metrics.String())
		})
	}
}

// TestWarmInvocations checks that a warm handler makes no Secrets Manager
// call and opens no new upstream connection while the TTL holds.
func TestWarmInvocations(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	for i := range 20 {
		if _, ierr := env.invoke(t.Context(), directEvent("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1")); ierr != nil {
			t.Fatalf("invoke %d: %s", i, ierr.Message)
		}
	}
	if n := env.sm.Requests(); n != 1 {
		t.Errorf("Secrets Manager requests = %d, want 1", n)
	}
	if n := env.sw.Connections(); n != 1 {
		t.Errorf("upstream connections = %d, want 1", n)
	}
	if !strings.Contains(env.logs.String(), `"cold_start":true`) || strings.Count(env.logs.String(), `"cold_start":true`) != 1 {
		t.Errorf("want exactly one cold start logged")
	}
}

// TestConcurrentColdStart checks that concurrent first callers share one secret fetch.
func TestConcurrentColdStart(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	errs := make(chan *messages.InvokeResponse_Error, 16)
	for range 16 {
		go func() {
			_, ierr := env.invoke(t.Context(), directEvent("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"))
			errs <- ierr
		}()
	}
	for range 16 {
		if ierr := <-errs; ierr != nil {
			t.Errorf("invoke: %s", ierr.Message)
		}
	}
	if n := env.sm.Requests(); n != 1 {
		t.Errorf("Secrets Manager requests = %d, want 1", n)
	}
}

func TestHTTPRoutes(t *testing.T) {
	t.Parallel()
	env := setup(t, retrieve.ModeWarn)
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	tests := []struct {
		name, method, path string
		want               int
		wantType           string
	}{
		{"ok", "GET", "/calls/" + sid, 200, ""},
		{"not found call", "GET", "/calls/c0c0ca11-ffff-4fff-8fff-ffffffffffff", 404, fail.CallNotFound},
		{"bad sid", "GET", "/calls/CA123", 400, fail.InvalidCallSid},
		{"POST", "POST", "/calls/" + sid, 405, "MethodNotAllowed"},
		{"unknown path", "GET", "/messages/" + sid, 404, "NotFound"},
		{"traversal", "GET", "/calls/../Messages", 404, "NotFound"},
		{"encoded slash", "GET", "/calls/" + sid + "%2F..%2FMessages", 404, "NotFound"},
		{"trailing segment", "GET", "/calls/" + sid + "/recordings", 404, "NotFound"},
		{"huge path", "GET", "/calls/" + strings.Repeat("a", 100<<10), 404, "NotFound"},
		{"root", "GET", "/", 404, "NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := env.sw.Requests()
			ev, _ := json.Marshal(map[string]any{
				"version": "2.0", "routeKey": "$default", "rawPath": tt.path, "rawQueryString": "",
				"headers":        map[string]string{"x-big": strings.Repeat("h", 8<<10)},
				"requestContext": map[string]any{"stage": "$default", "http": map[string]string{"method": tt.method, "path": tt.path}},
			})
			out, ierr := env.invoke(t.Context(), ev)
			if ierr != nil {
				t.Fatalf("function error: %s", ierr.Message)
			}
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
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
				if tt.want == 400 || tt.want == 404 && tt.wantType == "NotFound" || tt.want == 405 {
					if env.sw.Requests() != before {
						t.Errorf("a rejected request reached SignalWire")
					}
				}
			}
			assertNoSecrets(t, "HTTP body", resp.Body)
		})
	}
}
