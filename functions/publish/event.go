package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

// DetailType is the detail-type of every event the function publishes.
const DetailType = "Call Retrieved"

// detailSchema names the detail's shape (contract/callevent).
const detailSchema = "callwire.call.event.v1"

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

// entry is one event ready to put.
type entry struct {
	events.Entry
	omitted bool // the call was left out to fit
}

// newEntry builds the entry of d for source. An entry that would not fit
// EventBridge's limit with its call is built without it (call null,
// call_omitted "too_large"): the event still says that the call reached its
// status, and consumers retrieve the call with getcall.
func newEntry(source string, d detail) (entry, error) {
	body, err := d.encode()
	if err != nil {
		return entry{}, err
	}
	e := entry{}
	if events.Size(source, DetailType, body) > events.MaxPutSize {
		d.Call, d.CallOmitted = nil, omittedTooLarge
		if body, err = d.encode(); err != nil {
			return entry{}, err
		}
		e.omitted = true
	}
	if err := checkDetail(d); err != nil {
		return entry{}, err
	}
	e.Entry = events.Entry{DetailType: DetailType, Detail: body}
	return e, nil
}

// eventPutter puts events on the bus; PutAll returns one result per entry
// (an entry refused twice, a request failed, or the outcome unknown) and
// how many PutEvents requests it made.
type eventPutter interface {
	PutAll(ctx context.Context, entries []events.Entry) ([]events.Result, int)
}

var _ eventPutter = (*events.Bus)(nil)
