package callv1_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/callv1"
)

// validOutput is a callwire.call.v1 document with every optional part filled.
const validOutput = `{"schema":"callwire.call.v1",
 "sid":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10","account_sid":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
 "parent_call_sid":null,"phone_number_sid":"5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
 "direction":"outbound","direction_detail":"outbound-api","status":"completed","answered_by":"human",
 "from":"+12125550187","to":"+14155550123","from_formatted":"(212) 555-0187","to_formatted":"(415) 555-0123",
 "created_at":"2026-03-02T14:05:07Z","updated_at":"2026-03-02T14:07:41Z",
 "started_at":"2026-03-02T14:05:09Z","ended_at":"2026-03-02T14:07:40Z",
 "duration_seconds":151,"price":{"amount":0.0126,"currency":"USD"},"sip_result_code":"200",
 "quality":{"mos":4.31,"rtt_ms":{"min":31,"avg":48.5,"max":97},"jitter_out_ms":{"min":0,"avg":3,"max":12},"packets_lost_out":2},
 "uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
 "recordings_uri":null,"api_version":"2010-04-01","contract":{"conformant":true,"findings":0},
 "retrieved_at":"2026-03-02T14:08:00.123Z"}`

// edit decodes validOutput, applies fn and re-encodes it.
func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validOutput), &m); err != nil {
		t.Fatalf("decode validOutput: %v", err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestValidateValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  []byte
	}{
		{name: "full", doc: []byte(validOutput)},
		{name: "no contract", doc: edit(t, func(m map[string]any) { delete(m, "contract") })},
		{name: "all nullable null", doc: edit(t, func(m map[string]any) {
			for _, k := range []string{
				"parent_call_sid", "phone_number_sid", "direction", "direction_detail", "answered_by",
				"from_formatted", "to_formatted", "started_at", "ended_at", "price", "sip_result_code",
				"quality", "recordings_uri",
			} {
				m[k] = nil
			}
		})},
		{name: "non-uuid sid and unlisted status pass", doc: edit(t, func(m map[string]any) {
			m["sid"] = "CA0123456789abcdef0123456789abcdef"
			m["status"] = "initiated"
		})},
		{name: "credit price without currency", doc: edit(t, func(m map[string]any) {
			m["price"] = map[string]any{"amount": -0.0085, "currency": nil}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := callv1.Validate(tt.doc); err != nil {
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
		want []string // substrings of the error, instance locations first
	}{
		{name: "not json", doc: []byte(`{"schema":`), want: []string{"not JSON"}},
		{name: "extra key", doc: edit(t, func(m map[string]any) { m["caller_name"] = nil }), want: []string{"caller_name"}},
		{name: "extra nested key", doc: edit(t, func(m map[string]any) {
			m["price"].(map[string]any)["unit"] = "usd"
		}), want: []string{"/price"}},
		{name: "missing key", doc: edit(t, func(m map[string]any) { delete(m, "from_formatted") }), want: []string{"from_formatted"}},
		{name: "wrong type", doc: edit(t, func(m map[string]any) { m["duration_seconds"] = "151" }), want: []string{"/duration_seconds"}},
		{name: "fractional duration", doc: edit(t, func(m map[string]any) { m["duration_seconds"] = 1.5 }), want: []string{"/duration_seconds"}},
		{name: "bad date-time", doc: edit(t, func(m map[string]any) { m["created_at"] = "Mon, 02 Mar 2026 14:05:07 +0000" }), want: []string{"/created_at"}},
		{name: "invalid calendar date", doc: edit(t, func(m map[string]any) { m["ended_at"] = "2026-02-30T14:05:07Z" }), want: []string{"/ended_at"}},
		{name: "retrieved_at without millis", doc: edit(t, func(m map[string]any) { m["retrieved_at"] = "2026-03-02T14:08:00Z" }), want: []string{"/retrieved_at"}},
		{name: "direction detail in direction", doc: edit(t, func(m map[string]any) { m["direction"] = "outbound-api" }), want: []string{"/direction"}},
		{name: "other schema", doc: edit(t, func(m map[string]any) { m["schema"] = "callwire.call.v2" }), want: []string{"/schema"}},
		{name: "two failures", doc: edit(t, func(m map[string]any) {
			m["status"] = 3
			m["quality"].(map[string]any)["rtt_ms"].(map[string]any)["avg"] = "48"
		}), want: []string{"/status", "/quality"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := callv1.Validate(tt.doc)
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestSchemaMatchesValidOutputKeys(t *testing.T) {
	t.Parallel()
	var schema struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(callv1.Schema, &schema); err != nil {
		t.Fatalf("decode Schema: %v", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(validOutput), &doc); err != nil {
		t.Fatal(err)
	}
	var keys, props []string
	for k := range doc {
		keys = append(keys, k)
	}
	for k := range schema.Properties {
		props = append(props, k)
	}
	slices.Sort(keys)
	slices.Sort(props)
	if diff := cmp.Diff(keys, props); diff != "" {
		t.Errorf("schema properties differ from the document keys (-doc +schema):\n%s", diff)
	}
	if got, want := len(schema.Required), len(props)-1; got != want {
		t.Errorf("schema requires %d keys, want %d (all but contract)", got, want)
	}
}
