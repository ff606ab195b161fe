package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// testConsole is a console on buffers with short thresholds: a step is
// announced after grace and counts as slow from slow.
func testConsole(verbose, tty bool) (*console, *bytes.Buffer, *testkit.SyncBuffer) {
	var stdout bytes.Buffer
	stderr := &testkit.SyncBuffer{}
	c := newConsole(&stdout, stderr, verbose)
	c.tty = tty
	c.grace, c.slow = 20*time.Millisecond, 50*time.Millisecond
	return c, &stdout, stderr
}

func TestConsoleSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		verbose bool
		tty     bool
		took    time.Duration
		err     error
		want    string
	}{
		{name: "quick step, quiet", took: 0, want: ""},
		{name: "slow step, quiet", took: 120 * time.Millisecond, want: "local: building x (note)... done in 0.1 s\n"},
		{name: "failed slow step, quiet", took: 120 * time.Millisecond, err: errors.New("boom"), want: "local: building x (note)...\n"},
		{name: "quick step, verbose", verbose: true, took: 0, want: "local: building x (note)... done\n"},
		{name: "slow step, verbose", verbose: true, took: 120 * time.Millisecond, want: "local: building x (note)... done in 0.1 s\n"},
		{name: "quick step, terminal", tty: true, took: 0, want: "local: building x (note)...\r\033[K"},
		{name: "slow step, terminal", tty: true, took: 120 * time.Millisecond, want: "local: building x (note)... done in 0.1 s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, stderr := testConsole(tt.verbose, tt.tty)
			s := c.step("building x", "note")
			time.Sleep(tt.took)
			s.done(tt.err)
			time.Sleep(40 * time.Millisecond) // a late announcement would show now
			// A loaded machine sleeps longer than asked: any tenth will do.
			got := tenths.ReplaceAllString(stderr.String(), "done in 0.1 s")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

var tenths = regexp.MustCompile(`done in \d+\.\d s`)

// TestConsoleStepAnnouncedBeforeItEnds checks that a quiet step's line
// appears while the step is still running.
func TestConsoleStepAnnouncedBeforeItEnds(t *testing.T) {
	t.Parallel()
	c, _, stderr := testConsole(false, false)
	s := c.step("building the emulator", "may take minutes")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "local: building the emulator (may take minutes)...") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line while the step runs; stderr %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := c.currentStep(); got != "building the emulator" {
		t.Errorf("currentStep = %q while the step runs", got)
	}
	s.done(nil)
	if got := c.currentStep(); got != "" {
		t.Errorf("currentStep = %q after the step", got)
	}
	c.step("building the bootstrap", "").done(context.Canceled)
	if got := c.currentStep(); got != "building the bootstrap" {
		t.Errorf("currentStep = %q after the step failed, want it named", got)
	}
}

// TestConsoleInterleaving checks that a pending step line is ended before
// anything else is written: with a newline, or erased on a terminal.
func TestConsoleInterleaving(t *testing.T) {
	t.Parallel()
	t.Run("log, verbose", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(true, false)
		s := c.step("invoking getcall", "")
		_, _ = c.Write([]byte("START RequestId: 1 Version: $LATEST\nEND Req"))
		_, _ = c.Write([]byte("uestId: 1\n"))
		time.Sleep(60 * time.Millisecond)
		s.done(nil)
		want := "local: invoking getcall...\nSTART RequestId: 1 Version: $LATEST\nEND RequestId: 1\nlocal: invoking getcall: done in "
		if got := stderr.String(); !strings.HasPrefix(got, want) {
			t.Errorf("stderr = %q, want it to start with %q", got, want)
		}
	})
	t.Run("response on a shared terminal", func(t *testing.T) {
		t.Parallel()
		c, stdout, stderr := testConsole(false, true)
		c.shared = true
		s := c.step("invoking getcall", "")
		if err := c.result([]byte("{}\n")); err != nil {
			t.Fatal(err)
		}
		s.done(nil)
		if got, want := stderr.String(), "local: invoking getcall...\r\033[K"; got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
		if got := stdout.String(); got != "{}\n" {
			t.Errorf("stdout = %q, want the response", got)
		}
	})
}

