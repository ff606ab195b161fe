package fake_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestEventBridgeBehaviour: PutEvents as publish and the spec watch send
// it, entry validation reported entry by entry (the request succeeds and
// the other entries are delivered), at most ten entries, and an entry that
// names a bus that does not exist.
func TestEventBridgeBehaviour(t *testing.T) {
	t.Parallel()
	run(t, targets(t, startEvents), func(t *testing.T, tg target) {
		c := eventbridge.NewFromConfig(awsConfig(tg.endpoint))
		bus := unique("callwire-behaviour")
		if _, err := c.CreateEventBus(t.Context(), &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
			t.Fatal(err)
		}
		entry := func(bus, detail string) types.PutEventsRequestEntry {
			return types.PutEventsRequestEntry{EventBusName: aws.String(bus), Source: aws.String("callwire"),
				DetailType: aws.String("Call Retrieved"), Detail: aws.String(detail)}
		}
		put := func(entries ...types.PutEventsRequestEntry) *eventbridge.PutEventsOutput {
			t.Helper()
			out, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: entries})
			if err != nil {
				t.Fatalf("PutEvents: %v", err)
			}
			if len(out.Entries) != len(entries) {
				t.Fatalf("PutEvents answered %d entries for %d", len(out.Entries), len(entries))
			}
			return out
		}
		// errorCodes lists each result entry's ErrorCode, "" for an event ID.
		errorCodes := func(out *eventbridge.PutEventsOutput) []string {
			var codes []string
			for _, e := range out.Entries {
				if e.EventId == nil && e.ErrorCode == nil {
					t.Errorf("a result entry has neither an EventId nor an ErrorCode")
				}
				codes = append(codes, aws.ToString(e.ErrorCode))
			}
			return codes
		}

		out := put(entry(bus, `{"event_id":"a"}`), entry(bus, `{"event_id":"b"}`))
		if out.FailedEntryCount != 0 || errorCodes(out)[1] != "" {
			t.Errorf("two valid entries: %d failed", out.FailedEntryCount)
		}

		noDetail := entry(bus, "")
		noDetail.Detail = nil
		out = put(entry(bus, `{"ok":1}`), entry(bus, `not json`), noDetail, entry(bus, `{"ok":2}`))
		got := errorCodes(out)
		if got[0] != "" || got[1] != "MalformedDetail" || got[2] != "InvalidArgument" || got[3] != "" || out.FailedEntryCount != 2 {
			t.Errorf("entry errors %q, %d failed; want valid entries delivered around MalformedDetail and InvalidArgument, 2 failed",
				got, out.FailedEntryCount)
		}

		eleven := make([]types.PutEventsRequestEntry, 11)
		for i := range eleven {
			eleven[i] = entry(bus, `{}`)
		}
		if _, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: eleven}); code(err) != "ValidationException" {
			t.Errorf("PutEvents of eleven entries = %v, want ValidationException", err)
		}

		motoDiffers(t, tg, "moto 5.2 delivers the entries before one that names a missing bus and then fails the whole request "+
			"with ResourceNotFoundException; EventBridge documents no request-level error but InternalException, answers one result "+
			"entry per request entry and goes on with the rest after an entry fails")
		out = put(entry(bus, `{"first":true}`), entry(bus+"-missing", `{}`), entry(bus, `{"last":true}`))
		if got := errorCodes(out); got[0] != "" || got[2] != "" {
			t.Errorf("entries around one naming a missing bus: errors %q, want both delivered", got)
		}
	})
}
