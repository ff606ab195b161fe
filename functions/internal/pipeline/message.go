// Package pipeline defines what travels between callwire's event-driven
// functions: the message the status-callback receiver (and the sweep) put on
// the queue, and the event id that every published call event carries.
package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/callwire/callwire/functions/voice"
)

// Sources of a Hint.
const (
	SourceCallback = "callback" // a verified SignalWire status callback
	SourceSweep    = "sweep"    // the reconciliation sweep found the call in List Calls
)

// TerminalStatuses are the call statuses after which a call no longer
// changes: the default set the receiver hands on and the sweep looks for.
var TerminalStatuses = []voice.Status{
	voice.StatusCompleted, voice.StatusBusy, voice.StatusFailed, voice.StatusNoAnswer, voice.StatusCanceled,
}

// Hint is one queue message: a call that changed state, to be confirmed with
// Retrieve a Call before anything is published. It never carries credentials,
// phone numbers or any other field of the callback beyond these.
type Hint struct {
	// CallSID is the call's SID, a lower-case UUID.
	CallSID string `json:"call_sid"`
	// Status is the status the callback (or List Calls) reported.
	Status string `json:"status"`
	// Sequence is the callback's SequenceNumber, when it had one.
	Sequence *int64 `json:"sequence,omitempty"`
	// Timestamp is the callback's Timestamp as sent (RFC 2822), when it had one.
	Timestamp string `json:"timestamp,omitempty"`
	// Source is SourceCallback or SourceSweep.
	Source string `json:"source"`
}

// ErrMessage reports a queue message that is not a Hint.
var ErrMessage = errors.New("pipeline: malformed message")

// ParseHint decodes and checks one queue message body.
func ParseHint(body []byte) (Hint, error) {
	var h Hint
	if err := json.Unmarshal(body, &h); err != nil {
		return Hint{}, fmt.Errorf("%w: not a JSON hint", ErrMessage)
	}
	sid, err := voice.ParseSID(h.CallSID)
	if err != nil {
		return Hint{}, fmt.Errorf("%w: call_sid: %w", ErrMessage, err)
	}
	h.CallSID = sid
	if h.Status == "" {
		return Hint{}, fmt.Errorf("%w: status is missing", ErrMessage)
	}
	return h, nil
}

// EventID is the id of the event published for a call in a status: the same
// call in the same status always has the same id, whichever path (a callback,
// its retry, the sweep) brought it, so consumers can drop duplicates on it.
func EventID(callSID string, status voice.Status) string {
	return callSID + "/" + string(status)
}
