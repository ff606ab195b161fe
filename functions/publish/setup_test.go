package publish

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/callwire/callwire/contract/callevent"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/emf"
	eventbus "github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/internal/testkit/testclock"
	"github.com/callwire/callwire/functions/signalwire"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

const (
	testBus          = "callwire-test-calls"
	testTable        = "callwire-test-published"
	testFunctionName = "callwire-test-PublishFunction-1A2B"
)

// Call SIDs of testdata/recordings.
const (
	sidCompleted  = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1" // completed, inbound
	sidMachine    = "c0c0ca11-0002-4b0b-9a55-0ac41be00002" // completed, answered by a machine
	sidChildLeg   = "c0c0ca11-0003-4c41-8d1e-0c4113d00003" // completed, child leg
	sidExtra      = "c0c0ca11-000b-4e7a-9a00-00000000000b" // completed, extra fields
	sidNoAudio    = "c0c0ca11-000c-4a0d-8100-00000000000c" // completed, no audio metrics
	sidCanceled   = "c0c0ca11-0007-4ca1-8ce1-000000000007"
	sidBusy       = "c0c0ca11-0008-4b05-a486-000000000008"
	sidFailed     = "c0c0ca11-0009-4fa1-b1ed-000000000009"
	sidNoAnswer   = "c0c0ca11-000a-4a0a-8480-00000000000a"
	sidInProgress = "c0c0ca11-0006-4dd0-b0ff-000000000006"
	sidUnknown    = "c0c0ca11-ffff-4fff-8fff-ffffffffffff"
	sidServer500  = "d41f7000-0015-4f0c-a500-500000000c00" // drift/500-undocumented-json-error
	sidOtherCall  = "c0c0ca11-0e05-4a1e-8b0b-1ba0c0111ed1" // warning/200-sid-differs: refused whatever the mode
)

// terminalSIDs are ten recorded calls in a terminal status, with it.
var terminalSIDs = []struct{ sid, status string }{
	{sidCompleted, "completed"}, {sidMachine, "completed"}, {sidChildLeg, "completed"}, {sidExtra, "completed"},
	{sidNoAudio, "completed"}, {sidCanceled, "canceled"}, {sidBusy, "busy"}, {sidFailed, "failed"},
	{sidNoAnswer, "no-answer"}, {sidInProgress, "in-progress"}, // the tenth is handed on as in-progress
}

// testEnv is a handler wired to real clients and loopback servers: Secrets
// Manager (the access key checked), the SignalWire replay server, DynamoDB and
// EventBridge.
type testEnv struct {
	h       *Handler
	sm      *secretsserver.Server
	sw      *replay.Server
	ddb     *dynamoserver.Server
	ddbURL  string
	events  *eventsserver.Server
	evURL   string
	store   *idempotency.Store
	clock   *testclock.Clock
	logs    *testkit.SyncBuffer
	metrics *testkit.SyncBuffer
}

// awsConfig is an SDK configuration for a loopback endpoint, without SDK
// retries so injected faults show at once.
func awsConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testkit.AccessKey, testkit.SecretKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	}
}

// startReplay starts a SignalWire replay server over testdata/recordings
// holding the test credentials, closed when tb ends; handler wraps it when
// not nil (to add latency).
func startReplay(tb testing.TB) (*replay.Server, string) {
	tb.Helper()
	sw := replay.New(replay.WithCredentials(testkit.ProjectID, testkit.Token))
	if err := sw.LoadDir(testdataDir + "/recordings"); err != nil {
		tb.Fatal(err)
	}
	u, err := sw.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sw.Close() })
	return sw, u
}

// startAWS starts the loopback DynamoDB (with the idempotency table) and
// EventBridge (with the bus).
func startAWS(tb testing.TB) (*dynamoserver.Server, string, *eventsserver.Server, string) {
	tb.Helper()
	ddb := dynamoserver.New()
	ddbURL, err := ddb.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ddb.Close)
	if err := ddb.CreateTable(testTable, idempotency.AttrID); err != nil {
		tb.Fatal(err)
	}
	ev := eventsserver.New()
	evURL, err := ev.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(ev.Close)
	ev.CreateBus(testBus)
	return ddb, ddbURL, ev, evURL
}