// TestConsoleLogs checks that a quiet run keeps the log for a failure, that
// -v shows it as it comes, and that what the emulator logs while stopping is
// shown only when stopping fails.
func TestConsoleLogs(t *testing.T) {
	t.Parallel()
	const report = "REPORT RequestId: 1\tInit Duration: 0.04 ms\tDuration: 1.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t"
	const labelled = "REPORT RequestId: 1\tInit Duration: 0.04 ms\tDuration: 1.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB (the configured size; the emulator does not measure it)\t"
	write := func(c *console) {
		_, _ = c.Write([]byte("START RequestId: 1\n" + report + "\n"))
		c.stop()
		_, _ = c.Write([]byte("[WARNING] (rapid) Reset initiated: SandboxTerminated\n"))
	}
	t.Run("quiet", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(false, false)
		write(c)
		if stderr.String() != "" {
			t.Fatalf("stderr = %q before a failure, want nothing", stderr.String())
		}
		c.showLogs(false)
		c.showLogs(true) // shown once
		want := "local: the emulator's and the function's log:\nSTART RequestId: 1\n" + labelled + "\n"
		if diff := cmp.Diff(want, stderr.String()); diff != "" {
			t.Errorf("stderr mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("verbose", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(true, false)
		write(c)
		c.showLogs(false)
		if diff := cmp.Diff("START RequestId: 1\n"+labelled+"\n", stderr.String()); diff != "" {
			t.Errorf("stderr mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("stopping failed", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(true, false)
		write(c)
		c.showLogs(true)
		if !strings.HasSuffix(stderr.String(), "local: the emulator's log while stopping:\n[WARNING] (rapid) Reset initiated: SandboxTerminated\n") {
			t.Errorf("stderr = %q, want the shutdown log last", stderr.String())
		}
	})
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		tail := logTail{max: 11}
		for _, l := range []string{"one", "two", "three", "four"} {
			tail.add(l)
		}
		var b bytes.Buffer
		tail.writeTo(&b, "the log")
		if want := "local: the log (its last 2 lines; 2 lines before them not kept):\nthree\nfour\n"; b.String() != want {
			t.Errorf("writeTo = %q, want %q", b.String(), want)
		}
	})
}

// TestRunnerFailBuild checks that a failed build shows the go command's
// output as it printed it, then one line.
func TestRunnerFailBuild(t *testing.T) {
	t.Parallel()
	c, _, stderr := testConsole(false, false)
	r := &runner{opts: options{n: 1}, out: c}
	out := "# example.com/fn\nfn/main.go:4:2: undefined: undefinedThing\n"
	code := r.fail(context.Background(), &lambdatest.BuildError{Target: "./functions/fn", Err: errors.New("exit status 1"), Output: []byte(out)})
	if code != exitHarness {
		t.Errorf("fail = %d, want %d", code, exitHarness)
	}
	if want := out + "local: build ./functions/fn: exit status 1\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// Payloads of getcall in warn mode: a call that breaks the contract, as
// returned directly and inside a Function URL response, and one that does not.
const (
	drifted     = `{"schema":"callwire.call.v1","sid":"x","contract":{"conformant":false,"findings":10}}`
	driftedHTTP = `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"sid\":\"x\",\"contract\":{\"conformant\":false,\"findings\":10}}"}`
	conformant  = `{"schema":"callwire.call.v1","sid":"x","contract":{"conformant":true,"findings":0}}`
)

func withPayload(r *lambdatest.Result, payload string) *lambdatest.Result {
	r.Payload = []byte(payload)
	return r
}

func TestReasonLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line, want string
	}{
		{name: "JSON warning", line: `{"timestamp":"t","level":"WARN","message":"publish: call","sid":"s","outcome":"retry","upstream_status":404,"reason":"not_found","error":"signalwire: HTTP 404","requestId":"r"}`,
			want: `WARN "publish: call": outcome=retry, reason=not_found, upstream_status=404, error=signalwire: HTTP 404`},
		{name: "JSON error with an object", line: `{"level":"ERROR","msg":"batch","failure_reasons":{"not_found":1}}`,
			want: `ERROR "batch": failure_reasons={"not_found":1}`},
		{name: "text format", line: `time=2026-03-02T14:08:00Z level=WARN msg="publish: call" reason=not_found`,
			want: `time=2026-03-02T14:08:00Z level=WARN msg="publish: call" reason=not_found`},
		{name: "info", line: `{"level":"INFO","message":"publish: batch","item_failures":1}`},
		{name: "text info", line: `time=t level=INFO msg=x`},
		{name: "emulator", line: `06 Dec 2026 12:57:15,879 [WARNING] (rapid) Reset initiated: SandboxTerminated`},
		{name: "not JSON", line: `{"level":"WARN"`},
		{name: "long", line: `{"level":"WARN","message":"m","error":"` + strings.Repeat("é", 1000) + `"}`,
			want: `WARN "m": error=` + strings.Repeat("é", (maxReasonLine-len(`WARN "m": error=`))/2) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := reasonLine(tt.line)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("reasonLine = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

// TestConsoleReasons checks that the warnings and errors of each function's
// log are shown, named by function, without -v, and not the emulator's
// shutdown noise.
func TestConsoleReasons(t *testing.T) {
	t.Parallel()
	c, _, stderr := testConsole(false, false)
	c.from("callback")
	fmt.Fprintln(c, `{"level":"INFO","message":"callback","status":204}`)
	c.from("publish")
	fmt.Fprint(c, `{"level":"WARN","message":"publish: call","reason":"not_found"}`+"\n"+`{"level":"ERROR","message":"late"`)
	c.stop()
	fmt.Fprintln(c, `{"level":"WARN","message":"shutting down"}`)
	c.showReasons()
	want := "local: why, from the function's log:\n" +
		`local: publish logged WARN "publish: call": reason=not_found` + "\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	ok := func(init, d time.Duration) *lambdatest.Result {
		r := &lambdatest.Result{HasReport: true, Report: lambdatest.Report{Duration: d, InitDuration: 40 * time.Microsecond, HasInitDuration: init > 0}}
		if init > 0 {
			r.Init = []time.Duration{init}
		}
		return r
	}
	failed := func(typ string) *lambdatest.Result {
		r := ok(0, 3*time.Millisecond)
		r.Err = &lambdatest.FunctionError{Type: typ}
		return r
	}
	counts := []string{"1 Secrets Manager request", "1 upstream request"}
	tests := []struct {
		name string
		t    tally
		want string
	}{
		{name: "one invoke", t: tally{function: "getcall", counts: counts, results: []*lambdatest.Result{ok(7100*time.Microsecond, 1200*time.Microsecond)}},
			want: "getcall: ok, 1 invoke, init 7.1 ms, duration 1.2 ms, 1 Secrets Manager request, 1 upstream request"},
		{name: "warm invokes", t: tally{function: "getcall", results: []*lambdatest.Result{ok(7*time.Millisecond, 20*time.Millisecond), ok(0, 900*time.Microsecond), ok(0, 2*time.Millisecond)}},
			want: "getcall: ok, 3 invokes, init 7.0 ms, duration 20.0 ms, then p50 2.0 ms, p99 2.0 ms"},
		{name: "function error", t: tally{function: "getcall", counts: counts, results: []*lambdatest.Result{failed("CallNotFound")}},
			want: "getcall: function error CallNotFound, 1 invoke, duration 3.0 ms, 1 Secrets Manager request, 1 upstream request"},
		{name: "some failed", t: tally{function: "getcall", results: []*lambdatest.Result{ok(7*time.Millisecond, 5*time.Millisecond), failed("A"), failed("B"), failed("A")}},
			want: "getcall: function error on 3 of 4 invokes (A, B), 4 invokes, init 7.0 ms, duration 5.0 ms, then p50 3.0 ms, p99 3.0 ms"},
		{name: "live", t: tally{function: "getcall", live: true, results: []*lambdatest.Result{{}}},
			want: "getcall: ok, 1 invoke, live"},
		{name: "drift in warn mode", t: tally{function: "getcall", counts: counts, results: []*lambdatest.Result{withPayload(ok(7*time.Millisecond, time.Millisecond), drifted)}},
			want: "getcall: drift in warn mode, 10 contract findings, 1 invoke, init 7.0 ms, duration 1.0 ms, 1 Secrets Manager request, 1 upstream request"},
		{name: "drift in an HTTP response's body", t: tally{function: "getcall", results: []*lambdatest.Result{withPayload(ok(0, time.Millisecond), driftedHTTP)}},
			want: "getcall: drift in warn mode, 10 contract findings, 1 invoke, duration 1.0 ms"},
		{name: "drift in some responses", t: tally{function: "getcall", results: []*lambdatest.Result{
			withPayload(ok(0, time.Millisecond), drifted), withPayload(ok(0, time.Millisecond), conformant), withPayload(ok(0, time.Millisecond), drifted)}},
			want: "getcall: drift in warn mode, 2 of 3 responses not conformant (20 contract findings), 3 invokes, duration 1.0 ms, then p50 1.0 ms, p99 1.0 ms"},
		{name: "conformant", t: tally{function: "getcall", results: []*lambdatest.Result{withPayload(ok(0, time.Millisecond), conformant)}},
			want: "getcall: ok, 1 invoke, duration 1.0 ms"},
		{name: "a function error wins over drift", t: tally{function: "getcall", results: []*lambdatest.Result{withPayload(ok(0, time.Millisecond), drifted), failed("A")}},
			want: "getcall: function error on 1 of 2 invokes (A), 2 invokes, duration 1.0 ms, then p50 3.0 ms, p99 3.0 ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.t.verdict(); got != tt.want {
				t.Errorf("verdict = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

// TestConsoleProgress checks that a long step reports how far it got: in a
// log, a line of its own at most once per interval; on a terminal, in
// place of the step's line; and nothing before the step is announced.
func TestConsoleProgress(t *testing.T) {
	t.Parallel()
	t.Run("log", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(false, false)
		c.every = time.Hour
		s := c.step("building b", "the first build may take minutes")
		s.progress("1 of 9 packages compiled") // not announced yet: nothing
		for !strings.Contains(stderr.String(), "local: building b (the first build may take minutes)...") {
			time.Sleep(time.Millisecond)
		}
		s.progress("2 of 9 packages compiled")
		s.progress("3 of 9 packages compiled") // within the interval: nothing
		time.Sleep(60 * time.Millisecond)      // past c.slow: the end shows its time
		s.done(nil)
		got := regexp.MustCompile(`\d+\.\d s`).ReplaceAllString(stderr.String(), "T")
		want := "local: building b (the first build may take minutes)...\n" +
			"local: building b: 2 of 9 packages compiled, T so far\n" +
			"local: building b: done in T\n"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stderr mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		c, _, stderr := testConsole(false, true)
		c.every = 0
		s := c.step("building b", "note")
		s.progress("1 of 9 packages compiled")
		s.progress("9 of 9 packages compiled")
		time.Sleep(60 * time.Millisecond) // past c.slow: the end shows its time
		s.done(nil)
		got := regexp.MustCompile(`\d+\.\d s`).ReplaceAllString(stderr.String(), "T")
		want := "local: building b (note)..." +
			"\r\033[Klocal: building b (note)... [1 of 9 packages compiled]" +
			"\r\033[Klocal: building b (note)... [9 of 9 packages compiled] done in T\n"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stderr mismatch (-want +got):\n%s", diff)
		}
	})
}
