package publish

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// The publish bootstrap and the emulator, built once for the test binary by
// the first test that needs them.
var buildOnce = sync.OnceValues(func() ([2]string, error) {
	dir, err := os.MkdirTemp("", "callwire-publish-test-")
	if err != nil {
		return [2]string{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := lambdatest.ModuleRoot(".")
	if err != nil {
		return [2]string{}, err
	}
	bootstrap, err := lambdatest.BuildBootstrap(ctx, root, "./functions/cmd/publish", dir)
	if err != nil {
		return [2]string{}, err
	}
	rie, err := lambdatest.RIEPath(ctx, root)
	return [2]string{bootstrap, rie}, err
})

// emulated builds the bootstrap and the emulator, or skips where the
// emulator cannot run.
func emulated(t *testing.T) (bootstrap, rie string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("aws-lambda-rie runs only on Linux, not " + runtime.GOOS)
	}
	paths, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return paths[0], paths[1]
}

// functionEnv is the environment of the emulated function: nothing of the
// caller's AWS or SignalWire settings, and the loopback endpoints.
func functionEnv(smURL, ddbURL, evURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "SIGNALWIRE_") && !strings.HasPrefix(kv, "CALLWIRE_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+smURL,
		"AWS_ENDPOINT_URL_DYNAMODB="+ddbURL,
		"AWS_ENDPOINT_URL_EVENTBRIDGE="+evURL,
		"AWS_ACCESS_KEY_ID="+testkit.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+testkit.SecretKey,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"SIGNALWIRE_SECRET_ID="+testkit.SecretID,
		"CALLWIRE_ALLOW_LOOPBACK=true",
		"EVENT_BUS_NAME="+testBus,
		"IDEMPOTENCY_TABLE="+testTable,
	)
}

// TestBootstrapUnderEmulator runs the real publish bootstrap under the
// Lambda Runtime Interface Emulator with an SQS event, against the loopback
// Secrets Manager (the access key checked), the SignalWire replay server, DynamoDB
// and EventBridge, and searches everything it wrote for credentials.
func TestBootstrapUnderEmulator(t *testing.T) {
	t.Parallel()
	bootstrap, rie := emulated(t)
	sm, smURL := testkit.SecretsManager(t)
	sw, swURL := startReplay(t)
	sm.Put(testkit.SecretID, testkit.SecretJSON(swURL, testkit.Token))
	ddb, ddbURL, ev, evURL := startAWS(t)
	logs := &testkit.SyncBuffer{}
	emu, err := lambdatest.Start(t.Context(), lambdatest.Config{
		RIE: rie, Bootstrap: bootstrap, Env: functionEnv(smURL, ddbURL, evURL),
		FunctionName: testFunctionName, Timeout: 15 * time.Second, LogFormat: "JSON", Logs: logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })

	ok1, ok2 := hintRecord(sidCompleted, "completed"), sweepRecord(sidNoAnswer, "no-answer")
	notFound, malformed := hintRecord(sidUnknown, "completed"), record(`{"call_sid":"x"}`)
	payload, err := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{ok1, notFound, ok2, malformed}})
	if err != nil {
		t.Fatal(err)
	}
	var payloads []string
	for i := range 2 { // the second delivery is acknowledged from the idempotency record
		res, err := emu.Invoke(t.Context(), payload)
		if err != nil {
			t.Fatal(err)
		}
		if res.Err != nil {
			t.Fatalf("invoke %d: function error %v; logs:\n%s", i+1, res.Err, logs.String())
		}
		payloads = append(payloads, string(res.Payload))
		var resp events.SQSEventResponse
		if err := json.Unmarshal(res.Payload, &resp); err != nil {
			t.Fatalf("invoke %d: response %s: %v", i+1, res.Payload, err)
		}
		if diff := cmp.Diff([]string{notFound.MessageId, malformed.MessageId}, failedIDs(resp)); diff != "" {
			t.Errorf("invoke %d: item failures (-want +got):\n%s", i+1, diff)
		}
	}
	env := &testEnv{events: ev}
	if diff := cmp.Diff([]string{sidCompleted + "/completed", sidNoAnswer + "/no-answer"}, eventIDs(env.publishedDetails(t))); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if n := len(ddb.Items(testTable)); n != 2 {
		t.Errorf("%d idempotency records, want 2", n)
	}
	if sw.RequestsFor(sidCompleted) != 1 || sw.RequestsFor(sidNoAnswer) != 1 {
		t.Errorf("retrievals: %d and %d, want one each (the redelivery reads the record instead)",
			sw.RequestsFor(sidCompleted), sw.RequestsFor(sidNoAnswer))
	}
	if sm.Requests() != 1 || sm.Rejected() != 0 {
		t.Errorf("secrets manager: %d requests, %d rejected; want 1 and 0", sm.Requests(), sm.Rejected())
	}
	out := logs.String()
	for _, want := range []string{`"message":"publish: batch"`, `"EventsPublished":2`, `"EventsAlreadyPublished":2`, `"reason":"not_found"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the function's output lacks %s", want)
		}
	}
	assertNoSecrets(t, "function output", out)
	assertNoSecrets(t, "responses", strings.Join(payloads, "\n"))
	for _, e := range ev.Events(testBus) {
		assertNoSecrets(t, "event", e.Detail)
	}
}
