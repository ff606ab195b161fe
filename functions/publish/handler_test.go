package publish

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/pipeline"
)

// TestMixedBatch sends one batch holding every kind of outcome and checks
// that exactly the records that must come back are reported, that the
// others were published once, and that nothing carries a credential.
func TestMixedBatch(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.sw.Script(sidFailed, replay.Scripted{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"1"}},
		Body: []byte(`{"code":20429,"message":"Too Many Requests","more_info":"https://developer.signalwire.com","status":429}`)})
	// net/http retries a GET silently when a reused keep-alive connection
	// is reset before any response byte, on the next idle connection, which
	// may be reused too (ten retrievals run at once): reset every request
	// such a retry can make, more than the idle connections it may try.
	resets := make([]replay.Scripted, 32)
	for i := range resets {
		resets[i].Reset = true
	}
	env.sw.Script(sidCanceled, resets...)

	ok1 := hintRecord(sidCompleted, "completed")
	ok2 := hintRecord(sidBusy, "busy")
	dup := sweepRecord(sidCompleted, "completed") // same call, same batch: one event
	notFound := hintRecord(sidUnknown, "completed")
	rateLimited := hintRecord(sidFailed, "failed")
	server := hintRecord(sidServer500, "completed")
	transport := hintRecord(sidCanceled, "canceled")
	malformed := record(`{"call_sid": "not-a-uuid", "status": "completed", "source": "callback"}`)
	notJSON := record(`completed`)
	badSource := record(`{"call_sid":"` + sidNoAnswer + `","status":"no-answer","source":"somewhere"}`)
	contractViolation := hintRecord(sidOtherCall, "completed")
	notFinal := hintRecord(sidInProgress, "completed")

	resp := env.handle(t, ok1, notFound, rateLimited, ok2, server, malformed, transport, dup, contractViolation, notJSON, notFinal, badSource)

	want := []string{notFound.MessageId, rateLimited.MessageId, server.MessageId, malformed.MessageId, transport.MessageId,
		contractViolation.MessageId, notJSON.MessageId, notFinal.MessageId, badSource.MessageId}
	if diff := cmp.Diff(want, failedIDs(resp)); diff != "" {
		t.Errorf("item failures (-want +got):\n%s", diff)
	}
	got := env.publishedDetails(t)
	if diff := cmp.Diff([]string{sidCompleted + "/completed", sidBusy + "/busy"}, eventIDs(got)); diff != "" {
		t.Errorf("published event ids (-want +got):\n%s", diff)
	}
	for _, d := range got {
		if d.Call == nil || d.Call.SID != d.CallSID || d.Hint.Source != pipeline.SourceCallback {
			t.Errorf("event %s: call %+v, hint %+v", d.EventID, d.Call, d.Hint)
		}
	}
	published, err := env.store.Published(t.Context(), []string{sidCompleted + "/completed", sidBusy + "/busy", sidFailed + "/failed"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{sidCompleted + "/completed": true, sidBusy + "/busy": true, sidFailed + "/failed": false}, published); diff != "" {
		t.Errorf("idempotency records (-want +got):\n%s", diff)
	}
	// Each failure is logged with its reason.
	logs := env.logs.String()
	for _, reason := range []reason{reasonNotFound, reasonRateLimited, reasonUpstream, reasonMalformed, reasonContract, reasonNotFinal} {
		if !strings.Contains(logs, `"reason":"`+string(reason)+`"`) {
			t.Errorf("no log line gives the reason %s", reason)
		}
	}
	if n := env.sw.RequestsFor(sidFailed); n != 1 {
		t.Errorf("the rate-limited call was requested %d times, want 1 (no retry inside the batch)", n)
	}
	for name, want := range map[string]float64{"HintsReceived": 12, "HintsRetried": 9, "HintsMalformed": 3, "EventsPublished": 2} {
		if got := env.metric(t, name); got != want {
			t.Errorf("metric %s = %v, want %v", name, got, want)
		}
	}
	assertNoSecrets(t, "logs", logs)
	assertNoSecrets(t, "metrics", env.metrics.String())
	for _, e := range env.events.Events(testBus) {
		assertNoSecrets(t, "event", e.Detail)
	}
	out, _ := json.Marshal(resp)
	assertNoSecrets(t, "response", string(out))
}

