package specevent_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/specevent"
)

const validDetail = `{"schema":"callwire.spec.changed.v1",
 "source_url":"https://raw.githubusercontent.com/signalwire/docs/main/fern/apis/compatibility/openapi.yaml",
 "document_sha256":"6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b","etag":"\"abc\"",
 "baseline":"pinned","breaking":1,"non_breaking":1,"info":1,"changes_omitted":0,"sampled_calls":3,
 "changes":[
  {"operation":"Retrieve a Call","severity":"breaking","kind":"format-changed","pointer":"200 /price","rule":"response-property-type-changed","old":"double","new":"float","message":"m","reality":"both"},
  {"operation":"Retrieve a Call","severity":"non-breaking","kind":"format-added","pointer":"200 /duration","rule":"response-property-type-specialized","new":"int32","message":"m","reality":"both"},
  {"operation":"List Calls","severity":"info","kind":"object-closed","pointer":"200","rule":"","message":"m","reality":"not-exercised"}]}`

func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validDetail), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidate(t *testing.T) {
	t.Parallel()
	change := func(m map[string]any, i int) map[string]any { return m["changes"].([]any)[i].(map[string]any) }
	tests := []struct {
		name string
		doc  []byte
		want string // "" for valid
	}{
		{"valid", []byte(validDetail), ""},
		{"no changes", edit(t, func(m map[string]any) {
			m["changes"], m["breaking"], m["non_breaking"], m["info"] = []any{}, 0, 0, 0
		}), ""},
		{"omitted changes counted", edit(t, func(m map[string]any) { m["info"], m["changes_omitted"] = 5, 4 }), ""},
		{"unknown member", edit(t, func(m map[string]any) { m["extra"] = 1 }), "extra"},
		{"unknown verdict", edit(t, func(m map[string]any) { change(m, 0)["reality"] = "maybe" }), "/changes/0/reality"},
		{"bad digest", edit(t, func(m map[string]any) { m["document_sha256"] = "xyz" }), "/document_sha256"},
		{"credentials in the URL", edit(t, func(m map[string]any) { m["source_url"] = "https://u:p@example.com/x" }), "/source_url"},
		{"counts do not add up", edit(t, func(m map[string]any) { m["breaking"] = 2 }), "changes_omitted"},
		{"out of order", edit(t, func(m map[string]any) {
			c := m["changes"].([]any)
			c[0], c[2] = c[2], c[0]
		}), "out of order"},
		{"not JSON", []byte("{"), "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := specevent.Validate(tt.doc)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
