// Package events puts events on an EventBridge bus: the one place callwire's
// functions call EventBridge's PutEvents (the spec watch; publish keeps its
// own batching for now). It counts each entry's size the way EventBridge
// does and refuses an entry that cannot fit before sending anything.
package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// EventBridge's limits on PutEvents.
const (
	// MaxPutSize is the most a PutEvents request may carry, counted as
	// EventBridge counts entry sizes: the UTF-8 lengths of Source,
	// DetailType, Detail and each resource, 14 bytes for a Time.
	MaxPutSize = 256 << 10
	// EnvelopeAllowance is added to each entry's counted size: EventBridge
	// also counts the keys of the event's JSON envelope against the limit,
	// so an entry is only sent when it fits with room for them.
	EnvelopeAllowance = 1 << 10
)

// ErrTooLarge is returned for an entry whose counted size exceeds MaxPutSize.
var ErrTooLarge = errors.New("events: entry exceeds EventBridge's 256 KiB limit")

// Rejected is returned when EventBridge accepted the request but refused the
// entry; it carries EventBridge's code, never the detail.
type Rejected struct {
	Code    string
	Message string
}

// Error says that the entry was refused and why.
func (e *Rejected) Error() string {
	return "events: entry rejected: " + e.Code + ": " + e.Message
}

// putAPI is the part of the EventBridge client the bus uses.
type putAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ putAPI = (*eventbridge.Client)(nil)

// Bus puts events on one bus with one source. It is safe for concurrent use.
type Bus struct {
	api    putAPI
	bus    string
	source string
}

// New returns a Bus for bus and source whose client is built from cfg (its
// endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE through boot.AWS).
func New(cfg aws.Config, bus, source string) *Bus {
	return &Bus{api: eventbridge.NewFromConfig(cfg), bus: bus, source: source}
}

// Size is the size EventBridge counts for an entry of this bus with
// detailType and detail, plus EnvelopeAllowance.
func (b *Bus) Size(detailType, detail string) int {
	return len(b.source) + len(detailType) + len(detail) + EnvelopeAllowance
}

// Put puts one event and returns its id. It fails with ErrTooLarge before
// any request when the entry cannot fit, with a *Rejected when EventBridge
// refuses the entry, and with the SDK's error (after the SDK's retries) when
// the request fails.
func (b *Bus) Put(ctx context.Context, detailType, detail string) (string, error) {
	if n := b.Size(detailType, detail); n > MaxPutSize {
		return "", fmt.Errorf("%w (%d bytes counted)", ErrTooLarge, n)
	}
	out, err := b.api.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(b.bus),
		Source:       aws.String(b.source),
		DetailType:   aws.String(detailType),
		Detail:       aws.String(detail),
	}}})
	if err != nil {
		return "", fmt.Errorf("events: put %s: %w", detailType, err)
	}
	if len(out.Entries) != 1 {
		return "", fmt.Errorf("events: put %s: EventBridge answered %d entries for 1", detailType, len(out.Entries))
	}
	e := out.Entries[0]
	if e.ErrorCode != nil {
		return "", &Rejected{Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.ErrorMessage)}
	}
	return aws.ToString(e.EventId), nil
}
