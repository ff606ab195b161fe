package publish

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

// errInvalidEvent marks a detail that breaks callwire.call.event.v1: it is
// never put on the bus.
var errInvalidEvent = errors.New("event detail breaks " + detailSchema)

// checkDetail checks d, as it is about to be encoded, against what
// callwire.call.event.v1 (with callwire.call.v1 for the call) requires of
// the values the Go types leave open: the SID and status patterns, the
// event id, the hint's source and sequence, call and call_omitted, the
// call's non-empty strings, direction, times and counts. The types fix
// everything else (every key present, each of its JSON type), and the JSON
// encoder writes valid UTF-8 whatever the strings hold.
//
// The Lambda links no JSON Schema library (functions/internal/linkcheck):
// TestCheckDetailAgreesWithSchema and FuzzCheckDetail hold this check to
// the schema through contract/callevent, which validates with one.
func checkDetail(d detail) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if d.Schema != detailSchema {
		add("schema %q", clip(d.Schema))
	}
	if !isLowerUUID(d.CallSID) {
		add("call_sid %q is not a lower-case UUID", clip(d.CallSID))
	}
	if !isStatusWord(d.Status) {
		add("status %q is not lower-case letters and '-'", clip(d.Status))
	}
	if d.EventID != pipeline.EventID(d.CallSID, voice.Status(d.Status)) {
		add("event_id %q is not call_sid/status", clip(d.EventID))
	}
	if d.Hint.Source != pipeline.SourceCallback && d.Hint.Source != pipeline.SourceSweep {
		add("hint.source %q", clip(d.Hint.Source))
	}
	if d.Hint.Status == "" {
		add("hint.status is empty")
	}
	if d.Hint.Sequence != nil && *d.Hint.Sequence < 0 {
		add("hint.sequence %d is negative", *d.Hint.Sequence)
	}
	switch {
	case d.Call == nil && d.CallOmitted != omittedTooLarge:
		add("call is null without call_omitted %q", omittedTooLarge)
	case d.Call != nil && d.CallOmitted != "":
		add("call_omitted %q with a call", clip(d.CallOmitted))
	case d.Call != nil:
		problems = append(problems, checkCall(d)...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", errInvalidEvent, strings.Join(problems, "; "))
	}
	return nil
}

// checkCall checks the call of d against callwire.call.v1.
func checkCall(d detail) []string {
	c := d.Call
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.SID == "" || !strings.EqualFold(c.SID, d.CallSID) {
		add("call.sid %q differs from call_sid", clip(c.SID))
	}
	if c.AccountSID == "" {
		add("call.account_sid is empty")
	}
	if string(c.Status) != d.Status {
		add("call.status %q differs from status", clip(string(c.Status)))
	}
	if c.Direction != nil && *c.Direction != voice.DirectionInbound && *c.Direction != voice.DirectionOutbound {
		add("call.direction %q", clip(string(*c.Direction)))
	}
	if c.DurationSeconds < 0 {
		add("call.duration_seconds %d is negative", c.DurationSeconds)
	}
	if c.Contract != nil && c.Contract.Findings < 0 {
		add("call.contract.findings %d is negative", c.Contract.Findings)
	}
	times := []struct {
		name string
		t    *time.Time
	}{{"created_at", &c.CreatedAt}, {"updated_at", &c.UpdatedAt}, {"started_at", c.StartedAt}, {"ended_at", c.EndedAt}, {"retrieved_at", &c.RetrievedAt}}
	for _, tm := range times {
		// RFC 3339 has four-digit years: Go writes others with a sign or
		// more digits.
		if tm.t != nil && (tm.t.UTC().Year() < 0 || tm.t.UTC().Year() > 9999) {
			add("call.%s year %d is outside 0000-9999", tm.name, tm.t.UTC().Year())
		}
	}
	return problems
}

// isLowerUUID reports whether s is a UUID in lower-case hex.
func isLowerUUID(s string) bool { return contract.IsUUID(s) && s == strings.ToLower(s) }

// isStatusWord reports whether s matches ^[a-z][a-z-]*$.
func isStatusWord(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
