package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/report"
)

const checkUsage = `Usage: swcontract check [flags] PATH...

Checks each exchange in PATH against the pinned OpenAPI contract and writes a
report while it reads. PATH is a file, a directory (searched recursively for
*.json and *.har files), or - for standard input; a file or standard input
is a HAR or a recording by its content (a JSON object with a "log" member is
a HAR), never by its name. A HAR is read entry by entry, and each result
names its entry (index, method, URL). In a HAR only the entries whose
request is exactly GET /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}
are checked; other entries are counted as skipped. A HAR holding credentials
(Authorization, Cookie, URL user information, a token in the query) gets one
warning naming them, never their values. A file named twice is checked once.
Past 1000 exchanges with findings, the rest are aggregated by fingerprint.
Flags may come before or after PATH.

Flags:
  --format text|json|junit|github|html|markdown
        report format (default text): text for people (coloured on a
        terminal unless NO_COLOR is set), json for tools, junit for CI test
        views, github for GitHub Actions annotations, html for one
        self-contained page that reads offline, markdown for pull-request
        comments and job summaries; html and markdown group the findings by
        rule and pointer with their counts and an example exchange
  --fail-on error|warning
        lowest finding severity that fails an exchange (default error)
  --out FILE
        write the report to FILE instead of standard output

Unusable inputs: a path that does not exist, a file that cannot be read or
parsed, a HAR entry that cannot be decoded, a HAR without a Retrieve a Call
entry, an empty directory or one without candidates, empty standard input.
Each is named with its reason on standard error and in the report, in every
format; the rest is still checked, and the run exits 2.

Exit codes:
  0  every exchange passed: no finding at or above --fail-on
  1  at least one exchange failed
  2  usage error, or an unusable input (2 outranks 1); checking nothing
     never passes
`

// checkGCPercent is the GC target percentage check runs with unless GOGC is set.
const checkGCPercent = 200

type checkOptions struct {
	format string
	failOn contract.Severity
	out    string
	paths  []string
}

// registerReport adds the report flags that check and live share: --format,
// --fail-on and --out.
func (o *checkOptions) registerReport(fset *flag.FlagSet) {
	fset.Func("format", "", func(s string) error {
		if !slices.Contains(report.Formats, s) {
			return errors.New("want " + strings.Join(report.Formats, ", "))
		}
		o.format = s
		return nil
	})
	fset.Func("fail-on", "", func(s string) error {
		switch sev := contract.Severity(s); sev {
		case contract.SeverityError, contract.SeverityWarning:
			o.failOn = sev
			return nil
		}
		return errors.New("want error or warning")
	})
	fset.StringVar(&o.out, "out", "", "")
}

// parseCheck parses the check flags. It returns ok false with the exit code
// when run should stop: after -h, or on a usage error.
func parseCheck(args []string, stdout, stderr io.Writer) (opts checkOptions, code int, ok bool) {
	opts = checkOptions{format: "text", failOn: contract.SeverityError}
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	opts.registerReport(fset)
	// Parse flags and paths in any order; "--" ends the flags.
	for {
		err := fset.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, checkUsage)
			return opts, exitOK, false
		}
		if err != nil {
			return opts, usageError(stderr, "check", "%v", err), false
		}
		rest := fset.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			opts.paths = append(opts.paths, rest...)
			break
		}
		opts.paths = append(opts.paths, rest[0])
		args = rest[1:]
	}
	if len(opts.paths) == 0 {
		return opts, usageError(stderr, "check", "no PATH given"), false
	}
	return opts, 0, true
}

// runCheck runs "swcontract check" and returns the exit code.
func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, code, ok := parseCheck(args, stdout, stderr)
	if !ok {
		return code
	}
	v, err := contract.New()
	if err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	if os.Getenv("GOGC") == "" {
		// Checking allocates a parsed body per exchange that dies at once; a
		// larger heap target trades some memory for fewer collections (about
		// 15% more exchanges per second on one core at 200).
		defer debug.SetGCPercent(debug.SetGCPercent(checkGCPercent))
	}
	w, closeOut, err := openOut(opts.out, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	rep, err := report.NewStream(opts.format, w, contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256}, opts.failOn)
	if err != nil {
		closeOut()
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	rep.SetColor(opts.out == "" && report.ColorFor(stdout, os.Getenv))
	inputs := findInputs(opts.paths)
	for ev := range checkInputs(v, inputs, stdin) {
		switch {
		case ev.result != nil:
			rep.Add(*ev.result)
		case ev.unusable != nil:
			fmt.Fprintf(stderr, "swcontract: %s: %s\n", ev.unusable.Name(), ev.unusable.Reason)
			rep.AddUnusable(*ev.unusable)
		case ev.warning != nil:
			fmt.Fprintf(stderr, "swcontract: warning: %s: %s\n", ev.warning.Source, ev.warning.Message)
			rep.AddWarning(*ev.warning)
		}
		rep.AddSkipped(ev.skipped)
	}
	err = rep.Close()
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "swcontract: write report: %s\n", reason(err))
		return exitUsage
	}
	wroteReport(stderr, opts.out)
	switch {
	case !rep.Usable():
		return exitUsage
	case rep.Failed():
		return exitFail
	}
	return exitOK
}

