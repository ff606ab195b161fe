package voice

import "errors"

// Sentinel errors shared by the adapters and the Lambda handlers. Adapters wrap
// them (or return types whose Unwrap method yields them) so that callers can
// branch with errors.Is without knowing which adapter failed.
var (
	// ErrInvalidSID reports a call SID that is not a canonical UUID.
	ErrInvalidSID = errors.New("invalid call sid")

	// ErrNotFound reports that SignalWire does not know the requested call.
	ErrNotFound = errors.New("not found")

	// ErrUnauthorized reports that SignalWire rejected the project credentials.
	ErrUnauthorized = errors.New("unauthorized")

	// ErrRateLimited reports that SignalWire throttled the request and the
	// retry budget ran out.
	ErrRateLimited = errors.New("rate limited")

	// ErrUpstream reports an upstream failure that is not the caller's fault:
	// a 5xx status, an unexpected status or a transport error.
	ErrUpstream = errors.New("upstream error")

	// ErrCredentials reports that the SignalWire credentials could not be
	// loaded or are malformed (as opposed to being rejected by SignalWire,
	// which is ErrUnauthorized).
	ErrCredentials = errors.New("credentials unavailable or malformed")

	// ErrContract reports an upstream response whose body breaks the contract
	// so badly that it cannot be normalized.
	ErrContract = errors.New("response breaks the contract")
	// ErrInternal reports a failure of callwire itself, not of SignalWire or
	// of the request: callers see it as an internal error, never as an
	// upstream one.
	ErrInternal = errors.New("internal error")
)
