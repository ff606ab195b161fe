package emf

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEmit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.now = func() time.Time { return time.UnixMilli(1772460307000) }
	err := w.Emit(map[string]string{"Function": "getcall"},
		Value{UpstreamLatency, Milliseconds, 12.5}, Value{ColdStart, Count, 1})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON line: %v: %s", err, buf.String())
	}
	want := map[string]any{
		"Function":        "getcall",
		"UpstreamLatency": 12.5,
		"ColdStart":       1.0,
		"_aws": map[string]any{
			"Timestamp": 1772460307000.0,
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "callwire",
				"Dimensions": []any{[]any{"Function"}},
				"Metrics": []any{
					map[string]any{"Name": "UpstreamLatency", "Unit": "Milliseconds"},
					map[string]any{"Name": "ColdStart", "Unit": "Count"},
				},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Errorf("want exactly one line")
	}
}

func TestEmitNothing(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := NewWriter(&buf).Emit(nil); err != nil || buf.Len() != 0 {
		t.Errorf("Emit with no values wrote %q, %v", buf.String(), err)
	}
}

func TestDimensions(t *testing.T) {
	t.Parallel()
	if got, want := Dimensions("getcall", ""), map[string]string{"Function": "getcall"}; !maps.Equal(got, want) {
		t.Errorf("outside Lambda: Dimensions = %v, want %v", got, want)
	}
	got := Dimensions("driftcheck", "callwire-prod-DriftCheckFunction-1A2B")
	want := map[string]string{"Function": "driftcheck", "FunctionName": "callwire-prod-DriftCheckFunction-1A2B"}
	if !maps.Equal(got, want) {
		t.Errorf("in Lambda: Dimensions = %v, want %v", got, want)
	}
}
