package main

import (
	"context"
	"os"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// getcallEvent retrieves a conformant recording's call.
var getcallEvent = []byte(`{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`)

// coldSample is one cold start: a fresh emulator, one invoke.
type coldSample struct {
	init    time.Duration // INIT REPORT(durationMs) from the emulator's log
	wall    time.Duration // client: starting the emulator to the first response
	invoke  time.Duration // REPORT Duration of invoke 1
	invWall time.Duration // client wall of invoke 1 (it includes the init)
}

// startEmulator starts a fresh emulator for bootstrap in the demo world.
func (b *bench) startEmulator(ctx context.Context, demo *lambdatest.Demo, bootstrap string) (*lambdatest.Emulator, error) {
	return lambdatest.Start(ctx, lambdatest.Config{
		RIE:          b.rie,
		Bootstrap:    bootstrap,
		Env:          demo.Environ(os.Environ()),
		FunctionName: "bench",
		Timeout:      10 * time.Second,
		MemoryMB:     128,
		LogFormat:    "JSON",
	})
}
