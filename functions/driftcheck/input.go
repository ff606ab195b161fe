package driftcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/voice"
)

// errInvalidRequest marks an input driftcheck cannot serve.
var errInvalidRequest = fail.ErrInvalidRequest

// input is the invocation payload; every member is optional. EventBridge
// Scheduler delivers the schedule's input as is, so the same shape serves
// scheduled and direct invokes.
type input struct {
	// CallSIDs are checked in order, before the sampled ones.
	CallSIDs []string `json:"call_sids"`
	// SampleRecent is how many recent calls to list and check; 0 lists none.
	SampleRecent *int `json:"sample_recent"`
	// ProbeNotFound asks for a random SID and checks the 404 error body.
	ProbeNotFound *bool `json:"probe_not_found"`
}

// plan is what one invocation checks.
type plan struct {
	sids          []string // canonical, without duplicates
	sampleRecent  int
	probeNotFound bool
}

const inputShape = `expected {"call_sids": ["<uuid>", ...], "sample_recent": 0-1000, "probe_not_found": true|false}, every member optional`

// decodeInput parses and validates payload, filling what it leaves out from cfg.
// Errors wrap errInvalidRequest and name the problem, never more than an
// index of the offending SID.
func decodeInput(payload []byte, cfg config) (plan, error) {
	p := plan{sampleRecent: cfg.sampleRecent, probeNotFound: cfg.probeNotFound}
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || bytes.Equal(payload, []byte("null")) {
		return p, nil
	}
	if payload[0] != '{' {
		return plan{}, fmt.Errorf("%w: input is not a JSON object; %s", errInvalidRequest, inputShape)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var in input
	if err := dec.Decode(&in); err != nil {
		return plan{}, fmt.Errorf("%w: %s; %s", errInvalidRequest, decodeReason(err), inputShape)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return plan{}, fmt.Errorf("%w: trailing data after the input object", errInvalidRequest)
	}
	if len(in.CallSIDs) > maxCallSIDs {
		return plan{}, fmt.Errorf("%w: call_sids has %d entries; at most %d are allowed", errInvalidRequest, len(in.CallSIDs), maxCallSIDs)
	}
	seen := make(map[string]bool, len(in.CallSIDs))
	for i, s := range in.CallSIDs {
		sid, err := voice.ParseSID(s)
		if err != nil {
			return plan{}, fmt.Errorf("%w: call_sids[%d] is not a UUID", errInvalidRequest, i)
		}
		if !seen[sid] {
			seen[sid] = true
			p.sids = append(p.sids, sid)
		}
	}
	if in.SampleRecent != nil {
		n := *in.SampleRecent
		if n < 0 || n > maxSampleRecent {
			return plan{}, fmt.Errorf("%w: sample_recent %d is outside 0..%d", errInvalidRequest, n, maxSampleRecent)
		}
		p.sampleRecent = n
	}
	if in.ProbeNotFound != nil {
		p.probeNotFound = *in.ProbeNotFound
	}
	return p, nil
}

// decodeReason describes a decoding error without quoting the input.
func decodeReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s has the wrong type (%s)", typ.Field, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown member " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	}
	return "malformed JSON"
}
