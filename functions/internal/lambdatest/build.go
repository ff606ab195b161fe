package lambdatest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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

// BuildBootstrap builds the Lambda binary in package pkg (such as
// "./functions/getcall", relative to the module root) with the deployment
// flags, for the host's GOOS and GOARCH, and returns the path of the
// executable, outDir/bootstrap.
func BuildBootstrap(ctx context.Context, root, pkg, outDir string) (string, error) {
	out := filepath.Join(outDir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build",
		"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("lambdatest: build %s: %w: %s", pkg, err, oneLine(msg))
	}
	return out, nil
}

// RIEPath builds the Runtime Interface Emulator pinned in the go.mod at root
// (or takes it from the build cache) and returns the executable's path.
func RIEPath(ctx context.Context, root string) (string, error) {
	// "go tool -n" builds the tool into the build cache and prints its path
	// instead of running it; a second call costs a fraction of a second.
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", rieTool)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("lambdatest: build aws-lambda-rie: %w: %s", err, oneLine(stderr.Bytes()))
	}
	path := strings.TrimRight(string(out), "\r\n")
	info, err := os.Stat(path)
	if err != nil || info.IsDir() {
		return "", fmt.Errorf("lambdatest: build aws-lambda-rie: go tool -n printed %q, not an executable", path)
	}
	return path, nil
}

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
