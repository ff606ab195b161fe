// Package retrieve confirms one call with SignalWire: it retrieves the call
// (functions/signalwire), decodes the body once, checks that document against
// the contract (package contract) and normalizes the same document
// (signalwire.NormalizeDocument). getcall and the pipeline consumer both serve
// calls through it, so a call is accepted by the same rules whichever way it
// was asked for.
package retrieve

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// Mode says what happens to the contract check of each response.
type Mode string

const (
	// ModeWarn checks every response, reports findings, and still returns the call.
	ModeWarn Mode = "warn"
	// ModeStrict fails a non-conformant response with a *ContractError.
	ModeStrict Mode = "strict"
	// ModeOff skips the check; the call has no Contract summary.
	ModeOff Mode = "off"
)

// ParseMode reads CONTRACT_MODE's value: warn, strict or off, any case.
func ParseMode(v string) (Mode, error) {
	switch m := Mode(strings.ToLower(v)); m {
	case ModeWarn, ModeStrict, ModeOff:
		return m, nil
	}
	return "", fmt.Errorf("CONTRACT_MODE %q must be warn, strict or off", v)
}

// fetcher retrieves one call exchange from SignalWire. GetCallRaw returns the
// final response for any HTTP status; errors wrap the voice sentinels
// (ErrInvalidSID, ErrUpstream, ErrCredentials).
type fetcher interface {
	GetCallRaw(ctx context.Context, sid string) (*signalwire.Response, error)
}

var _ fetcher = (*signalwire.Client)(nil)

// Retriever retrieves, checks and normalizes calls. It is safe for concurrent
// use; build one per execution environment.
type Retriever struct {
	calls     fetcher
	mode      Mode
	validator func() (*contract.Validator, error)
	now       func() time.Time
}

// Option configures a Retriever.
type Option func(*Retriever)

// WithClock sets the clock that stamps retrieved_at (tests fix it).
func WithClock(now func() time.Time) Option {
	return func(r *Retriever) { r.now = now }
}

// New returns a Retriever over calls. Unless mode is ModeOff it starts
// building the contract validator at once, in the background, so the first
// call finds it ready after its secret fetch rather than building it then.
func New(calls fetcher, mode Mode, opts ...Option) *Retriever {
	r := &Retriever{calls: calls, mode: mode, validator: sync.OnceValues(contract.New), now: time.Now}
	for _, opt := range opts {
		opt(r)
	}
	if mode != ModeOff {
		go func() { _, _ = r.validator() }()
	}
	return r
}

// Mode returns the contract mode.
func (r *Retriever) Mode() Mode { return r.mode }

// Outcome is what one retrieval did, for logs and metrics. Get fills what it
// got to, also when it fails.
type Outcome struct {
	SID            string
	UpstreamStatus int
	Attempts       int
	Latency        time.Duration
	// Findings and Conformant are set when the response was checked.
	Findings   []contract.Finding
	Conformant *bool
}

// ContractError is a response refused whatever the mode (or, in strict mode,
// a non-conformant one). Detail is safe to show callers: it names rules,
// pointers and fields, never values.
type ContractError struct{ Detail string }

// Error implements error.
func (e *ContractError) Error() string { return "contract violation: " + e.Detail }

// Unwrap returns voice.ErrContract.
func (e *ContractError) Unwrap() error { return voice.ErrContract }

