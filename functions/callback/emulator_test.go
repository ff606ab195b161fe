package callback

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/sqsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// TestBootstrapUnderEmulator builds the real bootstrap with the deployment
// flags and runs it under the Lambda Runtime Interface Emulator, against the
// loopback Secrets Manager (SigV4 verified) and SQS endpoints, configured
// only through its environment as in Lambda. It sends the signed samples
// and a forged one, and reads back the queue and every line the process
// wrote.
func TestBootstrapUnderEmulator(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("aws-lambda-rie runs only on Linux")
	}
	if testing.Short() {
		t.Skip("builds the bootstrap; skipped with -short")
	}
	ctx := t.Context()
	root, err := lambdatest.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := lambdatest.BuildBootstrap(ctx, root, "./functions/cmd/callback", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rie, err := lambdatest.RIEPath(ctx, root)
	if err != nil {
		t.Fatal(err)
	}

	sm := secretsserver.New(secretsserver.WithAccessKeyID(testkit.AccessKey))
	smURL, err := sm.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.Close)
	sm.Put(testkit.SecretID, secretJSON(testKey, testPrevKey))
	sq := sqsserver.New()
	sqURL, err := sq.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sq.Close)
	queueURL, err := sq.CreateQueue(testQueue, nil)
	if err != nil {
		t.Fatal(err)
	}

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "SIGNALWIRE_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+smURL,
		"AWS_ENDPOINT_URL_SQS="+sqURL,
		"AWS_ACCESS_KEY_ID="+testkit.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+testkit.SecretKey,
		"AWS_REGION=us-east-1",
		"SIGNALWIRE_SECRET_ID="+testkit.SecretID,
		"QUEUE_URL="+queueURL,
	)
	logs := &testkit.SyncBuffer{}
	emu, err := lambdatest.Start(ctx, lambdatest.Config{
		RIE: rie, Bootstrap: bootstrap, Env: env, FunctionName: "callback", Timeout: 10 * time.Second,
		LogFormat: "JSON", Logs: logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })

	for _, tc := range []struct {
		file   string
		status int
	}{
		{"completed", http.StatusNoContent},
		{"completed-get", http.StatusNoContent},
		{"ringing", http.StatusNoContent},
		{"forged", http.StatusForbidden},
		{"completed", http.StatusNoContent}, // a replay
	} {
		payload, err := os.ReadFile(filepath.Join(eventsDir, tc.file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := emu.Invoke(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		if res.Err != nil {
			t.Fatalf("%s: function error %v", tc.file, res.Err)
		}
		var resp events.LambdaFunctionURLResponse
		if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode != tc.status {
			t.Errorf("%s: answer %s, want status %d", tc.file, res.Payload, tc.status)
		}
		assertNoSecrets(t, tc.file+" response", string(res.Payload))
	}
	msgs := sq.Messages(testQueue)
	if len(msgs) != 3 {
		t.Fatalf("%d messages queued, want 3 (completed by POST, by GET, and the replay)", len(msgs))
	}
	for _, m := range msgs {
		h, err := pipeline.ParseHint([]byte(m.Body))
		if err != nil || h.CallSID != lambdatest.DemoCallSID || h.Status != "completed" || h.Source != pipeline.SourceCallback {
			t.Errorf("queued %s (%v)", m.Body, err)
		}
		assertNoSecrets(t, "queue message", m.Body)
	}
	// The first read, and the one refresh the forged callback may force in
	// the refresh interval.
	if sm.Rejected() != 0 || sm.Requests() != 2 || sq.Rejected() != 0 {
		t.Errorf("Secrets Manager requests %d (rejected %d), SQS rejected %d; want 2, 0, 0", sm.Requests(), sm.Rejected(), sq.Rejected())
	}
	_ = emu.Close()
	out := logs.String()
	for _, want := range []string{`"outcome":"queued"`, `"outcome":"ignored"`, `"outcome":"Forbidden"`, `"CallbacksReceived"`} {
		if !strings.Contains(out, want) {
			t.Errorf("process output lacks %s", want)
		}
	}
	assertNoSecrets(t, "process output", out)
	for _, leak := range []string{"+15550100001", "+15550100002"} {
		if strings.Contains(out, leak) {
			t.Errorf("process output carries a phone number of the callback")
		}
	}
}
