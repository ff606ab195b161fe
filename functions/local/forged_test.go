package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// otherCall is a call the replay server knows: a hint for it that got past
// the callback would be published.
const otherCall = "c0c0ca11-0002-4b0b-9a55-0ac41be00002"

// forgedFields are content of an attacker's own: another call, a sequence
// that would outrank every real one, and a timestamp that carries markup
// (or, in the second set, a well-formed one, so that only the signature
// check stands in the way).
func forgedFields(timestamp string) []webhook.Field {
	return []webhook.Field{
		{Name: "AccountSid", Value: lambdatest.DemoProjectID},
		{Name: "CallSid", Value: otherCall},
		{Name: "CallStatus", Value: "completed"},
		{Name: "SequenceNumber", Value: "999999999"},
		{Name: "Timestamp", Value: timestamp},
	}
}

// jsonBody is fields as a JSON object, in their order.
func jsonBody(fields []webhook.Field) string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Value
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// forgedCallbacks are new content sent under signatures an attacker has
// seen: a genuine GET callback's URL and X-SignalWire-Signature (the form
// scheme signs the URL alone) resent as a POST with a body of their own, in
// every media type and encoding, and a URL signed with the bodySHA256
// parameter spelled as a browser would still read it.
func forgedCallbacks(t *testing.T) map[string]events.LambdaFunctionURLRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdataDir, "events", "callback", "completed-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	var seen events.LambdaFunctionURLRequest
	if err := json.Unmarshal(raw, &seen); err != nil {
		t.Fatal(err)
	}
	post := func(contentType, body string, base64Encoded bool) events.LambdaFunctionURLRequest {
		e := seen
		e.Headers = map[string]string{}
		for k, v := range seen.Headers {
			e.Headers[k] = v
		}
		e.Headers["content-type"] = contentType
		e.RequestContext.HTTP.Method = http.MethodPost
		e.Body, e.IsBase64Encoded = body, base64Encoded
		return e
	}
	markup := jsonBody(forgedFields("attacker-chosen <script>"))
	wellFormed := jsonBody(forgedFields("Mon, 02 Mar 2026 14:09:00 +0000"))
	out := map[string]events.LambdaFunctionURLRequest{
		"GET signature, POST JSON body with markup":  post("application/json", markup, false),
		"GET signature, POST JSON body":              post("application/json", wellFormed, false),
		"GET signature, POST JSON body in base64":    post("application/json", base64.StdEncoding.EncodeToString([]byte(wellFormed)), true),
		"GET signature, POST JSON body as text":      post("text/plain", wellFormed, false),
		"GET signature, POST JSON body without type": post("", wellFormed, false),
		"GET signature, POST form body":              post("application/x-www-form-urlencoded", webhook.EncodeForm(forgedFields("Mon, 02 Mar 2026 14:09:00 +0000")), false),
	}
	// A URL SignalWire signed (URL-only) whose query names the digest of
	// an empty body as body%53HA256, resent with a body of one's own.
	empty := sha256.Sum256(nil)
	signed := seen
	signed.RawQueryString += "&body%53HA256=" + hex.EncodeToString(empty[:])
	signed.Headers = map[string]string{webhook.HeaderSignalWire: webhook.SignForm(lambdatest.DemoSigningKey,
		"https://"+lambdatest.DemoCallbackDomain+lambdatest.DemoCallbackPath+"?"+signed.RawQueryString, nil)}
	e := signed
	e.Headers = map[string]string{"content-type": "application/json", webhook.HeaderSignalWire: signed.Headers[webhook.HeaderSignalWire]}
	e.RequestContext.HTTP.Method, e.Body = http.MethodPost, wellFormed
	out["URL-only signature with body%53HA256, POST JSON body"] = e
	return out
}

