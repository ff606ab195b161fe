package driftcheck

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/voice"
)

// errorTable is driftcheck's view of fail.Classes. Alarms, Scheduler
// dead-letter queues and Step Functions match on its errorTypes: they are
// part of the interface. Drift itself is never a function error.
// UpstreamUnavailable covers SignalWire unreachable, answering 5xx or 429
// after the client's retries, or a List Calls page that does not decode.
var errorTable = fail.Scheduled(
	fail.Class{Sentinel: voice.ErrRateLimited, Type: fail.UpstreamUnavailable, Message: "SignalWire unavailable"},
	fail.Class{Sentinel: context.DeadlineExceeded, Type: fail.UpstreamUnavailable, Message: "SignalWire unavailable"},
)

// classify returns the errorType and message of err.
func classify(err error) (typ, message string) {
	c := errorTable.Classify(err)
	return c.Type, c.Message
}

// functionError is the error Lambda reports with Type as errorType and
// Message as errorMessage. detail must be safe to show: no credentials, no
// upstream bodies.
func functionError(err error, detail string) error {
	typ, msg := classify(err)
	if detail != "" {
		msg += ": " + detail
	}
	return messages.InvokeResponse_Error{Type: typ, Message: msg}
}
