package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRunSpecWatch runs the real spec watch bootstrap under the emulator
// against a loopback server serving testdata's changed document, the
// loopback table and bus, and the replay server for the live sample: its
// report is stdout, with one event sent.
func TestRunSpecWatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-function", "specwatch", "-work", dir)
	if code != 0 {
		t.Fatalf("run = %d; stderr:\n%s", code, stderr)
	}
	var rep struct {
		Outcome  string `json:"outcome"`
		Baseline string `json:"baseline"`
		Breaking int    `json:"breaking"`
		EventID  string `json:"event_id"`
		Sampled  int    `json:"sampled_calls"`
		Changes  []struct {
			Pointer string `json:"pointer"`
			Reality string `json:"reality"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the spec watch's report: %v\n%s", err, stdout)
	}
	if rep.Outcome != "changed" || rep.Baseline != "pinned" || rep.Breaking == 0 || rep.EventID == "" || rep.Sampled == 0 {
		t.Errorf("report %+v: want a change against the pinned document, an event and a live sample", rep)
	}
	for _, c := range rep.Changes {
		if c.Reality == "" {
			t.Errorf("change %s has no verdict", c.Pointer)
		}
	}
	if !strings.Contains(stderr, "1 EventBridge request") || !strings.Contains(stderr, "1 document request") {
		t.Errorf("the verdict does not count the event and the document request:\n%s", stderr)
	}
}
