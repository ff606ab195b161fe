package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/callwire/callwire/contract"
)

// runnerCompiled compiles the runner once per test binary with "go tool -n
// local", which builds it into the build cache and prints its path. The
// tests that run "go tool local" or "go build" the runner call it first, so
// they find it compiled instead of compiling it side by side from a cold
// cache, each the whole of it: concurrent go commands do not share work in
// progress.
var runnerCompiled = sync.OnceValue(func() error {
	cmd := exec.Command("go", "tool", "-n", "local")
	cmd.Dir = filepath.Join(testdataDir, "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.New("go tool -n local: " + err.Error() + "\n" + string(out))
	}
	return nil
})

// TestGoToolExitCodes runs the runner as "go tool local" from the module
// root (go.mod declares it as a tool), as scripts do, and checks that its
// exit statuses reach the shell: "go run" turns each of them into 1.
func TestGoToolExitCodes(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the runner with the go command; skipped with -short")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	if err := runnerCompiled(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "version", args: []string{"--version"}, code: exitOK, stdout: contract.SpecSHA256},
		{name: "unknown function", args: []string{"-function", "nosuch"}, code: exitHarness, stderr: "local: -function nosuch: no such function; want one of "},
		// Run as go tool, its help hint says so.
		{name: "usage error", args: []string{"-n", "0"}, code: exitHarness, stderr: "local: -n must be at least 1\nrun 'go tool local -h' for help\n"},
		{name: "mistyped function", args: []string{"-function", "getcal"}, code: exitHarness,
			stderr: "local: -function getcal: no such function (did you mean getcall?); want one of "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the first run builds the runner, the others reuse it.
			cmd := exec.CommandContext(t.Context(), gocmd, append([]string{"tool", "local"}, tt.args...)...)
			cmd.Dir = filepath.Join(testdataDir, "..")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			switch {
			case errors.As(err, &exitErr):
				code = exitErr.ExitCode()
			case err != nil:
				t.Fatalf("go tool local: %v", err)
			}
			if code != tt.code {
				t.Errorf("go tool local %s: exit %d, want %d; stderr:\n%s", strings.Join(tt.args, " "), code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q in them", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
