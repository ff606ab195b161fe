package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testdataDir is the module's testdata, seen from this package's directory.
const testdataDir = "../../testdata"

// getcallBootstrap is functions/getcall built once for the test binary with
// the deployment flags; skipReason is set where the emulator cannot run.
var (
	getcallBootstrap string
	rieBinary        string
	skipReason       string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if runtime.GOOS != "linux" {
		skipReason = "aws-lambda-rie runs only on Linux, not " + runtime.GOOS
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "callwire-local-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if testing.Verbose() {
		fmt.Fprintln(os.Stderr, "building the getcall bootstrap and the emulator for the end-to-end tests (minutes with a cold build cache)")
	}
	root, err := lambdatest.ModuleRoot(".")
	if err == nil {
		getcallBootstrap, err = lambdatest.BuildBootstrap(ctx, root, "./functions/cmd/getcall", dir)
	}
	if err == nil {
		rieBinary, err = lambdatest.RIEPath(ctx, root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "built them in %v\n", time.Since(start).Round(100*time.Millisecond))
	}
	return m.Run()
}

// needEmulator skips t where the emulator cannot run.
func needEmulator(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}
