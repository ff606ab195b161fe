//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// TestSignals sends SIGINT or SIGTERM to the process group of a run, as a
// terminal's Ctrl-C, timeout(1) and CI runners do, at several points of the
// run: the built runner and "go tool local", which forwards every signal to
// the runner, so the runner gets each one twice. Every time the runner must
// stop what it started, leave nothing in the temporary directory and exit
// 128 plus the signal's number.
func TestSignals(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	if testing.Short() {
		t.Skip("builds the runner and bootstraps with the go command; skipped with -short")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	root, err := filepath.Abs(filepath.Join(testdataDir, ".."))
	if err != nil {
		t.Fatal(err)
	}
	if err := runnerCompiled(); err != nil {
		t.Fatal(err)
	}
	runner := filepath.Join(t.TempDir(), "local")
	build := exec.CommandContext(t.Context(), gocmd, "build", "-o", runner, "./functions/local")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the runner: %v\n%s", err, out)
	}

	// Each point is reached once stderr (with -v) holds its marker.
	points := []struct {
		name   string
		args   func(t *testing.T) []string
		marker string
	}{
		{name: "building", marker: "local: building the bootstrap of ./functions/cmd/getcall",
			args: func(t *testing.T) []string { return []string{"-work", t.TempDir()} }},
		{name: "emulator running", marker: "local: invoking getcall 100000 times",
			args: func(*testing.T) []string { return []string{"-bootstrap", getcall.Bootstrap, "-n", "100000"} }},
		{name: "mid-pipeline", marker: "local: callback invoke 2/",
			args: func(*testing.T) []string { return []string{"-pipeline", "-n", "100000"} }},
	}
	sigs := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}
	// "alone" sends the signal to the runner only, as kill(1) does: the
	// go command building a bootstrap gets none and must be stopped.
	for _, how := range []string{"binary", "go tool", "alone"} {
		for _, p := range points {
			for _, sig := range sigs {
				if how == "alone" && p.name != "building" {
					continue
				}
				t.Run(how+"/"+p.name+"/"+sig.String(), func(t *testing.T) {
					t.Parallel()
					tmp := filepath.Join(t.TempDir(), "tmp")
					if err := os.Mkdir(tmp, 0o755); err != nil {
						t.Fatal(err)
					}
					args := append([]string{"-v"}, p.args(t)...)
					var cmd *exec.Cmd
					if how == "go tool" {
						cmd = exec.Command(gocmd, append([]string{"tool", "local"}, args...)...)
					} else {
						cmd = exec.Command(runner, args...)
					}
					cmd.Dir = root
					cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
					// Its own session and process group: what is left of
					// the session afterwards was left behind by the run.
					cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
					code, stderr := interruptAt(t, cmd, p.marker, sig, how != "alone")
					if want := 128 + int(sig); code != want {
						t.Errorf("exit %d, want %d; stderr ends:\n%s", code, want, tail(stderr))
					}
					if !strings.Contains(stderr, "local: interrupted") {
						t.Errorf("stderr does not say the run was interrupted; it ends:\n%s", tail(stderr))
					}
					if strings.Contains(stderr, "signal: ") {
						t.Errorf("something died by a signal; stderr ends:\n%s", tail(stderr))
					}
					if left := sessionProcesses(cmd.Process.Pid); len(left) > 0 {
						for _, pid := range left {
							_ = syscall.Kill(pid, syscall.SIGKILL)
						}
						t.Errorf("processes %v of the run are still running", left)
					}
					if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
						var names []string
						for _, e := range entries {
							names = append(names, e.Name())
						}
						t.Errorf("the temporary directory still holds %v", names)
					}
				})
			}
		}
	}
}

// interruptAt starts cmd, sends sig to its process group (or, without
// group, to cmd alone) once a line of its stderr holds marker, and returns
// its exit status and stderr.
func interruptAt(t *testing.T, cmd *exec.Cmd, marker string, sig syscall.Signal, group bool) (int, string) {
	t.Helper()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		stderr bytes.Buffer
	)
	seen := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		// Not line by line: a step's line stays open, without its newline,
		// until the step ends.
		buf := make([]byte, 32<<10)
		signalled := false
		for {
			n, err := pipe.Read(buf)
			mu.Lock()
			stderr.Write(buf[:n])
			if !signalled && strings.Contains(stderr.String(), marker) {
				signalled = true
				close(seen)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-seen:
		target := cmd.Process.Pid
		if group {
			target = -target
		}
		if err := syscall.Kill(target, sig); err != nil {
			t.Errorf("signal the run: %v", err)
		}
	case <-read:
	case <-time.After(5 * time.Minute):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Errorf("stderr never held %q", marker)
	}
	<-read
	err = cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && exitErr.Exited():
		return exitErr.ExitCode(), stderr.String()
	case err != nil:
		t.Errorf("the run ended with %v", err)
		return -1, stderr.String()
	}
	return 0, stderr.String()
}

// sessionProcesses returns the live processes of session sid, waiting a
// moment for ones on their way out.
func sessionProcesses(sid int) []int {
	var left []int
	for deadline := time.Now().Add(3 * time.Second); ; {
		left = left[:0]
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if s, ok := sessionOf(pid); ok && s == sid && lambdatest.Running(pid) {
				left = append(left, pid)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sessionOf reads the session ID of process pid from /proc/<pid>/stat,
// after the command name's last ')': state, ppid, pgrp, session.
func sessionOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 4 {
		return 0, false
	}
	s, err := strconv.Atoi(f[3])
	return s, err == nil
}

// tail returns the last lines of a run's stderr, where a -v run's reason is.
func tail(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// TestFailSignaledChild checks the race of a signal sent to the process
// group just as the runner starts a child: the child, not yet in its own
// group, dies by the signal before the runner's handler has cancelled the
// run. The run is still reported as interrupted, with the signal's status.
func TestFailSignaledChild(t *testing.T) {
	t.Parallel()
	child := exec.CommandContext(t.Context(), "sh", "-c", "kill -TERM $$")
	childErr := child.Run()
	if !signaled(childErr) {
		t.Fatalf("sh killed by SIGTERM: %v, want a signaled exit", childErr)
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	time.AfterFunc(50*time.Millisecond, func() { cancel(signalError{syscall.SIGTERM}) })
	c, _, stderr := testConsole(false, false)
	r := &runner{opts: options{n: 1}, out: c}
	code := r.fail(ctx, &lambdatest.BuildError{Target: "./functions/cmd/getcall", Err: childErr})
	if code != 143 || !strings.HasPrefix(stderr.String(), "local: interrupted after 0/1 invokes") {
		t.Errorf("fail = %d, stderr %q; want 143 and the interrupted line", code, stderr.String())
	}
}