// Get retrieves the call rawSID, checks and normalizes it. Errors wrap the
// voice sentinels: ErrInvalidSID before any request; ErrNotFound,
// ErrUnauthorized, ErrRateLimited, ErrUpstream for SignalWire's answers;
// ErrCredentials; ErrContract (*ContractError or *signalwire.FieldError) for
// a response that cannot be trusted; ErrInternal for a failure of our own.
//
// Whatever the mode, a response is refused when it is for another call or
// another account than the request, or when it carries the credentials the
// request was made with.
func (r *Retriever) Get(ctx context.Context, rawSID string) (voice.Call, Outcome, error) {
	var out Outcome
	sid, err := voice.ParseSID(rawSID)
	if err != nil {
		return voice.Call{}, out, err
	}
	out.SID = sid
	resp, err := r.calls.GetCallRaw(ctx, sid)
	if err != nil {
		return voice.Call{}, out, err
	}
	out.UpstreamStatus, out.Attempts, out.Latency = resp.StatusCode, resp.Attempts, resp.Latency

	// The body is decoded once: by the check when there is one (its decoder
	// also reports duplicate and undeclared members while it reads), and the
	// normalizer reads the document the check built.
	var doc any
	var decodeErr error
	var res *contract.Result
	if r.mode != ModeOff {
		v, err := r.validator()
		if err != nil {
			return voice.Call{}, out, fmt.Errorf("%w: contract validator: %w", voice.ErrInternal, err)
		}
		checked, d := v.CheckDecoded(contract.Exchange{Method: resp.Method, URL: resp.URL, Status: resp.StatusCode, Header: resp.Header, Body: resp.Body})
		res, doc = &checked, d
		out.Findings = checked.Findings
		out.Conformant = &checked.Conformant
	}
	if doc == nil {
		// No check, or one that did not decode the body (not JSON, or a
		// status without a JSON schema): decode it here, for the normalizer.
		doc, decodeErr = contract.DecodeJSON(resp.Body)
	}
	if err := resp.Err(); err != nil {
		// An error body is never passed on, so the status alone decides.
		return voice.Call{}, out, fmt.Errorf("retrieve: call %s: %w", sid, err)
	}
	if resp.Echoes(resp.Body) {
		return voice.Call{}, out, &ContractError{Detail: "the response carries the credentials it was requested with"}
	}
	if res != nil && r.mode == ModeStrict && !res.Conformant {
		return voice.Call{}, out, &ContractError{Detail: describeErrors(res.Findings)}
	}
	if decodeErr != nil {
		return voice.Call{}, out, fmt.Errorf("retrieve: call %s: %w", sid, &signalwire.FieldError{Field: "body", Reason: "not JSON"})
	}
	if echoes(doc, resp) {
		// Escapes such as \u0050 hid the credentials from the check on the raw bytes.
		return voice.Call{}, out, &ContractError{Detail: "the response carries the credentials it was requested with"}
	}
	call, err := signalwire.NormalizeDocument(doc, r.now())
	if err != nil {
		return voice.Call{}, out, fmt.Errorf("retrieve: call %s: %w", sid, err)
	}
	if !strings.EqualFold(call.SID, sid) {
		return voice.Call{}, out, &ContractError{Detail: "the response is for another call (body sid differs from the requested sid)"}
	}
	if !strings.EqualFold(call.AccountSID, resp.ProjectID) {
		return voice.Call{}, out, &ContractError{Detail: "the response is for another account (body account_sid differs from the project the request was made for)"}
	}
	if res != nil {
		call.Contract = &voice.ContractSummary{Conformant: res.Conformant, Findings: res.Errors()}
	}
	return call, out, nil
}

// echoes reports whether any string in the decoded document (keys included)
// carries the credentials of resp.
func echoes(doc any, resp *signalwire.Response) bool {
	switch v := doc.(type) {
	case string:
		return resp.Echoes([]byte(v))
	case map[string]any:
		for k, e := range v {
			if resp.Echoes([]byte(k)) || echoes(e, resp) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if echoes(e, resp) {
				return true
			}
		}
	}
	return false
}

// describeErrors names the error findings by rule and pointer, never by value.
func describeErrors(fs []contract.Finding) string {
	var parts []string
	for _, f := range fs {
		if f.Severity == contract.SeverityError {
			parts = append(parts, f.Rule+" "+f.Pointer)
		}
	}
	const maxListed = 8
	n, extra := len(parts), ""
	if n > maxListed {
		extra = fmt.Sprintf(" and %d more", n-maxListed)
		parts = parts[:maxListed]
	}
	return fmt.Sprintf("%d error findings: %s%s", n, strings.Join(parts, ", "), extra)
}
