package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// Exit statuses.
const (
	exitOK            = 0
	exitFunctionError = 1
	exitHarness       = 2
)

// options are the command-line flags and argument.
type options struct {
	function   string
	bootstrap  string
	recordings string
	eventFile  string
	callSID    string
	n          int
	port       int
	timeout    time.Duration
	memoryMB   int
	live       bool
	logLevel   string
	logFormat  string
	workDir    string
	secretFile string
	env        []string
	pipeline   bool
}

// usageError is a bad command line; run prints the usage after it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./functions/local [flags] [EVENT_FILE]\n\n"+
			"Runs a Lambda function under the AWS Lambda Runtime Interface Emulator and invokes it\n"+
			"with EVENT_FILE (default testdata/events/direct.json). Flags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.function, "function", "getcall", "function to build: the package ./functions/`NAME`")
	fs.StringVar(&o.bootstrap, "bootstrap", "", "run this prebuilt bootstrap `FILE` instead of building -function")
	fs.StringVar(&o.recordings, "recordings", "", "`DIR` of recordings the replay server serves, recursively (default testdata/recordings)")
	fs.StringVar(&o.callSID, "call-sid", "", "invoke with the direct event {\"call_sid\": `SID`} instead of EVENT_FILE")
	fs.IntVar(&o.n, "n", 1, "invoke `N` times in one execution environment")
	fs.IntVar(&o.port, "port", 0, "loopback `PORT` the emulator listens on (default a free port)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "function timeout, whole seconds")
	fs.IntVar(&o.memoryMB, "memory", 128, "function memory size in `MB`, as reported to the function")
	fs.BoolVar(&o.live, "live", false, "no embedded servers: use the real secret named by SIGNALWIRE_SECRET_ID, with your AWS profile's credentials (AWS_PROFILE, SSO included) and region")
	fs.StringVar(&o.logLevel, "rie-log-level", "info", "the emulator's own log `level` (debug, info, warn, error); above info there is no INIT REPORT")
	fs.StringVar(&o.logFormat, "log-format", "JSON", "the function's log `format` (AWS_LAMBDA_LOG_FORMAT: JSON as deployed, or Text)")
	fs.StringVar(&o.workDir, "work", "", "build into `DIR` and keep it (default a temporary directory, removed at exit)")
	fs.BoolVar(&o.pipeline, "pipeline", false, "run the chain offline: callback (EVENT_FILE, or a signed sample for -call-sid) -> loopback queue -> publish -> loopback EventBridge; stdout holds the published events")
	fs.StringVar(&o.secretFile, "secret", "", "serve the JSON secret in `FILE` instead of the demo secret (not with -live)")
	fs.Func("env", "extra function environment `KEY=VALUE`, after all others (repeatable)", func(v string) error {
		k, _, ok := strings.Cut(v, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return errors.New("want KEY=VALUE")
		}
		o.env = append(o.env, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.eventFile = fs.Arg(0)
	default:
		return options{}, &usageError{"at most one EVENT_FILE, got " + strconv.Itoa(fs.NArg())}
	}
	switch {
	case o.eventFile != "" && o.callSID != "":
		return options{}, &usageError{"give EVENT_FILE or -call-sid, not both"}
	case o.n < 1:
		return options{}, &usageError{"-n must be at least 1"}
	case o.port < 0 || o.port > 65535:
		return options{}, &usageError{"-port must be between 0 and 65535"}
	case o.timeout <= 0:
		return options{}, &usageError{"-timeout must be positive"}
	case o.live && o.recordings != "":
		return options{}, &usageError{"-recordings has no effect with -live"}
	case o.live && o.secretFile != "":
		return options{}, &usageError{"-secret has no effect with -live"}
	case o.bootstrap != "" && o.function != "getcall":
		return options{}, &usageError{"give -function or -bootstrap, not both"}
	case o.pipeline && (o.function != "getcall" || o.bootstrap != "" || o.live || o.port != 0):
		return options{}, &usageError{"-pipeline runs the callback and publish functions offline: not with -function, -bootstrap, -live or -port"}
	}
	return o, nil
}

// run runs the command and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "local: %v (see -h)\n", err)
		}
		return exitHarness
	}
	code, err := (&runner{opts: o, stdout: stdout, stderr: stderr}).run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(stderr, "local: %s\n", strings.Join(strings.Fields(err.Error()), " "))
		return exitHarness
	}
	return code
}

