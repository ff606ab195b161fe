package driftcheck

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/voice"
)

// The errorType values of driftcheck's function errors. Alarms, Scheduler
// dead-letter queues and Step Functions match on them: they are part of the
// interface. Drift itself is never a function error.
const (
	// typeInvalidRequest: the input is malformed; the message names the problem.
	typeInvalidRequest = "InvalidRequest"
	// typeCredentialsUnavailable: the SignalWire secret cannot be read or parsed.
	typeCredentialsUnavailable = "CredentialsUnavailable"
	// typeAccessDenied: SignalWire answered 401 or 403.
	typeAccessDenied = "AccessDenied"
	// typeUpstreamUnavailable: SignalWire could not be reached, kept answering
	// 5xx or 429 after the client's retries, or sent a List Calls page that
	// does not decode.
	typeUpstreamUnavailable = "UpstreamUnavailable"
	// typeInternal: a failure of driftcheck itself, never SignalWire's.
	typeInternal = "Internal"
)

// errorClasses maps failures to errorType and a caller-safe message, in the
// order they are tested. Anything else is a failure of our own: Internal.
var errorClasses = []struct {
	sentinel error
	typ      string
	message  string
}{
	{errInvalidRequest, typeInvalidRequest, "invalid request"},
	{voice.ErrCredentials, typeCredentialsUnavailable, "SignalWire credentials unavailable"},
	{voice.ErrUnauthorized, typeAccessDenied, "SignalWire refused the credentials"},
	{voice.ErrRateLimited, typeUpstreamUnavailable, "SignalWire unavailable"},
	{voice.ErrUpstream, typeUpstreamUnavailable, "SignalWire unavailable"},
	{context.DeadlineExceeded, typeUpstreamUnavailable, "SignalWire unavailable"},
	{voice.ErrInternal, typeInternal, "internal error"},
}

// classify returns the errorType and message of err.
func classify(err error) (typ, message string) {
	for _, c := range errorClasses {
		if errors.Is(err, c.sentinel) {
			return c.typ, c.message
		}
	}
	return typeInternal, "internal error"
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
