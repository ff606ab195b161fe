package lambdatest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// The fixture function and the emulator, built once for the test binary.
var (
	fixtureBootstrap string
	fixtureRIE       string
	// skipReason is set where the emulator cannot run.
	skipReason string
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
	dir, err := os.MkdirTemp("", "lambdatest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	if testing.Verbose() {
		fmt.Fprintln(os.Stderr, "building the fixture function and the emulator (minutes with a cold build cache)")
	}
	root, err := ModuleRoot(".")
	if err == nil {
		fixtureBootstrap, err = BuildBootstrap(ctx, root, "./functions/internal/lambdatest/testdata/fixturefn", dir)
	}
	if err == nil {
		fixtureRIE, err = RIEPath(ctx, root)
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
