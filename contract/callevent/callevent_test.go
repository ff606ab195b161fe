package callevent_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/callevent"
)

// validEvent is an event detail with every part filled.
const validEvent = `{"schema":"callwire.call.event.v1",
 "event_id":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10/completed",
 "call_sid":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10","status":"completed",
 "hint":{"source":"callback","status":"completed","sequence":4,"timestamp":"Mon, 02 Mar 2026 14:07:45 +0000"},
 "call":{"schema":"callwire.call.v1",
 "sid":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10","account_sid":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
 "parent_call_sid":null,"phone_number_sid":null,
 "direction":"outbound","direction_detail":"outbound-api","status":"completed","answered_by":null,
 "from":"+12125550187","to":"+14155550123","from_formatted":null,"to_formatted":null,
 "created_at":"2026-03-02T14:05:07Z","updated_at":"2026-03-02T14:07:41Z",
 "started_at":"2026-03-02T14:05:09Z","ended_at":"2026-03-02T14:07:40Z",
 "duration_seconds":151,"price":null,"sip_result_code":null,"quality":null,
 "uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
 "recordings_uri":null,"api_version":"2010-04-01","contract":{"conformant":true,"findings":0},
 "retrieved_at":"2026-03-02T14:08:00.123Z"}}`

func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validEvent), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  []byte
	}{
		{"full", []byte(validEvent)},
		{"sweep hint without sequence or timestamp", edit(t, func(m map[string]any) {
			m["hint"] = map[string]any{"source": "sweep", "status": "completed", "sequence": nil, "timestamp": nil}
		})},
		{"call omitted", edit(t, func(m map[string]any) { m["call"] = nil; m["call_omitted"] = "too_large" })},
		{"hint status differs from the retrieved one", edit(t, func(m map[string]any) {
			m["hint"].(map[string]any)["status"] = "no-answer"
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := callevent.Validate(tt.doc); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"not JSON", []byte(`{`), "not JSON"},
		{"wrong schema", edit(t, func(m map[string]any) { m["schema"] = "callwire.call.v1" }), "/schema"},
		{"missing hint", edit(t, func(m map[string]any) { delete(m, "hint") }), "hint"},
		{"unknown source", edit(t, func(m map[string]any) { m["hint"].(map[string]any)["source"] = "cron" }), "/hint/source"},
		{"negative sequence", edit(t, func(m map[string]any) { m["hint"].(map[string]any)["sequence"] = -1 }), "/hint/sequence"},
		{"extra member", edit(t, func(m map[string]any) { m["token"] = "x" }), "token"},
		{"call breaks callwire.call.v1", edit(t, func(m map[string]any) { delete(m["call"].(map[string]any), "from") }), "/call"},
		{"null call without reason", edit(t, func(m map[string]any) { m["call"] = nil }), "call_omitted"},
		{"reason with a call", edit(t, func(m map[string]any) { m["call_omitted"] = "too_large" }), "/"},
		{"upper-case sid", edit(t, func(m map[string]any) { m["call_sid"] = "7C1E9A52-3B4D-4F60-9A8B-0C2D4E6F8A10" }), "/call_sid"},
		{"event id of another status", edit(t, func(m map[string]any) {
			m["event_id"] = "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10/busy"
		}), "/event_id: is not call_sid/status"},
		{"call of another status", edit(t, func(m map[string]any) {
			m["status"] = "busy"
			m["event_id"] = "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10/busy"
		}), "/call/status"},
		{"call of another sid", edit(t, func(m map[string]any) {
			m["call"].(map[string]any)["sid"] = "00000000-3b4d-4f60-9a8b-0c2d4e6f8a10"
		}), "/call/sid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := callevent.Validate(tt.doc)
			if err == nil {
				t.Fatal("Validate succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want it to name %q", err, tt.want)
			}
		})
	}
}