// TestPipelineForgedContent runs the chain as deployed, offline: the
// callback and publish bootstraps under the emulator, the loopback queue,
// table and bus, and the runner's event source mapping between them.
// Forged new content (not a replay) is answered 403 and publishes nothing;
// the genuine callback the signatures came from then publishes its one
// event, so the chain is shown to deliver what does get through.
func TestPipelineForgedContent(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	ctx := t.Context()
	root, err := lambdatest.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bootstraps := map[string]string{}
	for _, fn := range []string{"callback", "publish"} {
		out := filepath.Join(dir, fn)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		if bootstraps[fn], err = lambdatest.BuildBootstrap(ctx, root, functionPackage(fn), out); err != nil {
			t.Fatal(err)
		}
	}
	demo, err := lambdatest.StartDemo(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(demo.Close)
	queue, err := startCallbackQueue()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(queue.Close)
	end, err := startPipelineEnd()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(end.Close)
	logs := &testkit.SyncBuffer{}
	start := func(fn string, env []string) *lambdatest.Emulator {
		emu, err := lambdatest.Start(ctx, lambdatest.Config{RIE: getcall.RIE, Bootstrap: bootstraps[fn], Env: env, FunctionName: fn, Logs: logs})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		return emu
	}
	base := demo.Environ(os.Environ())
	cb := start("callback", append(slices.Clone(base), queue.environ()...))
	pub := start("publish", append(slices.Clone(base), end.environ()...))
	var stdout, stderr bytes.Buffer
	r := &runner{opts: options{n: 1, timeout: 10 * time.Second}, out: newConsole(&stdout, &stderr, false)}
	sqsc := sqs.NewFromConfig(aws.Config{
		Region:           lambdatest.DemoRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(lambdatest.DemoAccessKeyID, "local", ""),
		BaseEndpoint:     aws.String(queue.endpoint),
		RetryMaxAttempts: 1,
	})
	// drain plays the event source mapping until the queue is empty.
	drain := func() {
		t.Helper()
		for batch := 1; ; batch++ {
			out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue.url), MaxNumberOfMessages: maxReceive, VisibilityTimeout: 60})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) == 0 {
				return
			}
			if retried, err := r.publishBatch(ctx, pub, sqsc, queue.url, out.Messages, batch); err != nil || retried > 0 {
				t.Fatalf("publish: retried %v, %v; stderr:\n%s", retried, err, stderr.String())
			}
		}
	}
	invoke := func(name string, e events.LambdaFunctionURLRequest) int {
		t.Helper()
		payload, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		res, err := cb.Invoke(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		if res.Err != nil {
			t.Fatalf("%s: function error %v", name, res.Err)
		}
		return answerStatus(res)
	}

	for name, e := range forgedCallbacks(t) {
		if status := invoke(name, e); status != http.StatusForbidden {
			t.Errorf("%s: answered %d, want 403", name, status)
		}
		if n := len(queue.srv.Messages(callbackQueueName)); n != 0 {
			t.Fatalf("%s: %d messages queued", name, n)
		}
	}
	drain()
	if evs := end.bus.Events(pipelineBus); len(evs) != 0 {
		t.Fatalf("forged callbacks published %d events", len(evs))
	}
	if n := end.bus.Requests(""); n != 0 {
		t.Errorf("forged callbacks made %d EventBridge requests", n)
	}

	// The genuine callback the forged ones were made from.
	raw, err := os.ReadFile(filepath.Join(testdataDir, "events", "callback", "completed-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	var genuine events.LambdaFunctionURLRequest
	if err := json.Unmarshal(raw, &genuine); err != nil {
		t.Fatal(err)
	}
	if status := invoke("genuine", genuine); status != http.StatusNoContent {
		t.Fatalf("the genuine callback: answered %d, want 204", status)
	}
	drain()
	evs := end.bus.Events(pipelineBus)
	if len(evs) != 1 {
		t.Fatalf("%d events published for the genuine callback, want 1", len(evs))
	}
	var detail struct {
		EventID string `json:"event_id"`
		Hint    struct {
			Sequence  *int64 `json:"sequence"`
			Timestamp string `json:"timestamp"`
		} `json:"hint"`
	}
	if err := json.Unmarshal([]byte(evs[0].Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if detail.EventID != lambdatest.DemoCallSID+"/completed" || detail.Hint.Sequence == nil || *detail.Hint.Sequence != 3 {
		t.Errorf("published %s, want the genuine callback's event (sequence 3)", evs[0].Detail)
	}
	for _, forged := range []string{otherCall, "999999999", "<script>", `\u003cscript`} {
		if strings.Contains(evs[0].Detail, forged) {
			t.Errorf("the published event carries forged content %q", forged)
		}
	}
	sent := queue.srv.Messages(callbackQueueName)
	if len(sent) != 1 || !sent[0].Deleted || sent[0].ReceiveCount != 1 {
		t.Errorf("queue: %d messages sent (want the genuine hint, received once and deleted)", len(sent))
	}
}

// TestRunPipelineForgedFile: `go run ./functions/local -pipeline` with an
// event file of forged new content exits 1 and publishes nothing.
func TestRunPipelineForgedFile(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	dir := t.TempDir()
	b, err := json.Marshal(forgedCallbacks(t)["GET signature, POST JSON body with markup"])
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "forged-content.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-pipeline", "-work", dir, file)
	if code != exitFunctionError {
		t.Fatalf("run = %d, want %d; stderr:\n%s", code, exitFunctionError, stderr)
	}
	if stdout != "" {
		t.Errorf("events on stdout:\n%s", stdout)
	}
	for _, want := range []string{"the callback was answered 403", "nothing was queued", "pipeline: failed: the callback was refused 1 of 1 times, 0 events published", "0 EventBridge requests"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
