package lambdatest

import (
	"context"
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
	return m.Run()
}

// needEmulator skips t where the emulator cannot run.
func needEmulator(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}
