package callback

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestSendMessageLandsInMoto checks the receiver against moto, an
// independent implementation of SQS: a verified callback's hint must arrive
// on a queue created there, read back with the real SDK. CI starts
// moto_server and sets CALLWIRE_MOTO_URL.
func TestSendMessageLandsInMoto(t *testing.T) {
	t.Parallel()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to check the queue against (CI starts one)")
	}
	ctx := t.Context()
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	}
	client := sqs.NewFromConfig(cfg)
	name := fmt.Sprintf("callwire-callback-%d", time.Now().UnixNano())
	// moto honours DelaySeconds: no delay here.
	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"DelaySeconds": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })

	sm, smURL := testkit.SecretsManager(t)
	sm.Put(testkit.SecretID, secretJSON(testKey, ""))
	src, _ := testkit.Clients(t, smURL, testkit.AccessKey)
	logs := &testkit.SyncBuffer{}
	h := newHandlerFrom(deps{
		cfg: config{
			Settings: boot.Settings{SecretID: testkit.SecretID, CacheTTL: time.Minute},
			queueURL: aws.ToString(created.QueueUrl), fetchOn: set(terminal()...), refreshInterval: time.Minute,
		},
		keys:    signalwire.NewSecretCredentials(src, testkit.SecretID),
		queue:   queue.NewSender(cfg, aws.ToString(created.QueueUrl)),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(logs, nil)),
		metrics: emf.NewWriter(logs, Metrics),
	})
	resp, err := h.Handle(ctx, event("completed", testKey))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("answer %d %s, %v; log: %s", resp.StatusCode, resp.Body, err, logs.String())
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages in moto's queue, want 1", len(out.Messages))
	}
	got, err := pipeline.ParseHint([]byte(aws.ToString(out.Messages[0].Body)))
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline.Hint{CallSID: sid, Status: "completed", Sequence: seq(4), Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hint in moto (-want +got):\n%s", diff)
	}
	assertNoSecrets(t, "moto message", aws.ToString(out.Messages[0].Body))
	assertNoSecrets(t, "logs", logs.String())
}
