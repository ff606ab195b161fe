package eventsserver_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

// TestDeliverThenFail: the injected fault delivers the first entries and
// fails the request as a whole, so the caller sees only the failure.
func TestDeliverThenFail(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.CreateBus("calls")
	srv.DeliverThenFail(2)
	var entries []types.PutEventsRequestEntry
	for i := range 4 {
		entries = append(entries, entry("calls", fmt.Sprintf(`{"n":%d}`, i)))
	}
	_, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: entries})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalException" {
		t.Fatalf("PutEvents error %v, want InternalException", err)
	}
	if got := len(srv.Events("calls")); got != 2 {
		t.Errorf("%d events delivered, want 2", got)
	}
	srv.DeliverThenFail(-1)
	if _, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: entries[:1]}); err != nil {
		t.Fatalf("after reset: %v", err)
	}
}

// TestSetDelay: the events are delivered before the slow answer, so a
// caller that gives up has still published them.
func TestSetDelay(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.CreateBus("calls")
	srv.SetDelay(5 * time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("calls", `{"n":1}`)}})
	if err == nil {
		t.Fatal("PutEvents returned before the delay")
	}
	if got := len(srv.Events("calls")); got != 1 {
		t.Errorf("%d events delivered, want 1", got)
	}
}
