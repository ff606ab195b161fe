package testkit

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/contract/callevent"
)

// DeliveredEvent is an EventBridge event as a rule delivers it to an SQS
// queue.
type DeliveredEvent struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	// EventID is the detail's event_id.
	EventID string `json:"-"`
}

// ParseDeliveredEvent decodes a queued event's body, checks its detail
// against callwire.call.event.v1 (an error of t where it does not hold) and
// reads its event id.
func ParseDeliveredEvent(t testing.TB, body *string) DeliveredEvent {
	t.Helper()
	var ev DeliveredEvent
	if err := json.Unmarshal([]byte(aws.ToString(body)), &ev); err != nil {
		t.Fatal(err)
	}
	if err := callevent.Validate(ev.Detail); err != nil {
		t.Errorf("event: %v", err)
	}
	var d struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	ev.EventID = d.EventID
	return ev
}

// DrainEvents reads and deletes the events on the queue at url until it is
// found empty twice, or, while fewer than atLeast have come, five times;
// each is checked by ParseDeliveredEvent.
func DrainEvents(t testing.TB, c *sqs.Client, url string, atLeast int) []DeliveredEvent {
	t.Helper()
	var evs []DeliveredEvent
	for empty := 0; empty < 2 || len(evs) < atLeast && empty < 5; {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			evs = append(evs, ParseDeliveredEvent(t, m.Body))
			if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return evs
}
