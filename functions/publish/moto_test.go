package publish

import (
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestPublishAgainstMoto runs the handler with the real SDK clients against
// moto, an independent implementation of EventBridge and DynamoDB: the bus
// and the idempotency table are created there, a rule sends the bus's
// events to an SQS queue (in moto too), and the events are read back from
// it. CI starts moto_server and sets CALLWIRE_MOTO_URL.
func TestPublishAgainstMoto(t *testing.T) {
	t.Parallel()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to check the publisher against (CI starts one)")
	}
	ctx := t.Context()
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	}
	sqsc := sqs.NewFromConfig(cfg)
	name := fmt.Sprintf("callwire-publish-%d", time.Now().UnixNano())

	target := testkit.RuleTarget(t, cfg, name, name)
	testkit.IdempotencyTable(t, cfg, name)

	sm, smURL := testkit.SecretsManager(t)
	sw, swURL := startReplay(t)
	sm.Put(testkit.SecretID, testkit.SecretJSON(swURL, testkit.Token))
	src, _ := testkit.Clients(t, smURL, testkit.AccessKey)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testkit.SecretID), signalwire.NewHTTPClient(),
		signalwire.WithLoopback(), signalwire.WithRetry(1, time.Millisecond, time.Millisecond))
	logs := &testkit.SyncBuffer{}
	h := newHandlerFrom(deps{
		cfg: config{
			Settings: boot.Settings{SecretID: testkit.SecretID, CacheTTL: time.Minute},
			mode:     retrieve.ModeWarn, bus: name, source: defaultSource, table: name, ttl: idempotency.DefaultTTL, concurrency: 10,
		},
		calls:   retrieve.New(client, retrieve.ModeWarn),
		store:   idempotency.New(cfg, name),
		bus:     events.New(cfg, name, defaultSource),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(logs, nil)),
		metrics: emf.NewWriter(logs, Metrics),
	})
	env := &testEnv{h: h}
	ok1, ok2, notFound := hintRecord(sidBusy, "busy"), sweepRecord(sidCanceled, "canceled"), hintRecord(sidUnknown, "completed")
	for range 2 { // the second delivery publishes nothing
		if diff := cmp.Diff([]string{notFound.MessageId}, failedIDs(env.handle(t, ok1, ok2, notFound))); diff != "" {
			t.Errorf("item failures (-want +got):\n%s", diff)
		}
	}
	if sw.RequestsFor(sidBusy) != 1 {
		t.Errorf("the busy call was retrieved %d times, want once", sw.RequestsFor(sidBusy))
	}

	var got []string
	for deadline := time.Now().Add(3 * time.Second); len(got) < 3 && time.Now().Before(deadline); {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(target), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			ev := testkit.ParseDeliveredEvent(t, m.Body)
			got = append(got, ev.EventID)
			assertNoSecrets(t, "event", string(ev.Detail))
		}
	}
	if diff := cmp.Diff([]string{sidBusy + "/busy", sidCanceled + "/canceled"}, got); diff != "" {
		t.Errorf("events delivered by moto (-want +got):\n%s", diff)
	}
	assertNoSecrets(t, "logs", logs.String())
}