// openOut opens the report's destination: the file out, or stdout when out
// is "". closeOut flushes and closes it.
func openOut(out string, stdout io.Writer) (w io.Writer, closeOut func() error, err error) {
	dst := stdout
	var f *os.File
	if out != "" {
		if f, err = os.Create(out); err != nil {
			return nil, nil, fmt.Errorf("%s: %s", out, reason(err))
		}
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 64<<10)
	return bw, func() error {
		err := bw.Flush()
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		return err
	}, nil
}

// stdinName names standard input in reports and messages.
const stdinName = "stdin"

// input is one thing to read: a file, standard input, or a path that
// cannot be used (unusable set), kept in its place among the others.
type input struct {
	name     string // the path, or stdinName
	stdin    bool
	unusable string
}

// findInputs expands paths into the inputs to read, in path order, each
// once however often it is named. "-" is standard input. A named file is a
// candidate whatever its name; inside a directory (walked recursively)
// only *.json and *.har files are. A path that does not exist, a directory
// without candidates and a directory that cannot be walked are inputs with
// their reason.
func findInputs(paths []string) []input {
	var inputs []input
	seen := map[string]bool{}
	// once reports whether key is new, and remembers it.
	once := func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		return true
	}
	// key identifies a file however it is spelled (./a.json, a.json,
	// /abs/a.json); the working directory is looked up once, not per file.
	cwd, _ := os.Getwd()
	key := func(p string) string {
		if !filepath.IsAbs(p) && cwd != "" {
			return filepath.Join(cwd, p)
		}
		return filepath.Clean(p)
	}
	for _, p := range paths {
		if p == "-" {
			if once("\x00stdin") {
				inputs = append(inputs, input{name: stdinName, stdin: true})
			}
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			if once(key(p)) {
				inputs = append(inputs, input{name: p, unusable: reason(err)})
			}
			continue
		}
		if !info.IsDir() {
			if once(key(p)) {
				inputs = append(inputs, input{name: p})
			}
			continue
		}
		found, others, walkErrs := walkDir(p)
		for _, f := range found {
			if once(key(f)) {
				inputs = append(inputs, input{name: f})
			}
		}
		inputs = append(inputs, walkErrs...)
		if len(found) == 0 && len(walkErrs) == 0 && once(key(p)) {
			why := "empty directory; " + report.NothingChecked
			if others > 0 {
				why = fmt.Sprintf("directory without *.json or *.har files (%d other files); %s", others, report.NothingChecked)
			}
			inputs = append(inputs, input{name: p, unusable: why})
		}
	}
	return inputs
}

// walkDir returns the *.json and *.har files under dir in lexical order,
// the number of other files, and the paths that could not be walked.
func walkDir(dir string) (found []string, others int, errs []input) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, input{name: path, unusable: "cannot read: " + reason(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json", ".har":
			found = append(found, path)
		default:
			others++
		}
		return nil
	})
	sort.Strings(found)
	return found, others, errs
}

// event is one thing the report is told: a result, an unusable input, a
// warning, or skipped HAR entries.
type event struct {
	result   *report.FileResult
	unusable *report.Unusable
	warning  *report.Warning
	skipped  int
}

// eventBuffer is how many events a task may get ahead of the report.
const eventBuffer = 64

// task reads one input; its events go out in input order.
type task struct {
	in     input
	events chan event
}

// checkInputs reads and checks inputs on up to GOMAXPROCS tasks at once and
// returns their events in input order. Memory is bounded by the tasks in
// flight, each holding one exchange and at most eventBuffer events, never
// by the number of inputs or entries.
func checkInputs(v *contract.Validator, inputs []input, stdin io.Reader) <-chan event {
	out := make(chan event, eventBuffer)
	workers := runtime.GOMAXPROCS(0)
	order := make(chan *task, 2*workers)
	sem := make(chan struct{}, workers)
	go func() {
		defer close(order)
		for _, in := range inputs {
			t := &task{in: in, events: make(chan event, eventBuffer)}
			order <- t
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				defer close(t.events)
				readInput(v, t.in, stdin, t.events)
			}()
		}
	}()
	go func() {
		defer close(out)
		for t := range order {
			for ev := range t.events {
				out <- ev
			}
		}
	}()
	return out
}

// unusableEvent is the event for an input that cannot be used.
func unusableEvent(source, why string) event {
	return event{unusable: &report.Unusable{Source: source, Reason: why}}
}