// runner holds one run's state.
type runner struct {
	opts   options
	stdout io.Writer
	stderr io.Writer
}

func (r *runner) run(ctx context.Context) (int, error) {
	o := r.opts
	cwd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	root, err := lambdatest.ModuleRoot(cwd)
	if err != nil {
		return 0, err
	}
	if o.pipeline {
		return r.runPipeline(ctx, root)
	}
	event, err := r.event(root)
	if err != nil {
		return 0, err
	}

	env := os.Environ()
	var demo *lambdatest.Demo
	if o.live {
		if env, err = liveEnv(ctx, env); err != nil {
			return 0, err
		}
	} else {
		dir := o.recordings
		if dir == "" {
			dir = filepath.Join(root, "testdata", "recordings")
		}
		demo, err = lambdatest.StartDemo(dir)
		if err != nil {
			return 0, err
		}
		defer demo.Close()
		env = demo.Environ(env)
		if o.secretFile != "" {
			secret, err := readSecret(o.secretFile)
			if err != nil {
				return 0, err
			}
			demo.Secrets.Put(lambdatest.DemoSecretID, secret)
		}
	}
	var queue *callbackQueue
	if o.function == "callback" && !o.live {
		if queue, err = startCallbackQueue(); err != nil {
			return 0, err
		}
		defer queue.Close()
		env = append(env, queue.environ()...)
	}
	env = append(env, o.env...)

	work := o.workDir
	if work == "" {
		work, err = os.MkdirTemp("", "callwire-local-")
		if err != nil {
			return 0, err
		}
		defer func() { _ = os.RemoveAll(work) }()
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return 0, err
	}
	bootstrap := o.bootstrap
	if bootstrap == "" {
		bootstrap, err = lambdatest.BuildBootstrap(ctx, root, "./functions/"+o.function, work)
		if err != nil {
			return 0, err
		}
	} else if _, err := os.Stat(bootstrap); err != nil {
		return 0, fmt.Errorf("bootstrap: %w", err)
	}
	rie, err := lambdatest.RIEPath(ctx, root)
	if err != nil {
		return 0, err
	}

	addr := ""
	if o.port != 0 {
		addr = "127.0.0.1:" + strconv.Itoa(o.port)
	}
	emu, err := lambdatest.Start(ctx, lambdatest.Config{
		RIE:          rie,
		Bootstrap:    bootstrap,
		Addr:         addr,
		Env:          env,
		FunctionName: o.function,
		Timeout:      o.timeout,
		MemoryMB:     o.memoryMB,
		LogLevel:     o.logLevel,
		LogFormat:    o.logFormat,
		Logs:         r.stderr,
	})
	if err != nil {
		return 0, err
	}
	results, invokeErr := r.invoke(ctx, emu, event)
	closeErr := emu.Close()
	r.summary(results, demo)
	queue.summary(r.stderr)
	if invokeErr != nil {
		return 0, invokeErr
	}
	if closeErr != nil {
		return 0, closeErr
	}
	for _, res := range results {
		if res.Err != nil {
			return exitFunctionError, nil
		}
	}
	return exitOK, nil
}

