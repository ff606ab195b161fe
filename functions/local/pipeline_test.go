package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/callevent"
	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// TestRunPipeline runs the offline chain (the callback and publish
// bootstraps under the emulator, the loopback queue, table and bus) and
// reads the published events on stdout.
func TestRunPipeline(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	samples := filepath.Join(testdataDir, "events", "callback")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantEvents []string // event ids
		wantErr    string   // in stderr
		wantWhy    string   // in stderr: the reason from a function's log, without -v
		verdict    string   // how the last line of stderr starts
	}{
		{name: "signed sample", wantEvents: []string{lambdatest.DemoCallSID + "/completed"}},
		{name: "retried callback is published once", args: []string{"-n", "3"},
			wantEvents: []string{lambdatest.DemoCallSID + "/completed"}, wantErr: "3 messages queued"},
		{name: "another call", args: []string{"-call-sid", "c0c0ca11-0008-4b05-a486-000000000008", filepath.Join(samples, "completed.json")},
			wantCode: 2, wantErr: "give EVENT_FILE or -call-sid, not both"},
		{name: "call SignalWire does not know", args: []string{"-call-sid", "c0c0ca11-ffff-4fff-8fff-ffffffffffff"},
			wantCode: 1, wantErr: "1 of 1 records come back through the queue",
			wantWhy: `local: publish logged WARN "publish: call": outcome=retry, reason=not_found`,
			verdict: "pipeline: failed: 1 record came back through the queue, 0 events published; "},
		{name: "status not handed on", args: []string{filepath.Join(samples, "ringing.json")}, wantErr: "nothing was queued"},
		{name: "forged callback", args: []string{filepath.Join(samples, "forged.json")}, wantCode: 1, wantErr: "the callback was answered 403",
			wantWhy: `local: callback logged WARN`, verdict: "pipeline: failed: the callback was refused 1 of 1 times, 0 events published; "},
		{name: "not with -live", args: []string{"-live"}, wantCode: 2, wantErr: "-pipeline runs the callback and publish functions offline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"-pipeline", "-work", dir}, tt.args...)
			code, stdout, stderr := runLocal(t, t.Context(), dir, args...)
			if code != tt.wantCode {
				t.Fatalf("run = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) || !strings.Contains(stderr, tt.wantWhy) {
				t.Errorf("stderr lacks %q or %q:\n%s", tt.wantErr, tt.wantWhy, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, tt.verdict) {
				t.Errorf("last line of stderr %q, want it to start %q", last, tt.verdict)
			}
			if strings.Contains(stdout+stderr, lambdatest.DemoSigningKey) {
				t.Error("output shows the signing key")
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				if line == "" {
					continue
				}
				var ev struct {
					DetailType string          `json:"detail-type"`
					Source     string          `json:"source"`
					Detail     json.RawMessage `json:"detail"`
				}
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatalf("stdout line is not an event: %v\n%s", err, line)
				}
				if ev.DetailType != "Call Retrieved" || ev.Source != "callwire" {
					t.Errorf("event detail-type %q, source %q", ev.DetailType, ev.Source)
				}
				if err := callevent.Validate(ev.Detail); err != nil {
					t.Error(err)
				}
				var d struct {
					EventID string `json:"event_id"`
				}
				_ = json.Unmarshal(ev.Detail, &d)
				got = append(got, d.EventID)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantEvents, ",") {
				t.Errorf("published %v, want %v", got, tt.wantEvents)
			}
		})
	}
}
