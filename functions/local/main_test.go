package main

import (
	"flag"
	"io"
	"os"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testdataDir is the module's testdata, seen from this package's directory.
const testdataDir = "../../testdata"

// getcall is functions/getcall built once for the test binary with the
// deployment flags, and the emulator.
var getcall lambdatest.Binaries

func TestMain(m *testing.M) {
	flag.Parse()
	var progress io.Writer
	if testing.Verbose() {
		progress = os.Stderr
	}
	os.Exit(getcall.RunTests(m.Run, "./functions/cmd/getcall", "the getcall bootstrap for the end-to-end tests", 10*time.Minute, progress))
}

// needEmulator skips t where the emulator cannot run.
func needEmulator(t *testing.T) {
	t.Helper()
	if getcall.SkipReason != "" {
		t.Skip(getcall.SkipReason)
	}
}
