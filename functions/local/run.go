package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/suggest"
	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// Exit statuses.
const (
	exitOK            = 0
	exitFunctionError = 1
	exitHarness       = 2
	// exitInterrupted is the shell's status for a process ended by SIGINT
	// (128+2); a run stopped by SIGTERM exits 128+15.
	exitInterrupted = 130
)

// helpHint ends every usage error, naming the command the way it was run.
var helpHint = "run '" + invocation() + " -h' for help"

// invocation returns how the runner was started, for the messages that
// suggest a command: "go tool local" or "go run ./functions/local" from the
// go command that started it (its parent), the path typed for a binary built
// with go build. Where the parent cannot be read it is "go run
// ./functions/local", as the README's Quick start shows.
func invocation() string {
	const goRun = "go run ./functions/local"
	b, err := os.ReadFile("/proc/" + strconv.Itoa(os.Getppid()) + "/cmdline")
	if err == nil {
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) >= 2 && strings.TrimSuffix(filepath.Base(args[0]), ".exe") == "go" {
			switch args[1] {
			case "tool":
				return "go tool local"
			case "run", "test":
				return goRun
			}
		}
	}
	// A binary the go command built for go run or go test lives in a
	// go-build directory, under the temporary directory or the build cache.
	if len(os.Args) > 0 && !strings.Contains(os.Args[0], "go-build") && !strings.HasSuffix(os.Args[0], ".test") {
		return os.Args[0]
	}
	return goRun
}

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
	verbose    bool
	version    bool
}

// maxTimeout is Lambda's longest function timeout.
const maxTimeout = 900 * time.Second

// usageError is a bad command line: run prints it in one line and where to
// find the help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// newFlagSet declares the flags into o.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.function, "function", "getcall", "function to build and run: the package ./functions/`NAME`")
	fs.StringVar(&o.bootstrap, "bootstrap", "", "run this prebuilt bootstrap `FILE` instead of building -function")
	fs.StringVar(&o.recordings, "recordings", "", "`DIR` of recordings the replay server serves, recursively (default testdata/recordings)")
	fs.StringVar(&o.callSID, "call-sid", "", "invoke getcall with the direct event {\"call_sid\": `SID`}, or callback with a sample for SID, instead of EVENT_FILE")
	fs.IntVar(&o.n, "n", 1, "invoke `N` times in one execution environment")
	fs.IntVar(&o.port, "port", 0, "loopback `PORT` the emulator listens on (default a free port)")
	o.timeout = 10 * time.Second
	fs.Func("timeout", "function timeout in whole seconds, such as 10s or 1m, at most 15m (default 10s)", func(v string) error {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil || d <= 0 || d%time.Second != 0:
			return errors.New("want whole seconds, such as 10s or 1m")
		case d > maxTimeout:
			return errors.New("Lambda allows at most 15m")
		}
		o.timeout = d
		return nil
	})
	fs.IntVar(&o.memoryMB, "memory", 128, "function memory size in `MB`, as reported to the function")
	fs.BoolVar(&o.live, "live", false, "no embedded servers: use the real secret named by SIGNALWIRE_SECRET_ID, with your AWS profile's credentials (AWS_PROFILE, SSO included) and region")
	fs.StringVar(&o.logLevel, "rie-log-level", "info", "the emulator's own log `level` (debug, info, warn, error); above info there is no INIT REPORT")
	fs.StringVar(&o.logFormat, "log-format", "JSON", "the function's log `format` (AWS_LAMBDA_LOG_FORMAT: JSON as deployed, or Text)")
	fs.StringVar(&o.workDir, "work", "", "build into `DIR` and keep it (default a directory under your user cache, reused so an unchanged function is not linked again)")
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
	fs.BoolVar(&o.verbose, "v", false, "show every step, the emulator's and the function's logs and each invoke's figures (by default they are shown only when the run fails)")
	fs.BoolVar(&o.version, "version", false, "print the runner's build and the pinned spec's SHA-256, and exit")
	return fs
}

// defaultEventsText says which event each function gets without EVENT_FILE,
// from defaultEventFiles, so the help cannot fall behind it.
func defaultEventsText() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(defaultEventFiles)) {
		parts = append(parts, name+" "+defaultEventFiles[name])
	}
	parts = append(parts, "callback a completed status callback signed with the demo key", "any other function {}")
	return strings.Join(parts, ", ")
}

// wrap breaks s into lines of at most width bytes, between words.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}

