package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEmit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := NewWriter(&buf, testMetrics)
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

var testMetrics = []Metric{
	{Name: UpstreamLatency, Unit: Milliseconds},
	{Name: ColdStart, Unit: Count},
	{Name: DriftFindings, Unit: Count, Dims: []string{"Severity"}},
}

// TestEmitUndeclared: a value the table does not declare, with its unit and
// extra dimensions, is refused and nothing is written.
func TestEmitUndeclared(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		dims   map[string]string
		values []Value
	}{
		{name: "unknown name", dims: Dimensions("getcall", ""), values: []Value{{ColdStart, Count, 1}, {"Typo", Count, 1}}},
		{name: "wrong unit", dims: Dimensions("getcall", ""), values: []Value{{UpstreamLatency, Count, 1}}},
		{name: "missing dimension", dims: Dimensions("driftcheck", "f"), values: []Value{{DriftFindings, Count, 1}}},
		{name: "undeclared dimension", dims: map[string]string{DimFunction: "getcall", "Severity": "error"}, values: []Value{{ColdStart, Count, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			err := NewWriter(&buf, testMetrics).Emit(tt.dims, tt.values...)
			var u *UndeclaredError
			if !errors.As(err, &u) {
				t.Fatalf("Emit = %v, want an *UndeclaredError", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
	var buf bytes.Buffer
	if err := NewWriter(&buf, testMetrics).Emit(map[string]string{DimFunction: "driftcheck", "Severity": "error"}, Value{DriftFindings, Count, 2}); err != nil {
		t.Errorf("declared metric with its dimension refused: %v", err)
	}
}

func TestEmitNothing(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := NewWriter(&buf, testMetrics).Emit(nil); err != nil || buf.Len() != 0 {
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
