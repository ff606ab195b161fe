// Command bench measures callwire's functions where they run: the cold start
// of every function (getcall, callback, publish, sweep, driftcheck and, once
// its main package exists, specwatch) and its first invoke under the AWS
// Lambda Runtime Interface Emulator against a hello-world baseline built with
// the same flags, each function's package inits (GODEBUG=inittrace=1), warm
// overhead and allocations, Secrets Manager requests and upstream connections
// over many warm invocations, the runtime's peak RSS, the arm64 binary size,
// the contract CLI's throughput, and the status-callback receiver's warm
// handler time. Everything runs on loopback against the embedded replay,
// Secrets Manager, SQS, DynamoDB and EventBridge servers.
//
//	go run ./functions/bench [-samples 15] [-invokes 1000] [-long 10000] [-recordings 10000] [-only cold,init]
//
// It prints one table with the method beside each figure and whether each
// target is met. It exits 0 when a speed target is missed, 1 when a check
// of correctness fails (the pipeline's exactly one event per call and
// status), 2 when it cannot measure.
//
// The pipeline step (-only pipeline) runs the callback, publish and sweep
// handlers in process against a second process holding the loopback
// SignalWire, Secrets Manager, SQS, DynamoDB and EventBridge, and computes
// the cost per million calls from what it measured.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// options are the command-line flags.
type options struct {
	samples    int
	invokes    int
	long       int
	recordings int
	benchtime  string
	work       string
	only       map[string]bool // nil runs every step
	pipeline   pipelineOptions
	prices     prices
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if v := os.Getenv(worldEnv); v != "" {
		os.Exit(worldMain(v))
	}
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.samples, "samples", 15, "cold starts per bootstrap (fresh emulator each, alternated)")
	fs.IntVar(&o.invokes, "invokes", 1000, "warm invocations for the request counts and the first RSS reading")
	fs.IntVar(&o.long, "long", 10000, "total warm invocations for the second RSS reading (0 skips it)")
	fs.IntVar(&o.recordings, "recordings", 10000, "generated recordings for the contract CLI throughput")
	fs.StringVar(&o.benchtime, "benchtime", "2s", "go test -benchtime for the warm in-process benchmarks")
	fs.StringVar(&o.work, "work", "", "build into `DIR` and keep it (default a temporary directory)")
	fs.DurationVar(&o.pipeline.duration, "pipeline-duration", 60*time.Second, "how long the pipeline benchmark sends callbacks")
	fs.IntVar(&o.pipeline.rate, "pipeline-rate", 1000, "calls per second the pipeline benchmark offers")
	fs.IntVar(&o.pipeline.invocations, "pipeline-invocations", 4, "concurrent publish invocations (the event source mapping's concurrency)")
	fs.IntVar(&o.pipeline.callbacks, "pipeline-callbacks", 4, "concurrent callback invocations")
	fs.DurationVar(&o.pipeline.latency, "pipeline-latency", 20*time.Millisecond, "SignalWire's answer time in the pipeline benchmark")
	fs.StringVar(&o.pipeline.cpuprofile, "cpuprofile", "", "write the pipeline handlers' CPU profile to `FILE`")
	o.pipeline.concurrency, o.pipeline.dupEvery, o.pipeline.lostEvery = 10, 10, 50
	o.prices = defaultPrices()
	o.prices.flags(fs)
	only := fs.String("only", "", "run only these comma-separated `STEPS` (cold, init, warm, rie, size, cli, callback, specwatch, pipeline); cold runs with any of init, warm, rie, size, which need its builds")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, k := range strings.Split(*only, ",") {
			switch k = strings.TrimSpace(k); k {
			case "init", "warm", "rie", "size":
				o.only[k], o.only["cold"] = true, true
			case "cold", "cli", "callback", "specwatch", "pipeline":
				o.only[k] = true
			default:
				fmt.Fprintf(stderr, "bench: -only: unknown step %q\n", k)
				return 2
			}
		}
	}
	if o.samples < 1 || o.invokes < 1 || o.recordings < 1 || (o.long != 0 && o.long < o.invokes) {
		fmt.Fprintln(stderr, "bench: -samples, -invokes and -recordings must be positive; -long 0 or at least -invokes")
		return 2
	}
	if p := o.pipeline; p.duration < time.Second || p.rate < 1 || p.invocations < 1 || p.callbacks < 1 || p.latency < 0 {
		fmt.Fprintln(stderr, "bench: -pipeline-duration must be at least 1s; -pipeline-rate, -pipeline-invocations and -pipeline-callbacks positive; -pipeline-latency not negative")
		return 2
	}
	b := &bench{opts: o, log: stderr}
	if err := b.run(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	for _, r := range b.rows {
		if r.status == "FAILED" {
			return 1
		}
	}
	return 0
}