// help is the -h text.
func help() string {
	var o options
	fs := newFlagSet(&o)
	var b strings.Builder
	b.WriteString(`usage: go run ./functions/local [flags] [EVENT_FILE]
       go tool local [flags] [EVENT_FILE]     (the same, with exact exit statuses)

`)
	b.WriteString(wrap("Runs a Lambda function of this module under the AWS Lambda Runtime Interface Emulator "+
		"(Linux only) and invokes it with EVENT_FILE, or the function's default event: "+defaultEventsText()+".", 88))
	b.WriteString(`
stdout holds the function's responses, one line per invoke; stderr one verdict line,
with progress for steps that take a while. The logs appear when the run fails, or with -v.

Exit status: 0 every invoke succeeded, 1 the function returned an error, 2 the runner
itself failed or the command line is wrong, 130 interrupted (Ctrl-C), 143 by SIGTERM. "go run" reports
every failure as 1; "go tool local" passes the status through.

Flags:
`)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := newFlagSet(&o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, err
		}
		return options{}, &usageError{err.Error()}
	}
	if o.version {
		return o, nil
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
	case o.live && o.recordings != "":
		return options{}, &usageError{"-recordings has no effect with -live"}
	case o.live && o.secretFile != "":
		return options{}, &usageError{"-secret has no effect with -live"}
	case o.bootstrap != "" && o.function != "getcall":
		return options{}, &usageError{"give -function or -bootstrap, not both"}
	case o.pipeline && (o.function != "getcall" || o.bootstrap != "" || o.live || o.port != 0):
		return options{}, &usageError{"-pipeline runs the callback and publish functions offline: not with -function, -bootstrap, -live or -port"}
	case o.callSID != "" && !slices.Contains(callSIDFunctions, o.function):
		return options{}, &usageError{fmt.Sprintf("-call-sid applies to -function %s, not %s", strings.Join(callSIDFunctions, " or "), o.function)}
	}
	return o, nil
}

// run runs the command and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help())
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "local: %v\n%s\n", err, helpHint)
		return exitHarness
	case o.version:
		writeVersion(stdout)
		return exitOK
	}
	r := &runner{opts: o, out: newConsole(stdout, stderr, o.verbose)}
	code, err := r.run(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	return code
}

// runner holds one run's state.
type runner struct {
	opts    options
	out     *console
	results []*lambdatest.Result
	// services are the loopback endpoints the run started for the function.
	services []service
}

// service is an endpoint a run starts on loopback for the function.
type service interface {
	// counts are what the service counted, for the verdict line: "1 SQS request".
	counts() []string
	// details are lines worth reading with -v: what the service holds.
	details() []string
	Close()
}

// fail reports err, the reason the run could not finish, and returns the
// exit status: the kept logs and a build's output first, then one line.
func (r *runner) fail(ctx context.Context, err error) int {
	var ue *usageError
	var be *lambdatest.BuildError
	if ctx.Err() == nil && signaled(err) {
		// A signal sent to the process group reaches a child that has not
		// yet moved to its own group at the same time as the runner, whose
		// handler may not have run yet: give it a moment.
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	switch {
	case ctx.Err() != nil:
		msg := fmt.Sprintf("local: interrupted after %d/%d invokes", len(r.results), r.opts.n)
		if step := r.out.currentStep(); step != "" && !strings.HasPrefix(step, "invoking") {
			msg += ", while " + step
		}
		r.out.line(msg)
		return interruptedStatus(ctx)
	case errors.As(err, &ue):
		r.out.line("local: " + ue.msg + "\n" + helpHint)
		return exitHarness
	case errors.As(err, &be):
		r.out.showLogs(false)
		r.out.line(strings.TrimRight(string(be.Output), "\n"))
		r.out.line(fmt.Sprintf("local: build %s: %v", be.Target, be.Err))
		return exitHarness
	}
	r.out.showLogs(false)
	r.out.line("local: " + strings.Join(strings.Fields(err.Error()), " "))
	return exitHarness
}

// signaled reports whether err comes from a child process that a signal
// ended.
func signaled(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// interruptedStatus is the exit status of a run that ctx interrupted:
// 128 plus the signal's number, when the cause says which.
func interruptedStatus(ctx context.Context) int {
	var sig signalError
	if errors.As(context.Cause(ctx), &sig) {
		if n, ok := sig.Signal.(syscall.Signal); ok {
			return 128 + int(n)
		}
	}
	return exitInterrupted
}

// signalError is the cause of a run's context when a signal stopped it.
type signalError struct{ os.Signal }

func (e signalError) Error() string { return "interrupted by " + e.Signal.String() }

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
	if o.bootstrap == "" {
		names, err := functionNames(root)
		if err != nil {
			return 0, err
		}
		if !slices.Contains(names, o.function) {
			guess := ""
			if g := suggest.Closest(o.function, names); g != "" {
				guess = " (did you mean " + g + "?)"
			}
			return 0, &usageError{fmt.Sprintf("-function %s: no such function%s; want one of %s", o.function, guess, strings.Join(names, ", "))}
		}
	}
	event, err := r.event(root)
	if err != nil {
		return 0, err
	}
	defer func() {
		for _, s := range slices.Backward(r.services) {
			s.Close()
		}
	}()
	env, err := r.environ(ctx, root)
	if err != nil {
		return 0, err
	}

	rie, bootstrap, err := r.build(ctx, root)
	if err != nil {
		return 0, err
	}
	addr := ""
	if o.port != 0 {
		addr = "127.0.0.1:" + strconv.Itoa(o.port)
	}
	r.out.from(o.function)
	step := r.out.step("starting the emulator", "")
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
		Logs:         r.out,
	})
	step.done(err)
	if err != nil {
		return 0, err
	}
	what := "invoking " + o.function
	if o.n > 1 {
		what += " " + strconv.Itoa(o.n) + " times"
	}
	step = r.out.step(what, "")
	invokeErr := r.invoke(ctx, emu, event)
	step.done(invokeErr)
	r.out.stop()
	if closeErr := emu.Close(); closeErr != nil && invokeErr == nil {
		r.out.showLogs(true)
		return 0, closeErr
	}
	if invokeErr != nil {
		return 0, invokeErr
	}
	return r.report(), nil
}

