package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// Call SIDs served by testdata/recordings, and one that is not.
const (
	conformantSID = "c0c0ca11-0008-4b05-a486-000000000008"
	driftedSID    = "d41f7000-000e-4e05-b0a7-f10a7000e005" // drift/200-audio-rtt-float.json: served, with findings
	unusableSID   = "d41f7000-0019-4d10-8d00-d0a7100a0010" // drift/200-missing-duration.json: cannot be normalized
	unknownSID    = "c0c0ca11-ffff-4fff-8fff-ffffffffffff"
)

// runEnv is one run's private bootstrap link: every process the run starts
// has the link's directory in its command line, so the test can tell that
// none is left.
func runEnv(t *testing.T) (dir, bootstrap string) {
	t.Helper()
	needEmulator(t)
	dir = t.TempDir()
	bootstrap = filepath.Join(dir, "bootstrap")
	if err := os.Symlink(getcallBootstrap, bootstrap); err != nil {
		t.Fatal(err)
	}
	return dir, bootstrap
}

// runLocal calls run and checks that it left no process behind.
func runLocal(t *testing.T, ctx context.Context, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	if pids := processesMentioning(dir); len(pids) > 0 {
		t.Errorf("processes %v are still running after run returned", pids)
	}
	return code, out.String(), errOut.String()
}

