package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSampleEventMatchesTheRule checks that testdata/events/eventbridge.json
// is an event the stack's rule sends to getcall with the default parameters:
// the source and detail-type the rule filters on, and a detail.call_sid.
func TestSampleEventMatchesTheRule(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", "eventbridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Source     string         `json:"source"`
		DetailType string         `json:"detail-type"`
		Detail     map[string]any `json:"detail"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if want, _ := mapAt(tmpl, "Parameters", "CallRequestSource")["Default"].(string); ev.Source != want {
		t.Errorf("sample source %q, the rule's default %q", ev.Source, want)
	}
	if want, _ := mapAt(tmpl, "Parameters", "CallRequestDetailType")["Default"].(string); ev.DetailType != want {
		t.Errorf("sample detail-type %q, the rule's default %q", ev.DetailType, want)
	}
	if _, ok := ev.Detail["call_sid"].(string); !ok {
		t.Error("sample event has no detail.call_sid")
	}
}
