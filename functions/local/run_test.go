package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
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
	if err := os.Symlink(getcall.Bootstrap, bootstrap); err != nil {
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
		// verdict is how the verdict line starts (default "getcall: ok,").
		verdict string
	}{
		{name: "direct", args: []string{filepath.Join(events, "direct.json")}},
		{name: "eventbridge", args: []string{filepath.Join(events, "eventbridge.json")}},
		{name: "apigw-v2", args: []string{filepath.Join(events, "apigw-v2.json")}},
		{name: "function-url", args: []string{filepath.Join(events, "function-url.json")}},
		{name: "conformant", args: []string{"-call-sid", conformantSID}},
		{name: "drifted", args: []string{"-call-sid", driftedSID}, verdict: "getcall: drift in warn mode, "},
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
			checkQuiet(t, code, stderr, "getcall", "1 invoke", "1 Secrets Manager request, 1 upstream request")
			if want := tt.verdict; code == 0 {
				if want == "" {
					want = "getcall: ok,"
				}
				if lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n"); !strings.HasPrefix(lines[len(lines)-1], want) {
					t.Errorf("verdict %q, want it to start %q", lines[len(lines)-1], want)
				}
			}
		})
	}
}

// verdictRE matches a verdict line: the function, ok or its error, the
// invokes, one init, the durations and the request counts.
var verdictRE = regexp.MustCompile(`^(\w+): (ok|drift in warn mode, [^,]+|function error [\w.]+|function error on \d+ of \d+ invokes \([\w., ]+\)), ` +
	`(\d+ invokes?), init \d+\.\d+ ms, duration \d+\.\d+ ms(, then p50 \d+\.\d+ ms, p99 \d+\.\d+ ms)?, (.+)$`)

// progressRE matches the line of a step that took a while.
var progressRE = regexp.MustCompile(`^local: [^:]+(\.\.\.|:) done in \d+(\.\d+)? s$`)

// emulatorNoise is what the emulator logs while it stops: never shown for
// a run that succeeded.
var emulatorNoise = []string{"SandboxTerminated", "SIGKILL", "Shutting down", "Received signal"}

