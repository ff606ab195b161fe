package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRunSweep runs the real sweep bootstrap under the emulator against the
// replay server's List Calls, a loopback queue and a loopback
// published-events table: its report is stdout, and the finished calls of
// the default backfill window are queued.
func TestRunSweep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-function", "sweep", "-work", dir)
	if code != 0 {
		t.Fatalf("run = %d; stderr:\n%s", code, stderr)
	}
	var rep struct {
		Listed   int  `json:"listed"`
		Finished int  `json:"finished_calls"`
		Enqueued int  `json:"enqueued"`
		Complete bool `json:"complete"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the sweep's report: %v\n%s", err, stdout)
	}
	if rep.Listed == 0 || rep.Enqueued == 0 || rep.Enqueued != rep.Finished || !rep.Complete {
		t.Errorf("report %+v: want listed calls, every finished one queued, the window complete", rep)
	}
	if !strings.Contains(stderr, "messages queued") {
		t.Errorf("the verdict does not count the queued hints:\n%s", stderr)
	}
}
