package sweep

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/sqsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/voice"
)

// TestSweepEndToEnd builds the handler as main does, from an environment
// that points the real AWS SDK at loopback Secrets Manager, SQS and DynamoDB
// endpoints and the secret at a SignalWire replay server listing
// testdata/recordings. A first run over the week to 22 March 2026 queues every finished
// call not yet published; once the consumer has published them (here:
// marked in the idempotency table), a second run queues nothing.
func TestSweepEndToEnd(t *testing.T) {
	t.Parallel()
	sw := replay.New(replay.WithCredentials(testkit.ProjectID, testkit.Token))
	if err := sw.LoadDir("../../testdata/recordings"); err != nil {
		t.Fatal(err)
	}
	swURL, err := sw.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sw.Close() })
	sm, smURL := testkit.SecretsManager(t)
	sm.Put("callwire/signalwire", testkit.SecretJSON(swURL, testkit.Token))
	sq := sqsserver.New()
	sqURL, err := sq.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sq.Close)
	queueURL, err := sq.CreateQueue("hints", nil)
	if err != nil {
		t.Fatal(err)
	}
	ddb := dynamoserver.New()
	ddbURL, err := ddb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ddb.Close)
	if err := ddb.CreateTable("published", idempotency.AttrID); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SIGNALWIRE_SECRET_ID":             "callwire/signalwire",
		"CALLWIRE_ALLOW_LOOPBACK":          "true",
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                testkit.AccessKey,
		"AWS_SECRET_ACCESS_KEY":            "sweep-test-secret",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": smURL,
		"AWS_ENDPOINT_URL_SQS":             sqURL,
		"AWS_ENDPOINT_URL_DYNAMODB":        ddbURL,
		"QUEUE_URL":                        queueURL,
		"IDEMPOTENCY_TABLE":                "published",
		"SWEEP_PAGE_SIZE":                  "4",
	}
	h, err := New(t.Context(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs, metrics bytes.Buffer
	h.log = slog.New(slog.NewJSONHandler(&logs, nil))
	h.metrics = emf.NewWriter(&metrics, Metrics)
	input := json.RawMessage(`{"window_end":"2026-03-22T00:00:00Z","window":"168h"}`)

	rep, err := h.Handle(t.Context(), input)
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, logs.String())
	}
	if !rep.Complete || rep.Pages < 2 || rep.Finished == 0 || rep.Enqueued != rep.Finished {
		t.Fatalf("first run: %+v; want a complete window over several pages, every finished call queued", rep)
	}
	msgs := sq.Messages("hints")
	if len(msgs) != rep.Enqueued {
		t.Fatalf("%d messages on the queue, report says %d", len(msgs), rep.Enqueued)
	}
	store := h.published.(*idempotency.Store)
	for _, m := range msgs {
		hint, err := pipeline.ParseHint([]byte(m.Body))
		if err != nil || hint.Source != pipeline.SourceSweep || !slices.Contains(pipeline.TerminalStatuses, voice.Status(hint.Status)) {
			t.Fatalf("queued %q: %+v, %v", m.Body, hint, err)
		}
		// What the consumer does once it published the call's event.
		c, err := store.Claim(t.Context(), pipeline.EventID(hint.CallSID, voice.Status(hint.Status)), time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Complete(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}

	again, err := h.Handle(t.Context(), input)
	if err != nil {
		t.Fatal(err)
	}
	if again.Enqueued != 0 || again.Published != rep.Finished || len(sq.Messages("hints")) != len(msgs) {
		t.Errorf("second run: %+v; want every finished call already published, nothing queued", again)
	}
	if strings.Contains(logs.String()+metrics.String(), testkit.Token) {
		t.Error("the API token reached the output")
	}
}