// environ starts the loopback services (or, with -live, resolves the
// user's AWS configuration) and returns the function's environment.
func (r *runner) environ(ctx context.Context, root string) ([]string, error) {
	o := r.opts
	env := os.Environ()
	if o.live {
		step := r.out.step("resolving your AWS credentials and region", "")
		env, err := liveEnv(ctx, env)
		step.done(err)
		if err != nil {
			return nil, err
		}
		return append(env, o.env...), nil
	}
	dir := o.recordings
	if dir == "" {
		dir = filepath.Join(root, "testdata", "recordings")
	} else if err := checkRecordings(dir); err != nil {
		return nil, err
	}
	var secret string
	if o.secretFile != "" {
		var err error
		if secret, err = readSecret(o.secretFile); err != nil {
			return nil, err
		}
	}
	step := r.out.step("starting the loopback servers", "")
	demo, err := lambdatest.StartDemo(dir)
	if err == nil {
		r.services = append(r.services, demoService{demo})
		if secret != "" {
			demo.Secrets.Put(lambdatest.DemoSecretID, secret)
		}
		env = demo.Environ(env)
	}
	var queue *callbackQueue
	if err == nil && (o.function == "callback" || o.function == "sweep") {
		if queue, err = startCallbackQueue(); err == nil {
			r.services = append(r.services, queue)
			env = append(env, queue.environ()...)
		}
	}
	var end *pipelineEnd
	if err == nil && (o.function == "sweep" || o.function == "specwatch") {
		// The sweep reads the published-events table and feeds the queue;
		// the spec watch keeps its item in the table and sends to the bus.
		if end, err = startPipelineEnd(); err == nil {
			r.services = append(r.services, end)
			env = append(env, end.environ()...)
		}
	}
	if err == nil && o.function == "specwatch" {
		var docs *specDocServer
		if docs, err = startSpecDocServer(filepath.Join(root, filepath.FromSlash(specWatchDocument))); err == nil {
			r.services = append(r.services, docs)
			env = append(env, docs.environ()...)
		}
	}
	step.done(err)
	if err != nil {
		return nil, recordingsError(dir, err)
	}
	return append(env, o.env...), nil
}

// build builds the emulator and the bootstrap (or takes -bootstrap) and
// returns their paths.
func (r *runner) build(ctx context.Context, root string) (rie, bootstrap string, err error) {
	o := r.opts
	// Keep a step's first line within a terminal's width: it is erased
	// with the line it is on.
	step := r.out.step("building the emulator", "the first build may take a minute")
	rie, err = lambdatest.RIEPath(ctx, root)
	step.done(err)
	if err != nil {
		return "", "", err
	}
	if o.bootstrap != "" {
		if _, err := os.Stat(o.bootstrap); err != nil {
			return "", "", fmt.Errorf("bootstrap: %w", err)
		}
		return rie, o.bootstrap, nil
	}
	work, err := r.workDir(root)
	if err != nil {
		return "", "", err
	}
	pkg := functionPackage(o.function)
	step = r.out.step("building the bootstrap of "+pkg, "the first build may take minutes")
	bootstrap, err = lambdatest.BuildBootstrapProgress(ctx, root, pkg, work, func(compiled, total int) {
		step.progress(fmt.Sprintf("%d of %d packages compiled", compiled, total))
	})
	step.done(err)
	return rie, bootstrap, err
}

