package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

// DetailType is the detail-type of every event the function publishes.
const DetailType = "Call Retrieved"

// detailSchema names the detail's shape (contract/callevent).
const detailSchema = "callwire.call.event.v1"

// EventBridge's limits on PutEvents.
const (
	maxEntriesPerPut = 10
	// maxPutSize is the most a PutEvents request may carry, counted the way
	// EventBridge counts entry sizes (eventsserver.EntrySize).
	maxPutSize = 256 << 10
	// envelopeAllowance is added to each entry's counted size: EventBridge
	// also counts the keys and characters of the event's JSON envelope
	// against the limit, so an entry is only sent when it fits with room
	// for them.
	envelopeAllowance = 1 << 10
)

// omittedTooLarge is call_omitted's value for an event that would not fit
// EventBridge's size limit with its call.
const omittedTooLarge = "too_large"

// detail is the event detail, callwire.call.event.v1.
type detail struct {
	Schema      string      `json:"schema"`
	EventID     string      `json:"event_id"`
	CallSID     string      `json:"call_sid"`
	Status      string      `json:"status"`
	Hint        hintDetail  `json:"hint"`
	Call        *voice.Call `json:"call"`
	CallOmitted string      `json:"call_omitted,omitempty"`
}

// hintDetail is the hint an event was published for.
type hintDetail struct {
	Source    string  `json:"source"`
	Status    string  `json:"status"`
	Sequence  *int64  `json:"sequence"`
	Timestamp *string `json:"timestamp"`
}

// newDetail builds the detail of call, retrieved as sid (the hint's SID,
// lower case, which the event id is made of) after hint h.
func newDetail(sid string, call voice.Call, h pipeline.Hint) detail {
	hd := hintDetail{Source: h.Source, Status: h.Status, Sequence: h.Sequence}
	if h.Timestamp != "" {
		hd.Timestamp = &h.Timestamp
	}
	return detail{
		Schema:  detailSchema,
		EventID: pipeline.EventID(sid, call.Status),
		CallSID: sid,
		Status:  string(call.Status),
		Hint:    hd,
		Call:    &call,
	}
}

// encode returns the detail's JSON, without HTML escaping (EventBridge
// counts bytes, and consumers read JSON, not HTML).
func (d detail) encode() (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return "", fmt.Errorf("%w: encode event detail: %w", voice.ErrInternal, err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// entry is one event ready to put, with the size it counts for.
type entry struct {
	types.PutEventsRequestEntry
	size    int
	omitted bool // the call was left out to fit
}

// newEntry builds the entry of d for bus and source. An entry that would
// not fit EventBridge's limit with its call is built without it (call
// null, call_omitted "too_large"): the event still says that the call
// reached its status, and consumers retrieve the call with getcall.
func newEntry(bus, source string, d detail) (entry, error) {
	body, err := d.encode()
	if err != nil {
		return entry{}, err
	}
	e := entry{PutEventsRequestEntry: types.PutEventsRequestEntry{
		EventBusName: aws.String(bus),
		Source:       aws.String(source),
		DetailType:   aws.String(DetailType),
	}}
	e.size = len(source) + len(DetailType) + len(body) + envelopeAllowance
	if e.size > maxPutSize {
		d.Call, d.CallOmitted = nil, omittedTooLarge
		if body, err = d.encode(); err != nil {
			return entry{}, err
		}
		e.size = len(source) + len(DetailType) + len(body) + envelopeAllowance
		e.omitted = true
	}
	if err := checkDetail(d); err != nil {
		return entry{}, err
	}
	e.Detail = aws.String(body)
	return e, nil
}

// chunks splits entries into PutEvents requests: at most 10 entries and
// maxPutSize counted bytes each. It returns index lists into entries.
func chunks(entries []entry) [][]int {
	var out [][]int
	var cur []int
	size := 0
	for i, e := range entries {
		if len(cur) == maxEntriesPerPut || (len(cur) > 0 && size+e.size > maxPutSize) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, i)
		size += e.size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// eventPutter puts events on a bus. PutEvents succeeds when the request was
// accepted; entries may still fail one by one (ErrorCode set).
type eventPutter interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ eventPutter = (*eventbridge.Client)(nil)

// putResult is the outcome of one entry: its event id, or why it failed.
type putResult struct {
	eventID string
	err     error
	// unknown is set when the entry may have been delivered although its
	// request failed: a timeout, a transport failure, or an error answer
	// that does not say the request was refused before any delivery.
	unknown bool
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

// putAll puts entries in as few requests as the limits allow, then puts the
// entries that failed one by one once more. It returns one result per
// entry and the number of PutEvents requests made.
func putAll(ctx context.Context, bus eventPutter, entries []entry) ([]putResult, int) {
	results := make([]putResult, len(entries))
	requests := 0
	pending := make([]int, len(entries))
	for i := range entries {
		pending[i] = i
	}
	for attempt := 1; attempt <= 2 && len(pending) > 0; attempt++ {
		var retry []int
		sub := make([]entry, len(pending))
		for i, idx := range pending {
			sub[i] = entries[idx]
		}
		for _, c := range chunks(sub) {
			in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(c))}
			for i, j := range c {
				in.Entries[i] = sub[j].PutEventsRequestEntry
			}
			requests++
			out, err := bus.PutEvents(ctx, in)
			for i, j := range c {
				idx := pending[j]
				switch {
				case err != nil:
					results[idx] = putResult{err: fmt.Errorf("put events: %w", err), unknown: outcomeUnknown(err)}
				case i >= len(out.Entries):
					results[idx] = putResult{err: fmt.Errorf("put events: %d result entries for %d events", len(out.Entries), len(c))}
				case out.Entries[i].ErrorCode != nil:
					results[idx] = putResult{err: fmt.Errorf("put events: entry refused: %s: %s",
						aws.ToString(out.Entries[i].ErrorCode), aws.ToString(out.Entries[i].ErrorMessage))}
					retry = append(retry, idx)
				default:
					results[idx] = putResult{eventID: aws.ToString(out.Entries[i].EventId)}
				}
			}
		}
		pending = retry
	}
	return results, requests
}
