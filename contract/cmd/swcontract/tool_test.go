package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
)

// moduleRoot is the directory of go.mod, relative to this package.
const moduleRoot = "../../.."

// goTool runs "go tool swcontract args..." from the module root, as the
// README does, and returns its exit code and output.
func goTool(t *testing.T, gocmd string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), gocmd, append([]string{"tool", "swcontract"}, args...)...)
	cmd.Dir = filepath.FromSlash(moduleRoot)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("go tool swcontract: %v", err)
	}
	return code, out.String(), errOut.String()
}

// TestGoToolExitCodes runs swcontract the way the README does, as
// "go tool swcontract" from the module root (go.mod declares it as a tool),
// and checks that its documented exit codes reach the shell: "go run" would
// turn 2 into 1.
func TestGoToolExitCodes(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds swcontract with the go command; skipped with -short")
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	// The first run builds swcontract; the subtests reuse the build.
	code, stdout, stderr := goTool(t, gocmd, "--version")
	if code != exitOK || !strings.Contains(stdout, contract.SpecSHA256) {
		t.Fatalf("go tool swcontract --version: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	empty := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{name: "conformant", args: []string{"check", "testdata/recordings/conformant"}, code: exitOK, stdout: "nonconformant 0,"},
		{name: "drift", args: []string{"check", "testdata/recordings/drift"}, code: exitFail, stdout: "FAIL nonconformant: "},
		{name: "usage error", args: []string{"check", "--format", "xml", "testdata/recordings/drift"}, code: exitUsage},
		{name: "nothing checked", args: []string{"check", empty}, code: exitUsage, stdout: "unusable 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := goTool(t, gocmd, tt.args...)
			if code != tt.code {
				t.Errorf("go tool swcontract %s: exit %d, want %d\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
		})
	}
}
