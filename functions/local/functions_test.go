package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func TestFunctionNames(t *testing.T) {
	t.Parallel()
	got, err := functionNames(filepath.Join(testdataDir, ".."))
	if err != nil {
		t.Fatal(err)
	}
	// Every Lambda function, never the commands or a library package.
	for _, want := range []string{"callback", "driftcheck", "getcall", "specwatch"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("functionNames = %v, want %s among them", got, want)
		}
	}
	// Every function's main lives under functions/cmd.
	for name, want := range map[string]string{"getcall": "./functions/cmd/getcall", "specwatch": "./functions/cmd/specwatch"} {
		if got := functionPackage(name); got != want {
			t.Errorf("functionPackage(%s) = %s, want %s", name, got, want)
		}
	}
	for _, not := range []string{"local", "bench", "internal", "signalwire", "voice"} {
		for _, name := range got {
			if name == not {
				t.Errorf("functionNames = %v, holds %s", got, not)
			}
		}
	}
}

// TestDefaultEvent checks the event each function gets without EVENT_FILE
// or -call-sid.
func TestDefaultEvent(t *testing.T) {
	t.Parallel()
	root := filepath.Join(testdataDir, "..")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		function string
		want     string
	}{
		{function: "getcall", want: read("testdata/events/direct.json")},
		{function: "driftcheck", want: read("testdata/driftcheck/schedule.json")},
		{function: "another", want: "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			t.Parallel()
			got, err := (&runner{opts: options{function: tt.function}}).event(root)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("callback", func(t *testing.T) {
		t.Parallel()
		got, err := (&runner{opts: options{function: "callback"}}).event(root)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(got, &ev); err != nil || ev.Headers["x-signalwire-signature"] == "" || !strings.Contains(ev.Body, "CallStatus=completed") {
			t.Errorf("callback's default event %s, want a signed completed status callback", got)
		}
	})
}

// TestRunDriftcheckDefault runs driftcheck's real bootstrap without an
// event file: it gets its own schedule input, samples the recordings and
// probes a SID that does not exist.
func TestRunDriftcheckDefault(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	dir := t.TempDir()
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-function", "driftcheck", "-work", dir)
	if code != 0 {
		t.Fatalf("run = %d, want 0; stdout %s\nstderr:\n%s", code, stdout, stderr)
	}
	var report struct {
		Checked int `json:"checked"`
		Calls   []struct {
			Probe bool `json:"probe"`
		} `json:"calls"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("stdout is not a drift report: %v\n%s", err, stdout)
	}
	probed := false
	for _, c := range report.Calls {
		probed = probed || c.Probe
	}
	if report.Checked < 2 || !probed {
		t.Errorf("report checked %d calls, probe %v; want the schedule's sample and its not-found probe:\n%s", report.Checked, probed, stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "driftcheck: ok, 1 invoke, ") {
		t.Errorf("last line of stderr = %q, want driftcheck's verdict", last)
	}
}

// TestRunUnescapedJSON checks that <, > and & reach stdout as they are in
// a function error the runner prints.
func TestRunUnescapedJSON(t *testing.T) {
	t.Parallel()
	scratch := t.TempDir()
	emptyEvent := filepath.Join(scratch, "empty.json")
	if err := os.WriteFile(emptyEvent, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "function error", args: []string{emptyEvent}, wantCode: 1, want: `<uuid>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, bootstrap := runEnv(t)
			code, stdout, stderr := runLocal(t, t.Context(), dir, append([]string{"-bootstrap", bootstrap}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("run = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("stdout lacks %s:\n%s", tt.want, stdout)
			}
			for _, esc := range []string{`\u003c`, `\u003e`, `\u0026`} {
				if strings.Contains(stdout, esc) {
					t.Errorf("stdout escapes with %s:\n%s", esc, stdout)
				}
			}
		})
	}
}
