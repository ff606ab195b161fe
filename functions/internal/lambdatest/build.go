package lambdatest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// rieTool is the Runtime Interface Emulator's import path, pinned as a tool
// in go.mod so every checkout runs the same emulator.
const rieTool = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// ModuleRoot returns the nearest directory at or above dir that holds a
// go.mod file.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lambdatest: module root: %w", err)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("lambdatest: module root: no go.mod at or above %s", dir)
		}
		d = parent
	}
}

// BuildError is a go command that failed to build a bootstrap or the
// emulator. Its message is one line; Output keeps what the go command
// printed, line by line, for a user to read.
type BuildError struct {
	// Target is the package or tool that was being built.
	Target string
	Err    error
	Output []byte
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("lambdatest: build %s: %v: %s", e.Target, e.Err, oneLine(e.Output))
}

func (e *BuildError) Unwrap() error { return e.Err }

// BuildBootstrap builds the Lambda binary in package pkg (such as
// "./functions/cmd/getcall", relative to the module root) with the deployment
// flags, for the host's GOOS and GOARCH, and returns the path of the
// executable, outDir/bootstrap.
func BuildBootstrap(ctx context.Context, root, pkg, outDir string) (string, error) {
	out := filepath.Join(outDir, "bootstrap")
	var output bytes.Buffer
	err := runGo(ctx, root, &output, &output, []string{"CGO_ENABLED=0", "GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH},
		"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	if err != nil {
		return "", &BuildError{Target: pkg, Err: err, Output: output.Bytes()}
	}
	return out, nil
}

// RIEPath builds the Runtime Interface Emulator pinned in the go.mod at root
// (or takes it from the build cache) and returns the executable's path.
func RIEPath(ctx context.Context, root string) (string, error) {
	// "go tool -n" builds the tool into the build cache and prints its path
	// instead of running it; a second call costs a fraction of a second.
	var stdout, stderr bytes.Buffer
	if err := runGo(ctx, root, &stdout, &stderr, nil, "tool", "-n", rieTool); err != nil {
		return "", &BuildError{Target: "aws-lambda-rie", Err: err, Output: stderr.Bytes()}
	}
	path := strings.TrimRight(stdout.String(), "\r\n")
	info, err := os.Stat(path)
	if err != nil || info.IsDir() {
		return "", fmt.Errorf("lambdatest: build aws-lambda-rie: go tool -n printed %q, not an executable", path)
	}
	return path, nil
}

// runGo runs the go command with args in root, with env added to the
// environment, and stops it cleanly when ctx is done: the go command and
// the compilers and linker it starts run in a process group of their own,
// which gets SIGINT (the go command then removes its work directory) and,
// if it is still there after goStopDelay, SIGKILL. The go command's
// temporary files go to a directory of our own, removed once it has exited,
// so an interrupted build leaves nothing in the temporary directory.
func runGo(ctx context.Context, root string, stdout, stderr io.Writer, env []string, args ...string) error {
	tmp, err := os.MkdirTemp("", "callwire-go-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), env...), "GOTMPDIR="+tmp)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = groupAttr()
	cmd.Cancel = func() error { return interruptGroup(cmd.Process) }
	cmd.WaitDelay = goStopDelay
	err = cmd.Run()
	if cmd.Process != nil {
		// Whatever the go command started and left behind.
		killGroup(cmd.Process)
	}
	return err
}

// goStopDelay is how long an interrupted go command has to exit before it
// is killed.
const goStopDelay = 5 * time.Second

// oneLine squeezes command output into one line for an error message.
func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return "no output"
	}
	const max = 2000
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