// TestSameCallPublishedOnce brings one finished call again and again: twice
// in one batch, a retried callback, and the sweep. One event goes out.
func TestSameCallPublishedOnce(t *testing.T) {
	t.Parallel()
	env := setup(t)
	first, again := hintRecord(sidNoAnswer, "no-answer"), hintRecord(sidNoAnswer, "no-answer")
	if got := failedIDs(env.handle(t, first, again)); len(got) != 0 {
		t.Fatalf("first batch: item failures %v", got)
	}
	requests := env.sw.RequestsFor(sidNoAnswer)
	if requests != 1 {
		t.Errorf("two records of one call: %d retrievals, want 1", requests)
	}
	for _, r := range []events.SQSMessage{hintRecord(sidNoAnswer, "no-answer"), sweepRecord(sidNoAnswer, "no-answer")} {
		if got := failedIDs(env.handle(t, r)); len(got) != 0 {
			t.Fatalf("redelivery: item failures %v", got)
		}
	}
	if diff := cmp.Diff([]string{sidNoAnswer + "/no-answer"}, eventIDs(env.publishedDetails(t))); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	// The idempotency record answered before any retrieval.
	if n := env.sw.RequestsFor(sidNoAnswer); n != requests {
		t.Errorf("redeliveries retrieved the call again: %d requests, want %d", n, requests)
	}
	if got := env.metric(t, "EventsAlreadyPublished"); got != 2 {
		t.Errorf("EventsAlreadyPublished = %v, want 2", got)
	}

	// A hint whose status differs from the published one (a late callback
	// that says in-progress) retrieves the call, finds the event done, and
	// acknowledges.
	if got := failedIDs(env.handle(t, hintRecord(sidNoAnswer, "in-progress"))); len(got) != 0 {
		t.Fatalf("late non-terminal hint: item failures %v", got)
	}
	if n := len(env.events.Events(testBus)); n != 1 {
		t.Errorf("%d events, want still 1", n)
	}
}

