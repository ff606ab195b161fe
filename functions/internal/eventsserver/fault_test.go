package eventsserver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/eventsserver"
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

// TestDetailDepth: EventBridge processes Detail JSON nested up to 1100
// levels; a deeper entry fails as MalformedDetail, brackets inside strings
// do not count.
func TestDetailDepth(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.CreateBus("calls")
	nested := func(n int) string {
		return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
	}
	out, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("calls", nested(eventsserver.MaxDetailDepth)),
		entry("calls", nested(eventsserver.MaxDetailDepth+1)),
		entry("calls", `{"s":"`+strings.Repeat(`[{\"`, 2000)+`"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range out.Entries {
		codes = append(codes, aws.ToString(e.ErrorCode))
	}
	if diff := cmp.Diff([]string{"", "MalformedDetail", ""}, codes); diff != "" {
		t.Errorf("entry error codes (-want +got):\n%s", diff)
	}
}
