package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// specWatchBench measures the spec watch's cold start against the
// hello-world baseline under the emulator. Each sample is a first run: a
// fresh table item, testdata's changed document from a loopback server,
// the comparison, the live sample from the replay server and one event.
// It is scheduled, so there is no target: the figures are reported.
func (b *bench) specWatchBench(ctx context.Context, demo *lambdatest.Demo, hello string) error {
	watch, err := lambdatest.BuildBootstrap(ctx, b.root, "./functions/cmd/specwatch", filepath.Join(b.work, "specwatch"))
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(filepath.Join(b.root, "testdata", "specwatch", "published-v1.yaml"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	docs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(doc) })}
	go func() { _ = docs.Serve(ln) }()
	defer func() { _ = docs.Close() }()
	ddb, bus := dynamoserver.New(), eventsserver.New()
	ddbURL, err := ddb.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ddb.Close()
	busURL, err := bus.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer bus.Close()
	bus.CreateBus("callwire")

	once := func(bootstrap string, env []string) (time.Duration, time.Duration, error) {
		emu, err := lambdatest.Start(ctx, lambdatest.Config{
			RIE: b.rie, Bootstrap: bootstrap, Env: env, FunctionName: "bench", Timeout: 30 * time.Second, MemoryMB: 512, LogFormat: "JSON",
		})
		if err != nil {
			return 0, 0, err
		}
		defer func() { _ = emu.Close() }()
		res, err := emu.Invoke(ctx, []byte(`{}`))
		if err != nil {
			return 0, 0, err
		}
		if res.Err != nil || len(res.Init) != 1 || !res.HasReport {
			return 0, 0, fmt.Errorf("first invoke: error %v, %d INIT REPORT lines, REPORT %t", res.Err, len(res.Init), res.HasReport)
		}
		return res.Init[0], res.Report.Duration, nil
	}
	var wi, hi, wr []time.Duration
	for i := range b.opts.samples {
		table := fmt.Sprintf("callwire-bench-%d", i)
		if err := ddb.CreateTable(table, "id"); err != nil {
			return err
		}
		env := append(demo.Environ(os.Environ()), "AWS_ENDPOINT_URL_DYNAMODB="+ddbURL, "AWS_ENDPOINT_URL_EVENTBRIDGE="+busURL,
			"IDEMPOTENCY_TABLE="+table, "EVENT_BUS_NAME=callwire", "SPEC_URL=http://"+ln.Addr().String()+"/openapi.yaml")
		first := i%2 == 0
		for _, isWatch := range []bool{first, !first} {
			if isWatch {
				init, dur, err := once(watch, env)
				if err != nil {
					return fmt.Errorf("specwatch sample %d: %w", i+1, err)
				}
				wi, wr = append(wi, init), append(wr, dur)
			} else {
				init, _, err := once(hello, env)
				if err != nil {
					return fmt.Errorf("hello sample %d: %w", i+1, err)
				}
				hi = append(hi, init)
			}
		}
	}
	if n := len(bus.Events("callwire")); n != b.opts.samples {
		return fmt.Errorf("%d Spec Changed events for %d first runs", n, b.opts.samples)
	}
	const sec = "9 spec watch"
	n := fmt.Sprintf("n=%d each, alternated, fresh RIE per sample", b.opts.samples)
	b.add(sec, "init specwatch", distMs(wi), "RIE log INIT REPORT(durationMs); "+n, "reported (scheduled)", "")
	b.add(sec, "init hello-world", distMs(hi), "same", "", "")
	b.add(sec, "init difference", fmt.Sprintf("%+.1f ms (medians)", ms(median(wi)-median(hi))), "median(specwatch) - median(hello)", "", "")
	b.add(sec, "invoke 1 specwatch", distMs(wr), "RIE REPORT Duration of a first run: fetch, two loads and a comparison, 5 sampled calls, one event", "", "")
	return nil
}