// readInput reads one input, tells a HAR from a recording by content, and
// sends an event for every result, unusable input or entry, and warning.
func readInput(v *contract.Validator, in input, stdin io.Reader, events chan<- event) {
	if in.unusable != "" {
		events <- unusableEvent(in.name, in.unusable)
		return
	}
	r := stdin
	if !in.stdin {
		f, err := os.Open(in.name)
		if err != nil {
			events <- unusableEvent(in.name, "cannot read: "+reason(err))
			return
		}
		defer f.Close()
		r = f
	}
	har := newHARChecker(v, in.name, events)
	doc, err := recording.ReadDocument(in.name, bufio.NewReaderSize(r, 64<<10), har.entry)
	har.wait()
	switch {
	case errors.Is(err, recording.ErrEmpty):
		events <- unusableEvent(in.name, "empty input; "+report.NothingChecked)
	case doc.Recording != nil:
		events <- resultEvent(v, in.name, nil, doc.Recording.Exchange())
	case doc.HAR != nil:
		if len(doc.HAR.Credentials) > 0 {
			events <- event{warning: &report.Warning{Source: in.name, Message: "the HAR holds credentials: " +
				strings.Join(doc.HAR.Credentials, ", ") + " (values not shown; every entry is still checked; redact the file before sharing it)"}}
		}
		events <- event{skipped: doc.HAR.Skipped}
		if err == nil && har.taken == 0 {
			events <- unusableEvent(in.name, noCallEntries(doc.HAR.Entries))
		}
	}
	if err != nil && !errors.Is(err, recording.ErrEmpty) {
		events <- unusableEvent(in.name, reason(err))
	}
}

// resultEvent checks ex and returns its result; entry is the HAR entry's
// index, nil for a recording.
func resultEvent(v *contract.Validator, source string, entry *int, ex contract.Exchange) event {
	res := v.Check(ex)
	findings := res.Findings
	if findings == nil {
		findings = []contract.Finding{}
	}
	return event{result: &report.FileResult{
		Source: source, Entry: entry, Method: ex.Method, URL: ex.URL, Status: ex.Status,
		Operation: res.Operation, Conformant: res.Conformant, Findings: findings,
	}}
}

// harChecker checks a HAR's entries on up to GOMAXPROCS goroutines while
// the file is read, and sends their events in entry order; at most twice as
// many entries as goroutines are in flight.
type harChecker struct {
	v       *contract.Validator
	source  string
	pending chan chan event
	sem     chan struct{}
	done    chan struct{}
	taken   int
}

func newHARChecker(v *contract.Validator, source string, events chan<- event) *harChecker {
	n := runtime.GOMAXPROCS(0)
	h := &harChecker{v: v, source: source, pending: make(chan chan event, 2*n), sem: make(chan struct{}, n), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for c := range h.pending {
			events <- <-c
		}
	}()
	return h
}

// entry checks one HAR entry, or reports it unusable.
func (h *harChecker) entry(e recording.HAREntry) error {
	h.taken++
	c := make(chan event, 1)
	h.pending <- c
	idx := e.Index
	if e.Unusable != "" {
		c <- event{unusable: &report.Unusable{Source: h.source, Entry: &idx, Method: e.Exchange.Method, URL: e.Exchange.URL, Reason: e.Unusable}}
		return nil
	}
	h.sem <- struct{}{}
	go func() {
		defer func() { <-h.sem }()
		c <- resultEvent(h.v, h.source, &idx, e.Exchange)
	}()
	return nil
}

// wait returns once every entry's event was sent.
func (h *harChecker) wait() {
	close(h.pending)
	<-h.done
}

// noCallEntries says why a HAR file with n entries gave nothing to check.
func noCallEntries(n int) string {
	const call = "a GET …/Accounts/{uuid}/Calls/{uuid}"
	switch n {
	case 0:
		return "no entries; " + report.NothingChecked
	case 1:
		return "1 entry, which is not " + call + "; " + report.NothingChecked
	}
	return fmt.Sprintf("%d entries, none is %s; %s", n, call, report.NothingChecked)
}

// reason describes err without repeating the path it is about.
func reason(err error) string {
	var re *recording.RecordingError
	var he *recording.HARError
	var pe *fs.PathError
	switch {
	case errors.As(err, &re):
		return re.Reason
	case errors.As(err, &he):
		return he.Reason
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
}

// pathOf returns the path err is about, or fallback.
func pathOf(err error, fallback string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path != "" {
		return pe.Path
	}
	return fallback
}

// wroteReport says on stderr where --out wrote the report, as an absolute
// path, so a CI log shows where to find it; stdout stays empty.
func wroteReport(stderr io.Writer, out string) {
	if out == "" {
		return
	}
	if abs, err := filepath.Abs(out); err == nil {
		out = abs
	}
	fmt.Fprintf(stderr, "swcontract: wrote the report to %s\n", out)
}