// setup builds a handler on loopback servers with the real AWS SDK clients
// and the real SignalWire client, one attempt per retrieval as deployed.
func setup(tb testing.TB) *testEnv {
	tb.Helper()
	sm, smURL := testkit.SecretsManager(tb)
	sw, swURL := startReplay(tb)
	sm.Put(testkit.SecretID, testkit.SecretJSON(swURL, testkit.Token))
	ddb, ddbURL, ev, evURL := startAWS(tb)
	src, _ := testkit.Clients(tb, smURL, testkit.AccessKey)
	hc := signalwire.NewHTTPClient()
	tb.Cleanup(hc.CloseIdleConnections)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testkit.SecretID), hc, signalwire.WithLoopback(),
		signalwire.WithRetry(1, time.Millisecond, time.Millisecond), signalwire.WithDeadlineMargin(50*time.Millisecond))
	clk := testclock.New(time.Now())
	env := &testEnv{sm: sm, sw: sw, ddb: ddb, ddbURL: ddbURL, events: ev, evURL: evURL, clock: clk,
		logs: &testkit.SyncBuffer{}, metrics: &testkit.SyncBuffer{}}
	env.store = idempotency.New(awsConfig(ddbURL), testTable, idempotency.WithClock(clk.Now))
	env.h = newHandlerFrom(deps{
		cfg: config{
			Settings: boot.Settings{SecretID: testkit.SecretID, CacheTTL: time.Minute, FunctionName: testFunctionName},
			mode:     retrieve.ModeWarn, bus: testBus, source: defaultSource, table: testTable,
			ttl: idempotency.DefaultTTL, concurrency: defaultConcurrency,
		},
		calls:   retrieve.New(client, retrieve.ModeWarn),
		store:   env.store,
		bus:     eventbus.New(awsConfig(evURL), testBus, defaultSource),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		metrics: emf.NewWriter(env.metrics, Metrics),
	})
	return env
}

var messageSeq atomic.Int64

// record is one SQS record holding body, with a unique message id.
func record(body string) events.SQSMessage {
	n := messageSeq.Add(1)
	return events.SQSMessage{
		MessageId:      fmt.Sprintf("0b7e0000-0000-4000-8000-%012d", n),
		ReceiptHandle:  "rh-" + strconv.FormatInt(n, 10),
		Body:           body,
		Attributes:     map[string]string{"ApproximateReceiveCount": "1"},
		EventSource:    "aws:sqs",
		EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:callwire-test-hints",
		AWSRegion:      "us-east-1",
	}
}

// hintRecord is the record of a callback hint for sid in status.
func hintRecord(sid, status string) events.SQSMessage {
	seq := int64(4)
	b, _ := json.Marshal(pipeline.Hint{CallSID: sid, Status: status, Sequence: &seq, Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback})
	return record(string(b))
}

// sweepRecord is the record of a sweep hint for sid in status.
func sweepRecord(sid, status string) events.SQSMessage {
	b, _ := json.Marshal(pipeline.Hint{CallSID: sid, Status: status, Source: pipeline.SourceSweep})
	return record(string(b))
}

// failedIDs returns the message ids of resp's item failures.
func failedIDs(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// publishedDetails returns the details of the events on the test bus, each
// checked against callwire.call.event.v1 and the event's envelope.
func (env *testEnv) publishedDetails(t *testing.T) []detailDoc {
	t.Helper()
	var out []detailDoc
	for _, e := range env.events.Events(testBus) {
		if e.Source != defaultSource || e.DetailType != DetailType {
			t.Errorf("event source %q, detail-type %q; want %q, %q", e.Source, e.DetailType, defaultSource, DetailType)
		}
		if err := callevent.Validate([]byte(e.Detail)); err != nil {
			t.Errorf("event detail: %v\n%s", err, e.Detail)
		}
		var d detailDoc
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// detailDoc is the part of a published detail the tests compare.
type detailDoc struct {
	EventID string `json:"event_id"`
	CallSID string `json:"call_sid"`
	Status  string `json:"status"`
	Hint    struct {
		Source string `json:"source"`
		Status string `json:"status"`
	} `json:"hint"`
	Call *struct {
		SID    string `json:"sid"`
		Status string `json:"status"`
	} `json:"call"`
}

// eventIDs returns the event ids of ds in order.
func eventIDs(ds []detailDoc) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.EventID)
	}
	return out
}

// metric returns the sum of a metric over the EMF records written so far.
func (env *testEnv) metric(t *testing.T, name string) float64 {
	t.Helper()
	sum := 0.0
	for line := range bytes.Lines([]byte(env.metrics.String())) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("metric line is not JSON: %s", line)
		}
		if v, ok := rec[name].(float64); ok {
			sum += v
		}
	}
	return sum
}

// assertNoSecrets fails when any credential shows up in text: the API token
// in any form, the Basic header value, the AWS secret key.
func assertNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(testkit.ProjectID + ":" + testkit.Token))
	for _, s := range []string{testkit.Token, basic, testkit.ProjectID + ":" + testkit.Token, testkit.SecretKey} {
		if bytes.Contains([]byte(text), []byte(s)) {
			t.Errorf("%s contains a credential", where)
		}
	}
}

// handle runs one batch with a deadline like Lambda's.
func (env *testEnv) handle(t *testing.T, records ...events.SQSMessage) events.SQSEventResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	resp, err := env.h.Handle(ctx, events.SQSEvent{Records: records})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return resp
}
