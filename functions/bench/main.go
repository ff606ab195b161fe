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
// target is met. It exits 0 when a target is missed; 2 when it cannot measure.
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
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
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
	only := fs.String("only", "", "run only these comma-separated `STEPS` (cold, init, warm, rie, size, cli, callback); cold always runs, the others need its builds")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *only != "" {
		o.only = map[string]bool{"cold": true}
		for _, k := range strings.Split(*only, ",") {
			switch k = strings.TrimSpace(k); k {
			case "cold", "init", "warm", "rie", "size", "cli", "callback":
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
	if err := (&bench{opts: o, log: stderr}).run(ctx, stdout); err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
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

	b.progress("building bootstraps and the emulator")
	hello, err := lambdatest.BuildBootstrap(ctx, b.root, "./functions/bench/hello", filepath.Join(b.work, "hello"))
	if err != nil {
		return err
	}
	if b.rie, err = lambdatest.RIEPath(ctx, b.root); err != nil {
		return err
	}
	demo, err := lambdatest.StartDemo(filepath.Join(b.root, "testdata", "recordings"))
	if err != nil {
		return err
	}
	defer demo.Close()

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
	}
	for _, s := range steps {
		if b.opts.only != nil && !b.opts.only[s.key] {
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
