package getcall

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/voice"
)

// The errorType values of getcall's function errors. Step Functions and
// Lambda destinations match on them: they are part of the interface.
const (
	typeInvalidRequest         = "InvalidRequest"
	typeInvalidCallSid         = "InvalidCallSid"
	typeCallNotFound           = "CallNotFound"
	typeAccessDenied           = "AccessDenied"
	typeRateLimited            = "RateLimited"
	typeUpstreamUnavailable    = "UpstreamUnavailable"
	typeContractViolation      = "ContractViolation"
	typeCredentialsUnavailable = "CredentialsUnavailable"
	typeInternal               = "Internal"
)

// errorClass is how one kind of failure is reported: as a function error and as an HTTP answer.
type errorClass struct {
	sentinel error
	typ      string
	status   int
	message  string // for callers; details go to the log only
}

// errorClasses maps failures to answers, in the order they are tested.
var errorClasses = []errorClass{
	{errInvalidRequest, typeInvalidRequest, http.StatusBadRequest, "invalid request"},
	{voice.ErrInvalidSID, typeInvalidCallSid, http.StatusBadRequest, "call sid must be a UUID"},
	{voice.ErrNotFound, typeCallNotFound, http.StatusNotFound, "call not found"},
	{voice.ErrUnauthorized, typeAccessDenied, http.StatusBadGateway, "SignalWire refused the credentials"},
	{voice.ErrRateLimited, typeRateLimited, http.StatusTooManyRequests, "SignalWire rate limit reached; retry later"},
	{voice.ErrCredentials, typeCredentialsUnavailable, http.StatusBadGateway, "SignalWire credentials unavailable"},
	{voice.ErrContract, typeContractViolation, http.StatusBadGateway, "SignalWire response breaks the contract"},
	{voice.ErrInternal, typeInternal, http.StatusInternalServerError, "internal error"},
	{voice.ErrUpstream, typeUpstreamUnavailable, http.StatusBadGateway, "SignalWire unavailable"},
}

// classify returns the class of err. A deadline is UpstreamUnavailable with
// HTTP 504; an error of no known class is a failure of our own: Internal,
// HTTP 500, never reported as SignalWire's.
func classify(err error) errorClass {
	for _, c := range errorClasses {
		if errors.Is(err, c.sentinel) {
			if c.typ == typeUpstreamUnavailable && errors.Is(err, context.DeadlineExceeded) {
				c.status = http.StatusGatewayTimeout
				c.message = "SignalWire did not answer in time"
			}
			return c
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errorClass{typ: typeUpstreamUnavailable, status: http.StatusGatewayTimeout, message: "SignalWire did not answer in time"}
	}
	return errorClass{typ: typeInternal, status: http.StatusInternalServerError, message: "internal error"}
}

// functionError is the error a direct or EventBridge invoke returns: Lambda
// reports its Type as errorType and its Message as errorMessage.
func functionError(c errorClass, detail string) error {
	msg := c.message
	if detail != "" {
		msg += ": " + detail
	}
	return messages.InvokeResponse_Error{Type: c.typ, Message: msg}
}
