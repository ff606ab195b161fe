package main

import (
	"context"
	"fmt"
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

// coldOnce starts a fresh emulator, invokes once and stops it.
func (b *bench) coldOnce(ctx context.Context, demo *lambdatest.Demo, bootstrap string, event []byte) (coldSample, error) {
	start := time.Now()
	emu, err := b.startEmulator(ctx, demo, bootstrap)
	if err != nil {
		return coldSample{}, err
	}
	defer func() { _ = emu.Close() }()
	res, err := emu.Invoke(ctx, event)
	wall := time.Since(start)
	if err != nil {
		return coldSample{}, err
	}
	if res.Err != nil {
		return coldSample{}, fmt.Errorf("first invoke failed: %v", res.Err)
	}
	if len(res.Init) != 1 || !res.HasReport {
		return coldSample{}, fmt.Errorf("first invoke: %d INIT REPORT lines, REPORT %t; want 1 and true", len(res.Init), res.HasReport)
	}
	return coldSample{init: res.Init[0], wall: wall, invoke: res.Report.Duration, invWall: res.Wall}, nil
}

// coldStarts alternates cold starts of getcall and hello, swapping which goes
// first in each round so drifting load falls on both alike.
func (b *bench) coldStarts(ctx context.Context, demo *lambdatest.Demo, getcall, hello string) error {
	var g, h []coldSample
	for i := range b.opts.samples {
		order := []bool{true, false}
		if i%2 == 1 {
			order = []bool{false, true}
		}
		for _, isGetcall := range order {
			if isGetcall {
				s, err := b.coldOnce(ctx, demo, getcall, getcallEvent)
				if err != nil {
					return fmt.Errorf("getcall sample %d: %w", i+1, err)
				}
				g = append(g, s)
			} else {
				s, err := b.coldOnce(ctx, demo, hello, []byte(`{}`))
				if err != nil {
					return fmt.Errorf("hello sample %d: %w", i+1, err)
				}
				h = append(h, s)
			}
		}
	}
	pick := func(ss []coldSample, f func(coldSample) time.Duration) []time.Duration {
		out := make([]time.Duration, len(ss))
		for i, s := range ss {
			out[i] = f(s)
		}
		return out
	}
	n := fmt.Sprintf("n=%d each, alternated, fresh RIE per sample", b.opts.samples)

	const sec = "1 cold start"
	gi, hi := pick(g, func(s coldSample) time.Duration { return s.init }), pick(h, func(s coldSample) time.Duration { return s.init })
	b.add(sec, "init getcall", distMs(gi), "RIE log INIT REPORT(durationMs); "+n, "", "")
	b.add(sec, "init hello-world", distMs(hi), "same", "", "")
	diff := median(gi) - median(hi)
	b.add(sec, "init difference", fmt.Sprintf("%+.1f ms (medians)", ms(diff)), "median(getcall) - median(hello)", "≤ +5 ms", metIf(diff <= 5*time.Millisecond))
	gw, hw := pick(g, func(s coldSample) time.Duration { return s.wall }), pick(h, func(s coldSample) time.Duration { return s.wall })
	b.add(sec, "start→first response getcall", distMs(gw), "client wall: RIE process start to first invoke response", "", "")
	b.add(sec, "start→first response hello", distMs(hw), "same", "", "")
	b.add(sec, "start→first response difference", fmt.Sprintf("%+.1f ms (medians)", ms(median(gw)-median(hw))), "median(getcall) - median(hello)", "", "")

	const sec2 = "2 first invoke"
	gr, hr := pick(g, func(s coldSample) time.Duration { return s.invoke }), pick(h, func(s coldSample) time.Duration { return s.invoke })
	b.add(sec2, "invoke 1 getcall", distMs(gr), "RIE REPORT Duration of invoke 1 (secret fetch, first connection, check)", "", "")
	b.add(sec2, "invoke 1 hello", distMs(hr), "same", "", "")
	post := func(ss []coldSample) []time.Duration {
		return pick(ss, func(s coldSample) time.Duration { return s.invWall - s.init })
	}
	b.add(sec2, "invoke 1 client wall − init getcall", distMs(post(g)), "client wall of invoke 1 minus its INIT REPORT", "", "")
	b.add(sec2, "invoke 1 client wall − init hello", distMs(post(h)), "same", "", "")
	return nil
}
