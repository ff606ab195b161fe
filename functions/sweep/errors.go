package sweep

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/voice"
)

// The errorType values of the sweep's function errors. A window left
// unfinished is not an error (it is a metric and an alarm); these are runs
// that could not do their job.
const (
	typeInvalidRequest         = "InvalidRequest"
	typeCredentialsUnavailable = "CredentialsUnavailable"
	typeAccessDenied           = "AccessDenied"
	typeUpstreamUnavailable    = "UpstreamUnavailable"
	typeInternal               = "Internal"
)

type errorClass struct {
	sentinel error
	typ      string
	message  string
}

var errorClasses = []errorClass{
	{errInvalidRequest, typeInvalidRequest, "invalid request"},
	{voice.ErrCredentials, typeCredentialsUnavailable, "SignalWire credentials unavailable"},
	{voice.ErrUnauthorized, typeAccessDenied, "SignalWire refused the credentials"},
	{voice.ErrRateLimited, typeUpstreamUnavailable, "rate limited after retries"},
	{voice.ErrUpstream, typeUpstreamUnavailable, "unavailable"},
	{context.DeadlineExceeded, typeUpstreamUnavailable, "no answer in time"},
}

// classify returns the class of err; anything unknown is our own failure.
func classify(err error) errorClass {
	for _, c := range errorClasses {
		if errors.Is(err, c.sentinel) {
			return c
		}
	}
	return errorClass{typ: typeInternal, message: "internal error"}
}

// functionError is the error Lambda reports, typed; its message never holds
// credentials or upstream bodies.
func functionError(err error) error {
	c := classify(err)
	msg := c.message
	if c.typ == typeInvalidRequest {
		msg = err.Error()
	}
	return messages.InvokeResponse_Error{Type: c.typ, Message: msg}
}