// checkQuiet checks a quiet run's stderr: on success exactly one line, the
// verdict; on a function error the kept log and then the verdict. The
// verdict names fn, the invokes and ends with counts.
func checkQuiet(t *testing.T, code int, stderr, fn, invokes, counts string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	m := verdictRE.FindStringSubmatch(last)
	switch {
	case m == nil:
		t.Errorf("last line of stderr is not a verdict: %q; stderr:\n%s", last, stderr)
	case m[1] != fn || m[3] != invokes || m[5] != counts:
		t.Errorf("verdict %q, want function %s, %s, counts %q", last, fn, invokes, counts)
	case (code == 0) != (m[2] == "ok" || strings.HasPrefix(m[2], "drift in warn mode, ")):
		t.Errorf("verdict %q for exit %d", last, code)
	}
	if code == 0 {
		for _, l := range lines[:len(lines)-1] {
			if !progressRE.MatchString(l) {
				t.Errorf("stderr holds %q on success, want only the verdict and progress lines:\n%s", l, stderr)
			}
		}
	}
	if code == 1 && (!strings.Contains(stderr, "local: the emulator's and the function's log:\n") || !strings.Contains(stderr, "\nSTART RequestId: ")) {
		t.Errorf("stderr lacks the log after a function error:\n%s", stderr)
	}
	for _, noise := range emulatorNoise {
		if strings.Contains(stderr, noise) {
			t.Errorf("stderr shows the emulator stopping (%q):\n%s", noise, stderr)
		}
	}
	if strings.Contains(stderr, "Init Duration") && !strings.Contains(stderr, "\nREPORT RequestId: ") {
		t.Errorf("stderr shows the REPORT line's Init Duration outside the log:\n%s", stderr)
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
		RIE:          getcall.RIE,
		Bootstrap:    getcall.Bootstrap,
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
	checkQuiet(t, code, stderr, "getcall", "25 invokes", "1 Secrets Manager request, 25 upstream requests on 1 connection")
}

// TestRunVerbose checks -v: every step announced before it starts, the
// emulator's and the function's logs as they come (REPORT's Max Memory Used
// labelled), each invoke's figures, and the verdict last; never the
// emulator's shutdown.
func TestRunVerbose(t *testing.T) {
	t.Parallel()
	dir, bootstrap := runEnv(t)
	const n = 25
	code, stdout, stderr := runLocal(t, t.Context(), dir, "-v", "-bootstrap", bootstrap, "-n", strconv.Itoa(n), "-call-sid", conformantSID)
	if code != 0 {
		t.Fatalf("run = %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := strings.Count(stdout, "\n"); got != n {
		t.Errorf("stdout holds %d lines, want %d", got, n)
	}
	// In this order.
	inOrder := []string{
		"local: starting the loopback servers...",
		"local: building the emulator (the first build may take a minute)...",
		"local: starting the emulator...",
		"local: invoking getcall 25 times...",
		"\nSTART RequestId: ",
		"INIT REPORT(durationMs: ",
		"Max Memory Used: 128 MB (the configured size; the emulator does not measure it)",
		"local: invoke 1/25: init ",
		"local: invoke 3/25: duration ",
		"local: invokes 4..25 not shown",
		"local: invokes 2..25: duration min ",
		"getcall: ok, 25 invokes, init ",
	}
	rest := stderr
	for _, want := range inOrder {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("stderr lacks %q after the lines before it:\n%s", want, stderr)
		}
		rest = rest[i+len(want):]
	}
	if strings.Contains(rest, "\n") && strings.Count(rest, "\n") != 1 {
		t.Errorf("the verdict is not the last line:\n%s", stderr)
	}
	for _, noise := range emulatorNoise {
		if strings.Contains(stderr, noise) {
			t.Errorf("stderr shows the emulator stopping (%q):\n%s", noise, stderr)
		}
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "local: invoke") && strings.Contains(line, "Init Duration") {
			t.Errorf("an invoke line shows the REPORT line's Init Duration: %q", line)
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

	emptyRecordings := filepath.Join(scratch, "empty")
	if err := os.MkdirAll(emptyRecordings, 0o755); err != nil {
		t.Fatal(err)
	}

	// The -recordings errors list what is wanted.
	const wantRecordings = "want a directory of recordings (.json files, searched recursively), such as testdata/recordings"
	tests := []struct {
		name        string
		args        []string
		noBootstrap bool   // the test gives no -bootstrap
		usage       bool   // a usage error: one line, then the help hint
		wantErr     string // in the runner's line, the last one of stderr or the one before the hint
	}{
		{name: "missing event file", args: []string{filepath.Join(scratch, "nope.json")}, wantErr: "nope.json: no such file"},
		{name: "unreadable event file", args: []string{scratch}, wantErr: "is a directory"},
		{name: "event not JSON", args: []string{notJSON}, wantErr: "not-json.json is not JSON"},
		{name: "malformed recording", args: []string{"-recordings", badRecordings}, wantErr: "local: -recordings " + badRecordings + ": recording " + filepath.Join(badRecordings, "broken.json") + ": "},
		{name: "missing recordings dir", args: []string{"-recordings", filepath.Join(scratch, "none")}, usage: true, wantErr: "local: -recordings " + filepath.Join(scratch, "none") + ": no such directory; " + wantRecordings},
		{name: "recordings dir is a file", args: []string{"-recordings", notJSON}, usage: true, wantErr: "local: -recordings " + notJSON + ": not a directory; " + wantRecordings},
		{name: "recordings dir without recordings", args: []string{"-recordings", emptyRecordings}, usage: true, wantErr: "local: -recordings " + emptyRecordings + ": no .json files in it; " + wantRecordings},
		{name: "port in use", args: []string{"-port", busyPort}, wantErr: "127.0.0.1:" + busyPort + " is not free"},
		{name: "emulator fails to start", args: []string{"-rie-log-level", "chatty"}, wantErr: "aws-lambda-rie exited at startup"},
		{name: "missing bootstrap", args: []string{"-bootstrap", filepath.Join(scratch, "no-bootstrap")}, noBootstrap: true, wantErr: "no-bootstrap: no such file"},
		{name: "unknown function", args: []string{"-function", "nosuch"}, noBootstrap: true, usage: true, wantErr: "local: -function nosuch: no such function; want one of callback, driftcheck, getcall"},
		{name: "two event files", args: []string{notJSON, notJSON}, usage: true, wantErr: "at most one EVENT_FILE"},
		{name: "event file and call sid", args: []string{"-call-sid", unknownSID, notJSON}, usage: true, wantErr: "not both"},
		{name: "call sid for driftcheck", args: []string{"-function", "driftcheck", "-call-sid", unknownSID}, noBootstrap: true, usage: true, wantErr: "-call-sid applies to -function callback or getcall, not driftcheck"},
		{name: "zero invokes", args: []string{"-n", "0"}, usage: true, wantErr: "-n must be at least 1"},
		{name: "timeout not whole seconds", args: []string{"-timeout", "1500ms"}, usage: true, wantErr: `invalid value "1500ms" for flag -timeout: want whole seconds, such as 10s or 1m`},
		{name: "timeout over Lambda's", args: []string{"-timeout", "16m"}, usage: true, wantErr: "Lambda allows at most 15m"},
		{name: "unknown flag", args: []string{"-bogus"}, usage: true, wantErr: "flag provided but not defined: -bogus"},
	}
	if os.Getenv("SIGNALWIRE_SECRET_ID") == "" {
		tests = append(tests, struct {
			name        string
			args        []string
			noBootstrap bool
			usage       bool
			wantErr     string
		}{name: "live without a secret", args: []string{"-live"}, wantErr: "-live needs SIGNALWIRE_SECRET_ID"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, bootstrap := runEnv(t)
			args := tt.args
			if !tt.noBootstrap {
				args = append([]string{"-bootstrap", bootstrap}, args...)
			}
			code, stdout, stderr := runLocal(t, t.Context(), dir, append([]string{"-work", dir}, args...)...)
			if code != 2 {
				t.Errorf("run = %d, want 2; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			msg := lines[len(lines)-1]
			if tt.usage {
				if len(lines) != 2 || lines[1] != helpHint {
					t.Fatalf("stderr = %q, want the error and %q", stderr, helpHint)
				}
				msg = lines[0]
			}
			if !strings.HasPrefix(msg, "local: ") || !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error line = %q, want local: ... %q; stderr:\n%s", msg, tt.wantErr, stderr)
			}
			for _, internal := range []string{"lambdatest:", "replay:", "demo:"} {
				if strings.Contains(msg, internal) && (tt.usage || strings.Contains(tt.wantErr, "-recordings")) {
					t.Errorf("error line %q carries the internal prefix %q", msg, internal)
				}
			}
		})
	}
}

// TestRunInterrupted interrupts a run in the middle of its invokes, as
// Ctrl-C and SIGTERM do, and checks the status, the line saying how far it
// got, and (in runLocal) that nothing it started is left running.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cause error
		want  int
	}{
		{name: "Ctrl-C", cause: signalError{os.Interrupt}, want: 130},
		{name: "SIGTERM", cause: signalError{syscall.SIGTERM}, want: 143},
		{name: "no signal", cause: nil, want: 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, bootstrap := runEnv(t)
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			// Interrupt once the emulator is running, in the middle of the invokes.
			go func() {
				for ctx.Err() == nil && len(processesMentioning(dir)) == 0 {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(300 * time.Millisecond)
				cancel(tt.cause)
			}()
			const n = 1000000
			code, stdout, stderr := runLocal(t, ctx, dir, "-bootstrap", bootstrap, "-n", strconv.Itoa(n), "-call-sid", conformantSID)
			if code != tt.want {
				t.Errorf("run = %d, want %d", code, tt.want)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			var done int
			if _, err := fmt.Sscanf(lines[len(lines)-1], "local: interrupted after %d/1000000 invokes", &done); err != nil {
				t.Fatalf("last line of stderr = %q, want local: interrupted after N/%d invokes; stderr:\n%s", lines[len(lines)-1], n, stderr)
			}
			if got := strings.Count(stdout, "\n"); got != done {
				t.Errorf("stdout holds %d responses, the runner says %d", got, done)
			}
		})
	}
}
