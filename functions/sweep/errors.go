package sweep

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/voice"
)

// errorTable is the sweep's view of fail.Classes. A window left unfinished
// is not an error (it is a metric and an alarm); these are runs that could
// not do their job. The messages also end the report's "stopped" line.
var errorTable = fail.Scheduled(
	fail.Class{Sentinel: voice.ErrRateLimited, Type: fail.UpstreamUnavailable, Message: "rate limited after retries"},
	fail.Class{Sentinel: voice.ErrUpstream, Type: fail.UpstreamUnavailable, Message: "unavailable"},
	fail.Class{Sentinel: context.DeadlineExceeded, Type: fail.UpstreamUnavailable, Message: "no answer in time"},
)

// classify returns the class of err; anything unknown is our own failure.
func classify(err error) fail.Class { return errorTable.Classify(err) }

// functionError is the error Lambda reports, typed; its message never holds
// credentials or upstream bodies.
func functionError(err error) error {
	c := classify(err)
	msg := c.Message
	if c.Type == fail.InvalidRequest {
		msg = err.Error()
	}
	return messages.InvokeResponse_Error{Type: c.Type, Message: msg}
}
