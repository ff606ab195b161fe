package chain_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// sweepInput is the sweep's window: the week to the callback's call.
const sweepInput = `{"window_end":"2026-03-03T00:00:00Z","window":"168h"}`

// world is moto's side of the chain: the hint queue, its dead-letter
// queue, the idempotency table, the bus and the rule's target queue.
type world struct {
	sqs                    *sqs.Client
	hints, dlq, target     string // queue URLs
	bus, table, targetName string
}

func TestWholeChainAgainstMoto(t *testing.T) {
	t.Parallel()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to run the chain against (CI starts one)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("aws-lambda-rie runs only on Linux, not " + runtime.GOOS)
	}
	ctx := t.Context()
	root, err := lambdatest.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bins := build(t, root, "callback", "publish", "sweep")
	rie, err := lambdatest.RIEPath(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := lambdatest.StartDemo(filepath.Join(root, "testdata", "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(demo.Close)

	cfg := aws.Config{
		Region:       lambdatest.DemoRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	}
	w := createWorld(t, cfg)
	base := append(demo.Environ(os.Environ()),
		"AWS_ENDPOINT_URL_SQS="+motoURL, "AWS_ENDPOINT_URL_DYNAMODB="+motoURL, "AWS_ENDPOINT_URL_EVENTBRIDGE="+motoURL)
	logs := &strings.Builder{}
	t.Cleanup(func() {
		if t.Failed() {
			logLock <- struct{}{}
			t.Logf("function output:\n%s", logs.String())
			<-logLock
		}
	})
	callback := start(t, rie, bins["callback"], "callback", append(base[:len(base):len(base)], "QUEUE_URL="+w.hints), logs)
	publish := start(t, rie, bins["publish"], "publish", append(base[:len(base):len(base)],
		"EVENT_BUS_NAME="+w.bus, "IDEMPOTENCY_TABLE="+w.table, "DEAD_LETTER_QUEUE_URL="+w.dlq), logs)
	sweep := start(t, rie, bins["sweep"], "sweep", append(base[:len(base):len(base)],
		"QUEUE_URL="+w.hints, "IDEMPOTENCY_TABLE="+w.table, "SWEEP_PAGE_SIZE=4"), logs)

	// 1. A signed status callback is queued.
	ev := lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey)
	var cbResp events.LambdaFunctionURLResponse
	invoke(t, callback, ev, &cbResp)
	if cbResp.StatusCode/100 != 2 {
		t.Fatalf("callback answered %d: %s", cbResp.StatusCode, cbResp.Body)
	}
	// 2. publish consumes it; the rule routes the event to the target queue.
	drain(t, w, publish)
	first := readEvents(t, w, 1)
	want := lambdatest.DemoCallSID + "/completed"
	if len(first) != 1 || first[0] != want {
		t.Fatalf("events after the callback: %v, want [%s]", first, want)
	}

	// 3. The sweep queues the finished calls not yet published, and publish
	// publishes each once.
	var rep1 sweepReport
	invoke(t, sweep, json.RawMessage(sweepInput), &rep1)
	if !rep1.Complete || rep1.Finished < 2 || rep1.Published != 1 || rep1.Enqueued != rep1.Finished-1 {
		t.Fatalf("first sweep: %+v; want a complete window, the callback's call already published, every other finished call queued", rep1)
	}
	drain(t, w, publish)
	rest := readEvents(t, w, rep1.Enqueued)
	all := append(first, rest...)
	seen := map[string]int{}
	for _, id := range all {
		seen[id]++
		if seen[id] > 1 {
			t.Errorf("event %s delivered %d times", id, seen[id])
		}
	}
	// 4. A second sweep finds every published event in the table.
	var rep2 sweepReport
	invoke(t, sweep, json.RawMessage(sweepInput), &rep2)
	if rep2.Published != len(seen) || rep2.Enqueued != rep2.Finished-len(seen) {
		t.Errorf("second sweep: %+v; want the %d published events found and only the others queued", rep2, len(seen))
	}
	if len(seen) < 2 {
		t.Errorf("only %d events reached the target queue", len(seen))
	}
}

// sweepReport is the part of the sweep's answer the test reads.
type sweepReport struct {
	Finished  int  `json:"finished_calls"`
	Published int  `json:"already_published"`
	Enqueued  int  `json:"enqueued"`
	Complete  bool `json:"complete"`
}

// build builds the named functions' bootstraps at once.
func build(t *testing.T, root string, names ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out := make([]string, len(names))
	var eg errgroup.Group
	for i, name := range names {
		dir := t.TempDir()
		eg.Go(func() error {
			p, err := lambdatest.BuildBootstrap(ctx, root, "./functions/cmd/"+name, dir)
			out[i] = p
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for i, name := range names {
		m[name] = out[i]
	}
	return m
}

// syncWriter serialises the emulators' log lines into one builder.
type syncWriter struct {
	mu chan struct{}
	b  *strings.Builder
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu <- struct{}{}
	defer func() { <-w.mu }()
	return w.b.Write(p)
}

var logLock = make(chan struct{}, 1)

func start(t *testing.T, rie, bootstrap, name string, env []string, logs *strings.Builder) *lambdatest.Emulator {
	t.Helper()
	emu, err := lambdatest.Start(t.Context(), lambdatest.Config{
		RIE: rie, Bootstrap: bootstrap, Env: env, FunctionName: "callwire-chain-" + name,
		Timeout: 30 * time.Second, LogFormat: "JSON", Logs: syncWriter{mu: logLock, b: logs},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// invoke invokes emu with payload and decodes its answer into out.
func invoke(t *testing.T, emu *lambdatest.Emulator, payload, out any) {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	res, err := emu.Invoke(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("function error %v: %s", res.Err, res.Payload)
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		t.Fatalf("answer %s: %v", res.Payload, err)
	}
}

func createWorld(t *testing.T, cfg aws.Config) *world {
	t.Helper()
	ctx := t.Context()
	name := fmt.Sprintf("callwire-chain-%d", time.Now().UnixNano())
	w := &world{sqs: sqs.NewFromConfig(cfg), bus: name, table: name, targetName: name + "-target"}
	queue := func(n string) string {
		q, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n),
			Attributes: map[string]string{"DelaySeconds": "0", "VisibilityTimeout": "2"}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(q.QueueUrl)
	}
	w.hints, w.dlq = queue(name+"-hints"), queue(name+"-dlq")
	w.target = testkit.RuleTarget(t, cfg, name, w.targetName)
	testkit.IdempotencyTable(t, cfg, name)
	return w
}

// drain plays the event source mapping: it receives the hint queue's
// messages in batches of ten, invokes publish with each batch and deletes
// the records publish does not report back, until the queue is empty or
// only failing records are left.
func drain(t *testing.T, w *world, publish *lambdatest.Emulator) {
	t.Helper()
	ctx := t.Context()
	for empty := 0; empty < 2; {
		out, err := w.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(w.hints), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		var batch events.SQSEvent
		for _, m := range out.Messages {
			batch.Records = append(batch.Records, events.SQSMessage{
				MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
				Attributes: m.Attributes, EventSource: "aws:sqs", AWSRegion: lambdatest.DemoRegion,
			})
		}
		var resp events.SQSEventResponse
		invoke(t, publish, batch, &resp)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		for _, m := range out.Messages {
			if failed[aws.ToString(m.MessageId)] {
				continue // it comes back after the visibility timeout; the test leaves it
			}
			if _, err := w.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(w.hints), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
		if len(failed) == len(out.Messages) {
			empty++ // only failing records: stop after one more round
		}
	}
}

// readEvents reads the target queue until it holds no more, checks each
// event's detail against callwire.call.event.v1 and returns the event ids.
func readEvents(t *testing.T, w *world, atLeast int) []string {
	t.Helper()
	var ids []string
	for _, ev := range testkit.DrainEvents(t, w.sqs, w.target, atLeast) {
		ids = append(ids, ev.EventID)
	}
	return ids
}