// processesMentioning returns the live processes whose command line holds s.
func processesMentioning(s string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(s)) && lambdatest.Running(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// retrievedAt matches the retrieved_at member, also inside a JSON string (an
// HTTP response's body), so its value can be blanked before comparing.
var retrievedAt = regexp.MustCompile(`(\\?"retrieved_at\\?"\s*:\s*\\?")[^"\\]*(\\?")`)

// normalize blanks retrieved_at and indents the JSON, as golden files are.
func normalize(t *testing.T, out []byte) []byte {
	t.Helper()
	out = retrievedAt.ReplaceAll(bytes.TrimSpace(out), []byte("${1}IGNORED${2}"))
	var buf bytes.Buffer
	if err := json.Indent(&buf, out, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestRunGolden(t *testing.T) {
	t.Parallel()
	events := filepath.Join(testdataDir, "events")
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{name: "direct", args: []string{filepath.Join(events, "direct.json")}},
		{name: "eventbridge", args: []string{filepath.Join(events, "eventbridge.json")}},
		{name: "apigw-v2", args: []string{filepath.Join(events, "apigw-v2.json")}},
		{name: "function-url", args: []string{filepath.Join(events, "function-url.json")}},
		{name: "conformant", args: []string{"-call-sid", conformantSID}},
		{name: "drifted", args: []string{"-call-sid", driftedSID}},
		{name: "drifted-unusable", args: []string{"-call-sid", unusableSID}, wantCode: 1},
		{name: "unknown", args: []string{"-call-sid", unknownSID}, wantCode: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, bootstrap := runEnv(t)
			args := append([]string{"-bootstrap", bootstrap, "-recordings", filepath.Join(testdataDir, "recordings")}, tt.args...)
			code, stdout, stderr := runLocal(t, t.Context(), dir, args...)
			if code != tt.wantCode {
				t.Fatalf("run = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if strings.Count(stdout, "\n") != 1 {
				t.Errorf("stdout holds %d lines, want the one response:\n%s", strings.Count(stdout, "\n"), stdout)
			}
			got := normalize(t, []byte(stdout))
			golden := filepath.Join(testdataDir, "golden", "local", tt.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("output mismatch with %s (-want +got):\n%s", golden, diff)
			}
			if !strings.Contains(stderr, "local: invoke 1/1:") || !strings.Contains(stderr, "secrets manager requests 1,") {
				t.Errorf("stderr lacks the summary:\n%s", stderr)
			}
		})
	}
}

// TestWarmInvocations checks what one execution environment does across
// invokes: one Secrets Manager request (the secret is cached) and one
// upstream connection (it is kept alive).
func TestWarmInvocations(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	demo, err := lambdatest.StartDemo(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(demo.Close)
	emu, err := lambdatest.Start(t.Context(), lambdatest.Config{
		RIE:          rieBinary,
		Bootstrap:    getcallBootstrap,
		Env:          demo.Environ(os.Environ()),
		FunctionName: "getcall",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pids := emu.PIDs()
		if err := emu.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		for _, pid := range pids {
			if lambdatest.Running(pid) {
				t.Errorf("process %d is still running after Close", pid)
			}
		}
	})
	event, err := os.ReadFile(filepath.Join(testdataDir, "events", "direct.json"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		res, err := emu.Invoke(t.Context(), event)
		if err != nil {
			t.Fatalf("invoke %d: %v", i+1, err)
		}
		if res.Err != nil {
			t.Fatalf("invoke %d: function error %v", i+1, res.Err)
		}
		if i == 0 && len(res.Init) != 1 {
			t.Errorf("invoke 1: %d inits, want 1 (the cold start)", len(res.Init))
		}
		if i > 0 && len(res.Init) != 0 {
			t.Errorf("invoke %d: %d inits, want none (warm)", i+1, len(res.Init))
		}
	}
	if got := demo.Secrets.Requests(); got != 1 {
		t.Errorf("Secrets Manager requests = %d, want 1", got)
	}
	if got := demo.Replay.Requests(); got != n {
		t.Errorf("upstream requests = %d, want %d", got, n)
	}
	if got := demo.Replay.Connections(); got != 1 {
		t.Errorf("upstream connections = %d, want 1", got)
	}
}

func TestRunMany(t *testing.T) {
	t.Parallel()
	dir, bootstrap := runEnv(t)
	const n = 25
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-bootstrap", bootstrap, "-n", strconv.Itoa(n), "-call-sid", conformantSID)
	if code != 0 {
		t.Fatalf("run = %d, want 0; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("stdout holds %d lines, want %d:\n%s", len(lines), n, stdout)
	}
	for i, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Errorf("line %d is not JSON: %s", i+1, line)
		}
	}
	for _, want := range []string{
		"local: invoke 1/25: init ",
		"local: invoke 3/25: Duration ",
		"local: invokes 4..25 not shown",
		"local: invokes 2..25: Duration min ",
		"local: secrets manager requests 1, upstream requests 25, upstream connections 1",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = busy.Close() })
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)

	scratch := t.TempDir()
	notJSON := filepath.Join(scratch, "not-json.json")
	if err := os.WriteFile(notJSON, []byte("call_sid: c0c0ca11\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badRecordings := filepath.Join(scratch, "recordings")
	if err := os.MkdirAll(badRecordings, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badRecordings, "broken.json"), []byte(`{"request": {`), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    []string
		wantErr string // in the last line of stderr
	}{
		{name: "missing event file", args: []string{filepath.Join(scratch, "nope.json")}, wantErr: "nope.json: no such file"},
		{name: "unreadable event file", args: []string{scratch}, wantErr: "is a directory"},
		{name: "event not JSON", args: []string{notJSON}, wantErr: "not-json.json is not JSON"},
		{name: "malformed recording", args: []string{"-recordings", badRecordings}, wantErr: "broken.json"},
		{name: "missing recordings dir", args: []string{"-recordings", filepath.Join(scratch, "none")}, wantErr: "none"},
		{name: "port in use", args: []string{"-port", busyPort}, wantErr: "127.0.0.1:" + busyPort + " is not free"},
		{name: "emulator fails to start", args: []string{"-rie-log-level", "chatty"}, wantErr: "aws-lambda-rie exited at startup"},
		{name: "missing bootstrap", args: []string{"-bootstrap", filepath.Join(scratch, "no-bootstrap")}, wantErr: "no-bootstrap: no such file"},
		{name: "two event files", args: []string{notJSON, notJSON}, wantErr: "at most one EVENT_FILE"},
		{name: "event file and call sid", args: []string{"-call-sid", unknownSID, notJSON}, wantErr: "not both"},
		{name: "zero invokes", args: []string{"-n", "0"}, wantErr: "-n must be at least 1"},
		{name: "unknown flag", args: []string{"-verbose"}, wantErr: ""},
	}
	if os.Getenv("SIGNALWIRE_SECRET_ID") == "" {
		tests = append(tests, struct {
			name    string
			args    []string
			wantErr string
		}{name: "live without a secret", args: []string{"-live"}, wantErr: "-live needs SIGNALWIRE_SECRET_ID"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, bootstrap := runEnv(t)
			args := tt.args
			if !strings.HasPrefix(tt.name, "missing bootstrap") {
				args = append([]string{"-bootstrap", bootstrap}, args...)
			}
			code, stdout, stderr := runLocal(t, t.Context(), dir, args...)
			if code != 2 {
				t.Errorf("run = %d, want 2; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if tt.wantErr != "" && (!strings.HasPrefix(last, "local: ") || !strings.Contains(last, tt.wantErr)) {
				t.Errorf("last line of stderr = %q, want local: ... %q; stderr:\n%s", last, tt.wantErr, stderr)
			}
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	dir, bootstrap := runEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Interrupt once the emulator is running, in the middle of the invokes.
	go func() {
		for ctx.Err() == nil && len(processesMentioning(dir)) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	code, _, stderr := runLocal(t, ctx, dir, "-bootstrap", bootstrap, "-n", "1000000", "-call-sid", conformantSID)
	if code != 2 {
		t.Errorf("run = %d, want 2", code)
	}
	if !strings.Contains(stderr, "local: interrupted") {
		t.Errorf("stderr lacks local: interrupted:\n%s", stderr)
	}
}
