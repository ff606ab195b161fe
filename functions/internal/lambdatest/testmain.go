package lambdatest

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// Binaries is what a test binary's TestMain builds once for its tests: a
// function's bootstrap, built with the deployment flags, and the emulator.
type Binaries struct {
	Bootstrap string
	RIE       string
	// SkipReason is set where the emulator cannot run.
	SkipReason string
}

// RunTests is a TestMain's body: it builds the function at pkg (a path from
// the module root, such as "./functions/cmd/getcall") into a temporary
// folder, finds the emulator, runs the tests through run and returns their
// exit code. Where the emulator cannot run it sets b.SkipReason and runs the
// tests; where a build fails it prints why and returns 1. With progress set,
// it says what it builds (what names it) and how long that took.
func (b *Binaries) RunTests(run func() int, pkg, what string, timeout time.Duration, progress io.Writer) int {
	if runtime.GOOS != "linux" {
		b.SkipReason = "aws-lambda-rie runs only on Linux, not " + runtime.GOOS
		return run()
	}
	dir, err := os.MkdirTemp("", "lambdatest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	if progress != nil {
		fmt.Fprintf(progress, "building %s and the emulator (minutes with a cold build cache)\n", what)
	}
	root, err := ModuleRoot(".")
	if err == nil {
		b.Bootstrap, err = BuildBootstrap(ctx, root, pkg, dir)
	}
	if err == nil {
		b.RIE, err = RIEPath(ctx, root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if progress != nil {
		fmt.Fprintf(progress, "built them in %v\n", time.Since(start).Round(100*time.Millisecond))
	}
	return run()
}
