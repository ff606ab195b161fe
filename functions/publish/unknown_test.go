package publish

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/eventsserver"
)

// sevenCalls are seven recorded calls in a terminal status, each with a
// hint record.
func sevenCalls() []events.SQSMessage {
	var rs []events.SQSMessage
	for _, c := range terminalSIDs[:7] {
		rs = append(rs, hintRecord(c.sid, c.status))
	}
	return rs
}

// eventsPerID counts the events on the test bus by event id.
func (env *testEnv) eventsPerID(t *testing.T) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, d := range env.publishedDetails(t) {
		n[d.EventID]++
	}
	return n
}

// handleBy runs one batch with a deadline of d, as Lambda would.
func (env *testEnv) handleBy(t *testing.T, d time.Duration, records ...events.SQSMessage) events.SQSEventResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	resp, err := env.h.Handle(ctx, events.SQSEvent{Records: records})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return resp
}

// checkAtMostTwice fails when an id was published more than twice, or when
// one of want was never published.
func checkAtMostTwice(t *testing.T, per map[string]int, want int) {
	t.Helper()
	if len(per) != want {
		t.Errorf("%d event ids published, want %d: %v", len(per), want, per)
	}
	for id, n := range per {
		if n > 2 {
			t.Errorf("%s published %d times, want at most twice", id, n)
		}
	}
}

// TestSlowEventBridge: EventBridge takes the events but answers after the
// PutEvents budget. Every redelivery runs into the same slowness; still no
// event id goes out more than twice, and after the last attempt the
// records are acknowledged. Times are scaled down: the PutEvents budget is
// 200 ms, the answer comes after 2 s.
func TestSlowEventBridge(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.h.reserve, env.h.markBudget = 500*time.Millisecond, 300*time.Millisecond
	env.events.SetDelay(2 * time.Second)
	records := sevenCalls()
	var last events.SQSEventResponse
	for range 5 {
		last = env.handleBy(t, 1500*time.Millisecond, records...)
	}
	if got := failedIDs(last); len(got) != 0 {
		t.Errorf("after five deliveries %d records still come back", len(got))
	}
	checkAtMostTwice(t, env.eventsPerID(t), len(records))
	if n := env.metric(t, "EventsPossiblyPublished"); n < float64(len(records)) {
		t.Errorf("EventsPossiblyPublished = %v, want at least %d", n, len(records))
	}
}

// TestDeliveredThenFailed: a PutEvents request delivers part of its
// entries and then fails as a whole. The next delivery publishes each once
// more, so the delivered ones go out twice at most and the others once.
func TestDeliveredThenFailed(t *testing.T) {
	t.Parallel()
	env := setup(t)
	records := sevenCalls()
	env.events.DeliverThenFail(3)
	if got := failedIDs(env.handle(t, records...)); len(got) != len(records) {
		t.Fatalf("%d item failures, want %d", len(got), len(records))
	}
	if n := len(env.events.Events(testBus)); n != 3 {
		t.Fatalf("%d events delivered by the fault, want 3", n)
	}
	env.events.DeliverThenFail(-1)
	for range 3 {
		if got := failedIDs(env.handle(t, records...)); len(got) != 0 {
			t.Fatalf("redelivery: item failures %v", got)
		}
	}
	per := env.eventsPerID(t)
	checkAtMostTwice(t, per, len(records))
	twice := 0
	for _, n := range per {
		if n == 2 {
			twice++
		}
	}
	if twice != 3 {
		t.Errorf("%d ids published twice, want the 3 the fault delivered: %v", twice, per)
	}
}

// TestLastAttemptRefused: the last attempt of a possibly published id is
// refused outright (nothing delivered): the mark stays, and the attempt
// after publishes.
func TestLastAttemptRefused(t *testing.T) {
	t.Parallel()
	env := setup(t)
	r := hintRecord(sidBusy, "busy")
	env.events.SetFault(eventsserver.Unavailable)
	env.handle(t, r)
	env.events.SetFault(eventsserver.AccessDenied)
	if got := failedIDs(env.handle(t, r)); len(got) != 1 {
		t.Fatalf("refused last attempt: item failures %v, want the record", got)
	}
	env.events.SetFault(eventsserver.None)
	if got := failedIDs(env.handle(t, r)); len(got) != 0 {
		t.Fatalf("item failures %v", got)
	}
	if per := env.eventsPerID(t); per[sidBusy+"/busy"] != 1 {
		t.Errorf("events %v, want one", per)
	}
}

// TestPutEventsBudget: with the deployed reserve, a PutEvents that takes
// 5 s is waited for, and the outcome is recorded before the deadline.
func TestPutEventsBudget(t *testing.T) {
	t.Parallel()
	if budget := publishReserve - markBudget; budget <= 5*time.Second {
		t.Errorf("PutEvents gets %v of the reserve, want more than 5 s", budget)
	}
}