// TestPartialPutEventsFailure makes EventBridge refuse entries: one refusal
// is retried at once; an entry refused twice comes back through the queue
// and is published by the redelivery.
func TestPartialPutEventsFailure(t *testing.T) {
	t.Parallel()
	env := setup(t)
	a, b := hintRecord(sidCompleted, "completed"), hintRecord(sidBusy, "busy")
	env.events.FailEntries(1, "InternalFailure")
	if got := failedIDs(env.handle(t, a, b)); len(got) != 0 {
		t.Fatalf("one refusal, retried: item failures %v", got)
	}
	if n := env.events.Requests(eventsserver.OpPutEvents); n != 2 {
		t.Errorf("PutEvents requests = %d, want 2 (the batch, then the refused entry)", n)
	}

	c, d := hintRecord(sidFailed, "failed"), hintRecord(sidCanceled, "canceled")
	env.events.FailEntries(3, "ThrottlingException") // both, then c again
	if diff := cmp.Diff([]string{c.MessageId}, failedIDs(env.handle(t, c, d))); diff != "" {
		t.Errorf("item failures (-want +got):\n%s", diff)
	}
	if got := env.metric(t, "PublishFailures"); got != 1 {
		t.Errorf("PublishFailures = %v, want 1", got)
	}
	// The failed claim was released: the redelivery publishes at once.
	if got := failedIDs(env.handle(t, c)); len(got) != 0 {
		t.Fatalf("redelivery: item failures %v", got)
	}
	want := []string{sidCompleted + "/completed", sidBusy + "/busy", sidCanceled + "/canceled", sidFailed + "/failed"}
	got := eventIDs(env.publishedDetails(t))
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

// TestPublishDown fails every PutEvents: nothing is acknowledged, nothing is
// marked done, and the redelivery publishes.
func TestPublishDown(t *testing.T) {
	t.Parallel()
	env := setup(t)
	r := hintRecord(sidBusy, "busy")
	// Refused before any delivery: the claim is released.
	env.events.SetFault(eventsserver.AccessDenied)
	if diff := cmp.Diff([]string{r.MessageId}, failedIDs(env.handle(t, r))); diff != "" {
		t.Fatalf("item failures (-want +got):\n%s", diff)
	}
	if items := env.ddb.Items(testTable); len(items) != 0 {
		t.Errorf("a record is left after a failed publish: %s", items)
	}
	env.events.SetFault(eventsserver.None)
	if got := failedIDs(env.handle(t, r)); len(got) != 0 {
		t.Fatalf("redelivery: item failures %v", got)
	}
	if n := len(env.publishedDetails(t)); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}

// TestCrashAfterClaim leaves a claim as an invocation killed between its
// claim and its publish would: the record is in progress until that
// invocation's deadline. A redelivery before then comes back; one after
// publishes.
func TestCrashAfterClaim(t *testing.T) {
	t.Parallel()
	env := setup(t)
	id := sidCompleted + "/completed"
	crashed, err := env.store.Claim(t.Context(), id, env.clock.Now().Add(30*time.Second))
	if err != nil || crashed.State != idempotency.Claimed {
		t.Fatalf("claim: %v, %v", crashed, err)
	}
	r := hintRecord(sidCompleted, "completed")
	if diff := cmp.Diff([]string{r.MessageId}, failedIDs(env.handle(t, r))); diff != "" {
		t.Fatalf("while the claim holds, item failures (-want +got):\n%s", diff)
	}
	if !strings.Contains(env.logs.String(), `"reason":"claimed_elsewhere"`) {
		t.Error("the busy claim is not logged")
	}
	env.clock.Add(31 * time.Second) // the crashed invocation's deadline passed
	if got := failedIDs(env.handle(t, r)); len(got) != 0 {
		t.Fatalf("after the claim expired: item failures %v", got)
	}
	if diff := cmp.Diff([]string{id}, eventIDs(env.publishedDetails(t))); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

// failingComplete is the store with a Complete that never lands, as after a
// crash between PutEvents and the done mark.
type failingComplete struct{ *idempotency.Store }

func (f failingComplete) Complete(context.Context, idempotency.Claim) error {
	return errors.New("idempotency: complete: connection reset")
}

// TestCrashBeforeDoneMark documents the one duplicate the record cannot
// prevent: the event is out but not marked done, so once the claim expires a
// later hint publishes it again, with the same event id.
func TestCrashBeforeDoneMark(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.h.store = failingComplete{env.store}
	r := hintRecord(sidFailed, "failed")
	if got := failedIDs(env.handle(t, r)); len(got) != 0 {
		t.Fatalf("the published event's record is retried: %v\n%s", got, env.logs.String())
	}
	if got := env.metric(t, "IdempotencyErrors"); got != 1 {
		t.Errorf("IdempotencyErrors = %v, want 1", got)
	}
	env.h.store = env.store
	env.clock.Add(time.Hour) // past the claim's expiry
	if got := failedIDs(env.handle(t, sweepRecord(sidFailed, "failed"))); len(got) != 0 {
		t.Fatalf("sweep hint: item failures %v", got)
	}
	got := env.publishedDetails(t)
	if diff := cmp.Diff([]string{sidFailed + "/failed", sidFailed + "/failed"}, eventIDs(got)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

// TestBatchDeadline gives the batch less time than its retrievals need:
// what was retrieved is published, a retrieval still running at the cutoff
// is cancelled and the records not started come back.
func TestBatchDeadline(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.h.concurrency = 1
	env.h.reserve, env.h.markBudget = 300*time.Millisecond, 100*time.Millisecond
	env.sw.Script(sidCompleted, replay.Scripted{Delay: 100 * time.Millisecond})
	env.sw.Script(sidBusy, replay.Scripted{Delay: 5 * time.Second})
	a, b, c := hintRecord(sidCompleted, "completed"), hintRecord(sidBusy, "busy"), hintRecord(sidFailed, "failed")
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := env.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{a, b, c}})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 1500*time.Millisecond {
		t.Errorf("the batch took %v, past its deadline", elapsed)
	}
	if diff := cmp.Diff([]string{b.MessageId, c.MessageId}, failedIDs(resp)); diff != "" {
		t.Errorf("item failures (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{sidCompleted + "/completed"}, eventIDs(env.publishedDetails(t))); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if n := env.sw.RequestsFor(sidFailed); n != 0 {
		t.Errorf("a record was retrieved after the cutoff (%d requests)", n)
	}
	if !strings.Contains(env.logs.String(), `"reason":"deadline"`) {
		t.Error("no log line gives the reason deadline")
	}
}

// TestIdempotencyTableDown makes every claim fail: nothing is published and
// every record comes back.
func TestIdempotencyTableDown(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.ddb.SetFault(testTable, dynamoserver.Unavailable)
	a, b := hintRecord(sidCompleted, "completed"), hintRecord(sidBusy, "busy")
	if diff := cmp.Diff([]string{a.MessageId, b.MessageId}, failedIDs(env.handle(t, a, b))); diff != "" {
		t.Errorf("item failures (-want +got):\n%s", diff)
	}
	if n := len(env.events.Events(testBus)); n != 0 {
		t.Errorf("%d events published without a claim", n)
	}
	if !strings.Contains(env.logs.String(), "idempotency lookup failed") {
		t.Error("the failed lookup is not logged")
	}
}

// TestEvents runs every event in testdata/events/publish through
// lambda.NewHandler(h.Handle).Invoke, as the runtime calls the handler.
func TestEvents(t *testing.T) {
	t.Parallel()
	env := setup(t)
	files, err := filepath.Glob(filepath.Join(testdataDir, "events", "publish", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var in events.SQSEvent
			if err := json.Unmarshal(payload, &in); err != nil {
				t.Fatal(err)
			}
			out, err := lambda.NewHandler(env.h.Handle).Invoke(t.Context(), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp events.SQSEventResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			// The sample's last record is malformed; the others are published.
			if diff := cmp.Diff([]string{in.Records[len(in.Records)-1].MessageId}, failedIDs(resp)); diff != "" {
				t.Errorf("item failures (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(env.publishedDetails(t)); n == 0 {
		t.Error("no event published")
	}
}
