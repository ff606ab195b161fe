// Package events puts events on an EventBridge bus: the one place callwire's
// functions call EventBridge (the spec watch's Put, publish's PutAll). It
// counts each entry's size the way EventBridge does, batches entries within
// PutEvents' limits, and refuses an entry that cannot fit before sending
// anything.
package events

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

// EventBridge's limits on PutEvents.
const (
	// MaxEntries is the most entries one PutEvents request may carry.
	MaxEntries = 10
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

// OneAttempt makes the Bus's client send each PutEvents request once: a
// retried request whose first try was delivered would deliver its events
// again, so a caller that bounds deliveries retries on its own terms.
func OneAttempt(o *eventbridge.Options) { o.RetryMaxAttempts = 1 }

// New returns a Bus for bus and source whose client is built from cfg (its
// endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE through boot.AWS) and optFns
// (such as OneAttempt).
func New(cfg aws.Config, bus, source string, optFns ...func(*eventbridge.Options)) *Bus {
	return &Bus{api: eventbridge.NewFromConfig(cfg, optFns...), bus: bus, source: source}
}

// Size is the size EventBridge counts for an entry with source, detailType
// and detail, plus EnvelopeAllowance.
func Size(source, detailType, detail string) int {
	return len(source) + len(detailType) + len(detail) + EnvelopeAllowance
}

// Size is the size EventBridge counts for an entry of this bus with
// detailType and detail, plus EnvelopeAllowance.
func (b *Bus) Size(detailType, detail string) int { return Size(b.source, detailType, detail) }

// Entry is one event to put: its detail-type and its detail (JSON).
type Entry struct {
	DetailType string
	Detail     string
}

// Result is the outcome of one entry: EventBridge's event id, or why it
// failed.
type Result struct {
	EventID string
	Err     error
	// Unknown is set when the entry may have been delivered although its
	// request failed: a timeout, a transport failure, or an error answer
	// that does not say the request was refused before any delivery.
	Unknown bool
}

// Put puts one event and returns its id. It fails with ErrTooLarge before
// any request when the entry cannot fit, with a *Rejected when EventBridge
// refuses the entry, and with the client's error (after its retries) when
// the request fails.
func (b *Bus) Put(ctx context.Context, detailType, detail string) (string, error) {
	if n := b.Size(detailType, detail); n > MaxPutSize {
		return "", fmt.Errorf("%w (%d bytes counted)", ErrTooLarge, n)
	}
	r := b.put(ctx, []Entry{{DetailType: detailType, Detail: detail}})[0]
	if r.Err != nil {
		return "", r.Err
	}
	return r.EventID, nil
}

// PutAll puts entries in as few PutEvents requests as EventBridge's limits
// allow, then puts the entries EventBridge refused once more. It
// returns one Result per entry and the number of requests made. An entry
// that cannot fit fails with ErrTooLarge and is never sent.
func (b *Bus) PutAll(ctx context.Context, entries []Entry) ([]Result, int) {
	results := make([]Result, len(entries))
	requests := 0
	var pending []int
	for i, e := range entries {
		if n := b.Size(e.DetailType, e.Detail); n > MaxPutSize {
			results[i].Err = fmt.Errorf("%w (%d bytes counted)", ErrTooLarge, n)
			continue
		}
		pending = append(pending, i)
	}
	for attempt := 1; attempt <= 2 && len(pending) > 0; attempt++ {
		var retry []int
		sizes := make([]int, len(pending))
		for i, idx := range pending {
			sizes[i] = b.Size(entries[idx].DetailType, entries[idx].Detail)
		}
		for _, c := range chunks(sizes) {
			sub := make([]Entry, len(c))
			for i, j := range c {
				sub[i] = entries[pending[j]]
			}
			requests++
			for i, r := range b.put(ctx, sub) {
				idx := pending[c[i]]
				results[idx] = r
				var rej *Rejected
				if errors.As(r.Err, &rej) {
					retry = append(retry, idx)
				}
			}
		}
		pending = retry
	}
	return results, requests
}

// put sends entries in one PutEvents request.
func (b *Bus) put(ctx context.Context, entries []Entry) []Result {
	in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(entries))}
	for i, e := range entries {
		in.Entries[i] = types.PutEventsRequestEntry{
			EventBusName: aws.String(b.bus),
			Source:       aws.String(b.source),
			DetailType:   aws.String(e.DetailType),
			Detail:       aws.String(e.Detail),
		}
	}
	results := make([]Result, len(entries))
	out, err := b.api.PutEvents(ctx, in)
	for i := range results {
		switch {
		case err != nil:
			results[i] = Result{Err: fmt.Errorf("events: put events: %w", err), Unknown: outcomeUnknown(err)}
		case len(out.Entries) != len(entries):
			results[i] = Result{Err: fmt.Errorf("events: put events: EventBridge answered %d entries for %d", len(out.Entries), len(entries))}
		case out.Entries[i].ErrorCode != nil:
			results[i] = Result{Err: &Rejected{Code: aws.ToString(out.Entries[i].ErrorCode), Message: aws.ToString(out.Entries[i].ErrorMessage)}}
		default:
			results[i] = Result{EventID: aws.ToString(out.Entries[i].EventId)}
		}
	}
	return results
}

// chunks splits entries of the given counted sizes into PutEvents requests:
// at most MaxEntries entries and MaxPutSize counted bytes each. It returns
// index lists into sizes.
func chunks(sizes []int) [][]int {
	var out [][]int
	var cur []int
	total := 0
	for i, n := range sizes {
		if len(cur) == MaxEntries || (len(cur) > 0 && total+n > MaxPutSize) {
			out = append(out, cur)
			cur, total = nil, 0
		}
		cur = append(cur, i)
		total += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// refusedBeforeDelivery are the PutEvents error codes with which
// EventBridge refuses a request as a whole before it looks at its entries:
// throttling and authorization. Any other failure may follow a partial
// delivery (moto answers ResourceNotFoundException after delivering the
// entries before one that names a missing bus), so its outcome is unknown.
var refusedBeforeDelivery = []string{"ThrottlingException", "AccessDeniedException"}

// outcomeUnknown reports whether a failed PutEvents request may have
// delivered some of its entries.
func outcomeUnknown(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && slices.Contains(refusedBeforeDelivery, apiErr.ErrorCode()) {
		return false
	}
	return true
}