// worldMain is the pipeline benchmark's second process (see worldEnv).
func worldMain(latency string) int {
	d, err := time.ParseDuration(latency)
	if err == nil {
		err = runWorld(os.Getenv("CALLWIRE_BENCH_ROOT"), os.Stdin, os.Stdout, d)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: world: %v\n", err)
		return 2
	}
	return 0
}

// bench holds one run's state.
type bench struct {
	opts options
	log  io.Writer // progress
	root string
	work string
	rie  string
	rows []row
	// bootstraps are the built functions and hello-world, by name.
	bootstraps map[string]string
	// retries counts cold samples taken again (see coldRetry).
	retries int
}

// wants reports whether any of the steps runs.
func (b *bench) wants(steps ...string) bool {
	if b.opts.only == nil {
		return true
	}
	for _, s := range steps {
		if b.opts.only[s] {
			return true
		}
	}
	return false
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

func (b *bench) run(ctx context.Context, stdout io.Writer) error {
	started := time.Now()
	startInfo := machineInfo()
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	if b.root, err = lambdatest.ModuleRoot(cwd); err != nil {
		return err
	}
	b.work = b.opts.work
	if b.work == "" {
		if b.work, err = os.MkdirTemp("", "callwire-bench-"); err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(b.work) }()
	}

	// The emulator steps need the bootstraps, the emulator and the demo
	// world; the in-process ones do not.
	var (
		hello string
		demo  *lambdatest.Demo
	)
	if b.wants("cold", "init", "warm", "rie", "size", "specwatch") {
		b.progress("building bootstraps and the emulator")
		if hello, err = lambdatest.BuildBootstrap(ctx, b.root, "./functions/bench/hello", filepath.Join(b.work, "hello")); err != nil {
			return err
		}
		if b.rie, err = lambdatest.RIEPath(ctx, b.root); err != nil {
			return err
		}
		if demo, err = lambdatest.StartDemo(filepath.Join(b.root, "testdata", "recordings")); err != nil {
			return err
		}
		defer demo.Close()
	}

	steps := []struct {
		key, name string
		fn        func() error
	}{
		{"cold", "cold starts of every function", func() error { return b.coldAll(ctx, demo, hello) }},
		{"init", "package init", func() error { return b.packageInit(ctx) }},
		{"warm", "warm in-process benchmarks", func() error { return b.warmInProcess(ctx) }},
		{"rie", "warm invocations under the emulator", func() error { return b.warmRIE(ctx, demo, b.bootstraps["getcall"]) }},
		{"size", "arm64 binary size", func() error { return b.binarySize(ctx) }},
		{"cli", "contract CLI throughput", func() error { return b.cliThroughput(ctx) }},
		{"callback", "status-callback receiver", func() error { return b.callbackBench(ctx) }},
		{"specwatch", "spec watch", func() error { return b.specWatchBench(ctx, demo, hello) }},
		{"pipeline", "pipeline: callback → queue → publish → bus, and the sweep", func() error { return b.pipelineBench(ctx) }},
	}
	for _, s := range steps {
		if !b.wants(s.key) {
			continue
		}
		b.progress("%s", s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	endInfo := machineInfo()
	printReport(stdout, startInfo, endInfo, time.Since(started), b.opts, b.rows)
	return nil
}
