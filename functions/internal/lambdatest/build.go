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
	return BuildBootstrapProgress(ctx, root, pkg, outDir, nil)
}

// BuildBootstrapProgress is BuildBootstrap that reports how far the build
// got: progress, when not nil, is called each time the go command compiled
// a package, with the number compiled so far and the number of packages
// the bootstrap links (its dependencies, the standard library's included).
// With a warm build cache few are compiled; with a cold one all of them.
func BuildBootstrapProgress(ctx context.Context, root, pkg, outDir string, progress func(compiled, total int)) (string, error) {
	out := filepath.Join(outDir, "bootstrap")
	env := []string{"CGO_ENABLED=0", "GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH}
	flags := []string{"-tags", "lambda.norpc", "-trimpath"}
	var output bytes.Buffer
	var w io.Writer = &output
	args := append([]string{"build"}, flags...)
	if progress != nil {
		// The packages the bootstrap links, with the build's own settings:
		// go build -v names each package as it compiles it.
		var list, listErr bytes.Buffer
		if err := runGo(ctx, root, &list, &listErr, env, append(append([]string{"list", "-deps"}, flags...), pkg)...); err != nil {
			return "", &BuildError{Target: pkg, Err: err, Output: listErr.Bytes()}
		}
		deps := map[string]bool{}
		for _, p := range strings.Fields(list.String()) {
			deps[p] = true
		}
		w = &packageCounter{deps: deps, rest: &output, progress: progress}
		args = append(args, "-v")
	}
	args = append(args, "-ldflags=-s -w", "-o", out, pkg)
	// One writer for both streams, so the go command writes them through
	// one pipe, in order.
	err := runGoLocked(ctx, root, w, w, env, args...)
	if pc, ok := w.(*packageCounter); ok {
		pc.flush()
	}
	if err != nil {
		return "", &BuildError{Target: pkg, Err: err, Output: output.Bytes()}
	}
	return out, nil
}

// packageCounter reads what go build -v writes: the lines that name a
// package of deps count towards progress, every other line (a compile
// error) goes to rest.
type packageCounter struct {
	deps     map[string]bool
	rest     io.Writer
	progress func(compiled, total int)
	partial  []byte
	compiled int
}

func (c *packageCounter) Write(p []byte) (int, error) {
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.line(c.partial[:i+1])
		c.partial = c.partial[i+1:]
	}
	return len(p), nil
}

func (c *packageCounter) line(l []byte) {
	if c.deps[string(bytes.TrimRight(l, "\r\n"))] {
		c.compiled++
		c.progress(c.compiled, len(c.deps))
		return
	}
	_, _ = c.rest.Write(l)
}

// flush passes on a last line without its end.
func (c *packageCounter) flush() {
	if len(c.partial) > 0 {
		c.line(c.partial)
		c.partial = nil
	}
}

// RIEPath builds the Runtime Interface Emulator pinned in the go.mod at root
// (or takes it from the build cache) and returns the executable's path.
func RIEPath(ctx context.Context, root string) (string, error) {
	// "go tool -n" builds the tool into the build cache and prints its path
	// instead of running it; a second call costs a fraction of a second.
	var stdout, stderr bytes.Buffer
	if err := runGoLocked(ctx, root, &stdout, &stderr, nil, "tool", "-n", rieTool); err != nil {
		return "", &BuildError{Target: "aws-lambda-rie", Err: err, Output: stderr.Bytes()}
	}
	path := strings.TrimRight(stdout.String(), "\r\n")
	info, err := os.Stat(path)
	if err != nil || info.IsDir() {
		return "", fmt.Errorf("lambdatest: build aws-lambda-rie: go tool -n printed %q, not an executable", path)
	}
	return path, nil
}

// runGoLocked is runGo holding the build lock (see lockBuilds), for the go
// commands that compile.
func runGoLocked(ctx context.Context, root string, stdout, stderr io.Writer, env []string, args ...string) error {
	release, err := lockBuilds(ctx)
	if err != nil {
		return err
	}
	defer release()
	return runGo(ctx, root, stdout, stderr, env, args...)
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
