package lambdatest

import (
	"flag"
	"io"
	"os"
	"testing"
	"time"
)

// fixture is the fixture function and the emulator, built once for the test
// binary.
var fixture Binaries

func TestMain(m *testing.M) {
	flag.Parse()
	var progress io.Writer
	if testing.Verbose() {
		progress = os.Stderr
	}
	os.Exit(fixture.RunTests(m.Run, "./functions/internal/lambdatest/testdata/fixturefn", "the fixture function", 5*time.Minute, progress))
}

// needEmulator skips t where the emulator cannot run.
func needEmulator(t *testing.T) {
	t.Helper()
	if fixture.SkipReason != "" {
		t.Skip(fixture.SkipReason)
	}
}
