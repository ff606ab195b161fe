// Package fail is callwire's one table from failure to report: each
// sentinel error (the voice sentinels, ErrInvalidRequest, a deadline) has an
// errorType (what Lambda reports and Step Functions, destinations and
// alarms match on), an HTTP status (getcall's HTTP answers), a message safe
// for callers, and a reason (publish's code for a record sent back to the
// queue). A function that documents a different errorType for a failure
// classifies through a Table with its overrides.
package fail

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/callwire/callwire/functions/voice"
)

// The errorType values. They are part of the functions' interface: keep
// them stable.
const (
	InvalidRequest         = "InvalidRequest"
	InvalidCallSid         = "InvalidCallSid"
	CallNotFound           = "CallNotFound"
	AccessDenied           = "AccessDenied"
	RateLimited            = "RateLimited"
	UpstreamUnavailable    = "UpstreamUnavailable"
	ContractViolation      = "ContractViolation"
	CredentialsUnavailable = "CredentialsUnavailable"
	Internal               = "Internal"
)

// ErrInvalidRequest reports an invocation input that is malformed; the
// wrapping error names the problem.
var ErrInvalidRequest = errors.New("invalid request")

// Class is how one kind of failure is reported.
type Class struct {
	Sentinel error
	Type     string // errorType
	Status   int    // HTTP status
	Message  string // for callers; details go to the log only
	Reason   string // why a publish record goes back to the queue
}

// Classes maps failures to reports, in the order they are tested: the
// first class whose sentinel err wraps is err's. A deadline is tested after
// every sentinel but ErrUpstream, so a failure of a known class stays in
// it when the deadline also passed.
var Classes = []Class{
	{ErrInvalidRequest, InvalidRequest, http.StatusBadRequest, "invalid request", "internal"},
	{voice.ErrInvalidSID, InvalidCallSid, http.StatusBadRequest, "call sid must be a UUID", "internal"},
	{voice.ErrNotFound, CallNotFound, http.StatusNotFound, "call not found", "not_found"},
	{voice.ErrCredentials, CredentialsUnavailable, http.StatusBadGateway, "SignalWire credentials unavailable", "credentials"},
	{voice.ErrUnauthorized, AccessDenied, http.StatusBadGateway, "SignalWire refused the credentials", "unauthorized"},
	{voice.ErrRateLimited, RateLimited, http.StatusTooManyRequests, "SignalWire rate limit reached; retry later", "rate_limited"},
	{voice.ErrContract, ContractViolation, http.StatusBadGateway, "SignalWire response breaks the contract", "contract"},
	{voice.ErrInternal, Internal, http.StatusInternalServerError, "internal error", "internal"},
	{context.DeadlineExceeded, UpstreamUnavailable, http.StatusGatewayTimeout, "SignalWire did not answer in time", "deadline"},
	{voice.ErrUpstream, UpstreamUnavailable, http.StatusBadGateway, "SignalWire unavailable", "upstream"},
}

// internal is the class of an error no sentinel matches: a failure of
// callwire's own, never reported as SignalWire's.
var internal = Class{Type: Internal, Status: http.StatusInternalServerError, Message: "internal error", Reason: "internal"}

// Table is one function's view of Classes.
type Table struct {
	// Types are the errorTypes the function documents: classes of other
	// types are passed over (an error of none left is Internal). Nil keeps
	// every type.
	Types []string
	// Overrides are tested before Classes.
	Overrides []Class
}

// Scheduled is the table of a function run on a schedule (driftcheck,
// sweep), with its overrides: a run that cannot do its job was given an
// invalid request, had no credentials or was refused them, found
// SignalWire unavailable, or failed on its own.
func Scheduled(overrides ...Class) Table {
	return Table{Types: []string{InvalidRequest, CredentialsUnavailable, AccessDenied, UpstreamUnavailable, Internal}, Overrides: overrides}
}

// Classify returns the class of err in Classes, without overrides.
func Classify(err error) Class { return Table{}.Classify(err) }

// Classify returns the class of err: the first override whose sentinel err
// wraps, else the first class of a documented type in Classes, else
// Internal.
func (t Table) Classify(err error) Class {
	for _, c := range t.Overrides {
		if errors.Is(err, c.Sentinel) {
			return c
		}
	}
	for _, c := range Classes {
		if (t.Types == nil || slices.Contains(t.Types, c.Type)) && errors.Is(err, c.Sentinel) {
			return c
		}
	}
	return internal
}