// event returns the event to invoke with: the -call-sid event, EVENT_FILE,
// or testdata/events/direct.json; for -function callback without EVENT_FILE,
// a completed status callback (for -call-sid, or the demo call) signed with
// the demo key. It must be JSON. EVENT_FILE is sent as it is.
func (r *runner) event(root string) ([]byte, error) {
	if r.opts.function == "callback" && r.opts.eventFile == "" {
		return sampleCallback(r.opts.callSID)
	}
	if r.opts.callSID != "" {
		return json.Marshal(map[string]string{"call_sid": r.opts.callSID})
	}
	path := r.opts.eventFile
	if path == "" {
		path = filepath.Join(root, "testdata", "events", "direct.json")
	}
	const maxEvent = 6 << 20 // Lambda's synchronous invoke payload limit
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxEvent+1))
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", path, err)
	}
	if len(b) > maxEvent {
		return nil, fmt.Errorf("event %s is larger than Lambda's 6 MB payload limit", path)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("event %s is not JSON", path)
	}
	return b, nil
}

// invoke invokes the function opts.n times and prints each response on its
// own line. It stops at the first invoke the harness could not complete.
func (r *runner) invoke(ctx context.Context, emu *lambdatest.Emulator, event []byte) ([]*lambdatest.Result, error) {
	var results []*lambdatest.Result
	for range r.opts.n {
		res, err := emu.Invoke(ctx, event)
		if err != nil {
			return results, err
		}
		results = append(results, res)
		out := res.Payload
		if res.Err != nil {
			// Only the two members callers match on; no stack trace.
			out, err = json.Marshal(res.Err)
			if err != nil {
				return results, err
			}
		}
		out = []byte(strings.TrimRight(string(out), "\r\n"))
		if _, err := fmt.Fprintf(r.stdout, "%s\n", out); err != nil {
			return results, err
		}
	}
	return results, nil
}

// maxInvokeLines bounds the per-invoke summary lines; past it the warm
// invokes are summed up in one line of percentiles.
const maxInvokeLines = 20

// summary writes the durations of each invoke and the request counts to stderr.
func (r *runner) summary(results []*lambdatest.Result, demo *lambdatest.Demo) {
	w := r.stderr
	for i, res := range results {
		if len(results) > maxInvokeLines && i == 3 {
			fmt.Fprintf(w, "local: invokes 4..%d not shown\n", len(results))
		}
		if len(results) > maxInvokeLines && i >= 3 {
			continue
		}
		fmt.Fprintln(w, invokeLine(i, r.opts.n, res))
	}
	if len(results) > 2 {
		var durations, walls []time.Duration
		for _, res := range results[1:] {
			if res.HasReport {
				durations = append(durations, res.Report.Duration)
			}
			walls = append(walls, res.Wall)
		}
		fmt.Fprintf(w, "local: invokes 2..%d: Duration %s, wall %s\n", len(results), percentiles(durations), percentiles(walls))
	}
	if demo == nil {
		fmt.Fprintln(w, "local: live: request counts are not available")
		return
	}
	fmt.Fprintf(w, "local: secrets manager requests %d, upstream requests %d, upstream connections %d\n",
		demo.Secrets.Requests(), demo.Replay.Requests(), demo.Replay.Connections())
}

// invokeLine describes invoke i (from 0) of n.
func invokeLine(i, n int, res *lambdatest.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "local: invoke %d/%d:", i+1, n)
	for _, d := range res.Init {
		fmt.Fprintf(&b, " init %s (INIT REPORT),", ms(d))
	}
	if res.HasReport {
		fmt.Fprintf(&b, " Duration %s,", ms(res.Report.Duration))
		if res.Report.HasInitDuration {
			fmt.Fprintf(&b, " REPORT Init Duration %s,", ms(res.Report.InitDuration))
		}
	} else {
		b.WriteString(" no REPORT,")
	}
	fmt.Fprintf(&b, " wall %s", ms(res.Wall))
	if res.Err != nil {
		fmt.Fprintf(&b, ", function error %s", res.Err.Type)
	}
	return b.String()
}

// percentiles formats the minimum, median, 99th percentile and maximum of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[int(p*float64(len(s)-1)+0.5)] }
	return fmt.Sprintf("min %s p50 %s p99 %s max %s", ms(s[0]), ms(at(0.5)), ms(at(0.99)), ms(s[len(s)-1]))
}

// ms formats d in milliseconds with two decimals, as the REPORT line does.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}