// workDir returns the directory the bootstrap is built into: -work, or a
// directory of this checkout and function under the user's cache, kept
// between runs, where the go command relinks the bootstrap only when the
// function changed. Without a user cache it is a temporary directory that
// the run's services remove at the end.
func (r *runner) workDir(root string) (string, error) {
	dir := r.opts.workDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			tmp, err := os.MkdirTemp("", "callwire-local-")
			if err != nil {
				return "", err
			}
			r.services = append(r.services, tempDir(tmp))
			return tmp, nil
		}
		sum := sha256.Sum256([]byte(root))
		dir = filepath.Join(cache, "callwire-local", hex.EncodeToString(sum[:6]), r.opts.function)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// tempDir is a directory removed when the run ends.
type tempDir string

func (d tempDir) counts() []string  { return nil }
func (d tempDir) details() []string { return nil }
func (d tempDir) Close()            { _ = os.RemoveAll(string(d)) }

// checkRecordings checks up front that -recordings names a directory that
// holds recordings.
func checkRecordings(dir string) error {
	const want = "want a directory of recordings (.json files, searched recursively), such as testdata/recordings"
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &usageError{fmt.Sprintf("-recordings %s: no such directory; %s", dir, want)}
	case err != nil:
		return &usageError{fmt.Sprintf("-recordings %s: %v; %s", dir, errors.Unwrap(err), want)}
	case !info.IsDir():
		return &usageError{fmt.Sprintf("-recordings %s: not a directory; %s", dir, want)}
	}
	files, err := recording.FindFiles(dir)
	if err != nil {
		return fmt.Errorf("-recordings %s: %w", dir, err)
	}
	if !slices.ContainsFunc(files, func(f string) bool { return strings.EqualFold(filepath.Ext(f), ".json") }) {
		return &usageError{fmt.Sprintf("-recordings %s: no .json files in it; %s", dir, want)}
	}
	return nil
}

// recordingsError says what in the recordings could not be served, without
// the layers the error passed through.
func recordingsError(dir string, err error) error {
	var re *lambdatest.RecordingsError
	if errors.As(err, &re) {
		return fmt.Errorf("-recordings %s: %w", dir, re.Err)
	}
	return err
}

// invoke invokes the function opts.n times and prints each response on its
// own line: the function's payload as it is, or for a function error the
// two members callers match on, {"errorType","errorMessage"}. It stops at
// the first invoke the harness could not complete.
func (r *runner) invoke(ctx context.Context, emu *lambdatest.Emulator, event []byte) error {
	for range r.opts.n {
		res, err := emu.Invoke(ctx, event)
		if err != nil {
			return err
		}
		r.results = append(r.results, res)
		out := res.Payload
		if res.Err != nil {
			if out, err = marshalJSON(res.Err); err != nil {
				return err
			}
		}
		if err := r.out.result(out); err != nil {
			return err
		}
	}
	return nil
}

// marshalJSON encodes v without escaping <, > and &, which the error
// messages hold for people to read.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// report writes the -v details and the verdict line and returns the exit
// status: on a function error the kept logs come first.
func (r *runner) report() int {
	t := tally{function: r.opts.function, results: r.results, live: r.opts.live}
	code := exitOK
	for _, res := range r.results {
		if res.Err != nil {
			code = exitFunctionError
		}
	}
	if code != exitOK {
		r.out.showLogs(false)
		r.out.showReasons()
	}
	for _, l := range t.details() {
		r.out.detail(l)
	}
	for _, s := range r.services {
		t.counts = append(t.counts, s.counts()...)
		for _, l := range s.details() {
			r.out.detail(l)
		}
	}
	r.out.line(t.verdict())
	return code
}

// demoService is the offline world: the Secrets Manager endpoint and the
// SignalWire replay server.
type demoService struct{ *lambdatest.Demo }

func (d demoService) counts() []string {
	requests := count(int(d.Replay.Requests()), "upstream request", "upstream requests")
	if n := d.Replay.Connections(); d.Replay.Requests() > 1 {
		requests += " on " + count(int(n), "connection", "connections")
	}
	return []string{count(int(d.Secrets.Requests()), "Secrets Manager request", "Secrets Manager requests"), requests}
}

func (d demoService) details() []string { return nil }
