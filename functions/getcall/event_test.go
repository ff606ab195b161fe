package getcall

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/voice"
)

// TestMalformedEvents checks that every event getcall cannot serve, however
// it is malformed, is an InvalidRequest from our own handler (never the
// runtime's SyntaxError or another type), and makes no SignalWire request.
func TestMalformedEvents(t *testing.T) {
	t.Parallel()
	const a, b = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "c0c0ca11-0002-4b0b-9a55-0ac41be00002"
	deep := strings.Repeat(`{"x":`, 10_001) + `1` + strings.Repeat(`}`, 10_001)
	deepArray := `{"call_sid":"` + a + `","y":` + strings.Repeat(`[`, 20_000) + strings.Repeat(`]`, 20_000) + `}`
	tests := []struct {
		name    string
		payload string
		wantMsg string
	}{
		{name: "nested deeper than the decoder allows", payload: deep},
		{name: "deep array beside a valid sid", payload: deepArray},
		{name: "not JSON", payload: `call_sid=` + a},
		{name: "truncated", payload: `{"call_sid":"` + a},
		{name: "both call_sid and detail.call_sid", payload: `{"call_sid":"` + a + `","detail":{"call_sid":"` + b + `"}}`, wantMsg: "ambiguous"},
		{name: "both, the same sid", payload: `{"call_sid":"` + a + `","detail":{"call_sid":"` + a + `"}}`, wantMsg: "ambiguous"},
		{name: "call_sid twice", payload: `{"call_sid":"` + a + `","call_sid":"` + b + `"}`, wantMsg: "ambiguous"},
		{name: "detail.call_sid twice", payload: `{"detail":{"call_sid":"` + a + `","call_sid":"` + b + `"}}`, wantMsg: "ambiguous"},
		{name: "http and call_sid", payload: `{"call_sid":"` + a + `","requestContext":{"http":{"method":"GET","path":"/calls/` + b + `"}}}`, wantMsg: "ambiguous"},
		{name: "detail.CallSid is not what the rule sends", payload: `{"detail":{"CallSid":"` + a + `"}}`, wantMsg: "no call_sid"},
		{name: "case-folded member", payload: `{"CALL_SID":"` + a + `"}`},
		{name: "call_sid not a string", payload: `{"call_sid":42}`, wantMsg: "must be a string"},
		{name: "call_sid null", payload: `{"call_sid":null}`, wantMsg: "must be a string"},
		{name: "call_sid true", payload: `{"call_sid":true}`, wantMsg: "must be a string"},
		{name: "call_sid an array", payload: `{"call_sid":["` + a + `"]}`, wantMsg: "must be a string"},
		{name: "call_sid an object", payload: `{"call_sid":{"sid":"` + a + `"}}`, wantMsg: "must be a string"},
		{name: "detail.call_sid null", payload: `{"detail":{"call_sid":null}}`, wantMsg: "must be a string"},
		{name: "detail.call_sid a number", payload: `{"detail":{"call_sid":7}}`, wantMsg: "must be a string"},
		{name: "detail null", payload: `{"detail":null}`},
		{name: "rawPath null", payload: `{"rawPath":null,"requestContext":{"http":{"method":"GET","path":"/calls/` + a + `"}}}`, wantMsg: "rawPath is not a string"},
		{name: "method not a string", payload: `{"requestContext":{"http":{"method":7,"path":"/calls/` + a + `"}}}`},
		{name: "path not a string", payload: `{"requestContext":{"http":{"method":"GET","path":null}}}`},
		{name: "detail not an object", payload: `{"detail":"` + a + `"}`},
	}
	env := setup(t, retrieve.ModeWarn)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := env.sw.Requests()
			_, ierr := env.invoke(t.Context(), []byte(tt.payload))
			if ierr == nil || ierr.Type != fail.InvalidRequest {
				t.Fatalf("invoke = %+v, want errorType %s", ierr, fail.InvalidRequest)
			}
			if tt.wantMsg != "" && !strings.Contains(ierr.Message, tt.wantMsg) {
				t.Errorf("message %q lacks %q", ierr.Message, tt.wantMsg)
			}
			if len(ierr.Message) > 512 {
				t.Errorf("message of %d bytes", len(ierr.Message))
			}
			if env.sw.Requests() != before {
				t.Errorf("a malformed event reached SignalWire")
			}
		})
	}
}

func TestRepeatedKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":{},"b":[],"c":{"d":[1,{"e":1,"e":2}]}}`, "e"},
		{`{"a":[{"x":1}],"a":2}`, "a"},
		{`{}`, ""},
	}
	for _, tt := range tests {
		got, ok := repeatedKey([]byte(tt.in))
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("repeatedKey(%s) = %q, %t; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// TestClassifyInternal checks that our own failures are reported as such:
// Internal (HTTP 500), never as SignalWire's UpstreamUnavailable.
func TestClassifyInternal(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		errors.New("some bug"),
		fmt.Errorf("%w: contract validator: broken bundle", voice.ErrInternal),
	} {
		if c := classify(err); c.Type != fail.Internal || c.Status != http.StatusInternalServerError {
			t.Errorf("classify(%v) = %s/%d, want %s/500", err, c.Type, c.Status, fail.Internal)
		}
	}
	if c := classify(fmt.Errorf("x: %w", voice.ErrUpstream)); c.Type != fail.UpstreamUnavailable {
		t.Errorf("classify(ErrUpstream) = %s", c.Type)
	}
}
