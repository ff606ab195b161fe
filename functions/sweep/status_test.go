package sweep

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/pipeline"
)

// TestSweepStatusRule: statuses in SignalWire's drifted spellings are swept
// in the documented spelling; a status it does not document is counted and
// reported as unclassified, and not queued.
func TestSweepStatusRule(t *testing.T) {
	t.Parallel()
	calls := []string{
		call(1, "Completed"),
		call(2, "no_answer"),
		call(3, "busy\u00a0"),
		call(4, "answered"),
		call(5, "In-Progress"),
		call(6, "failed"),
	}
	e := setup(t, calls, nil, 10, 5)
	rep, err := e.h.Handle(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unclassified != 1 || rep.StatusDrift != 4 || rep.Enqueued != 4 {
		t.Errorf("report %+v: want 1 unclassified, 4 drifted, 4 enqueued", rep)
	}
	var got []string
	for _, h := range e.queue.hints {
		got = append(got, h.CallSID+"/"+h.Status)
	}
	slices.Sort(got)
	want := []string{sidOf(1) + "/completed", sidOf(2) + "/no-answer", sidOf(3) + "/busy", sidOf(6) + "/failed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
	for _, h := range e.queue.hints {
		if h.Source != pipeline.SourceSweep {
			t.Errorf("hint source %q", h.Source)
		}
	}
	if !strings.Contains(e.metrics.String(), `"SweepCallsUnclassified":1`) {
		t.Errorf("no SweepCallsUnclassified of 1: %s", e.metrics.String())
	}
}
