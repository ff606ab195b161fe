package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/report"
)

const checkUsage = `Usage: swcontract check [flags] PATH...

Checks each exchange in PATH against the pinned OpenAPI contract and writes a
report. PATH is a recording (.json), a HAR file (.har), a directory, searched
recursively for both, or - for one recording or HAR document on standard
input (told apart by content). A recording's "expect" field is ignored. In a
HAR file only the entries whose request is exactly GET
/api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid} are checked;
other entries are counted as skipped. A file named twice is checked once.
Flags may come before or after PATH.

Flags:
  --format text|json|junit|github
        report format (default text): text for people, json for tools,
        junit for CI test views, github for GitHub Actions annotations
  --fail-on error|warning
        lowest finding severity that fails an exchange (default error)
  --out FILE
        write the report to FILE instead of standard output

Exit codes:
  0  every exchange passed: no finding at or above --fail-on
  1  at least one exchange failed
  2  usage error, no such PATH, or an input that could not be used
     (2 outranks 1):
     - a file that cannot be read or parsed: the reason goes to standard
       error as "swcontract: <path>: <reason>", and the other files are
       still checked and reported;
     - nothing to check: a HAR file without a Retrieve a Call entry, a
       directory without recordings or HAR files, empty standard input; each
       is named on standard error and in the report ("unusable"), and the
       rest is still checked. Checking nothing never passes.
`

// checkGCPercent is the GC target percentage check runs with unless GOGC is set.
const checkGCPercent = 200

// formats maps --format values to the report writer.
var formats = map[string]func(*report.Report, io.Writer) error{
	"text":   (*report.Report).WriteText,
	"json":   (*report.Report).WriteJSON,
	"junit":  (*report.Report).WriteJUnit,
	"github": (*report.Report).WriteGitHub,
}

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
		if _, ok := formats[s]; !ok {
			return errors.New("want text, json, junit or github")
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
	inputs, empty, err := findInputs(opts.paths)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
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
	outcomes := checkFiles(v, inputs, stdin)
	unreadable := false
	for i, o := range outcomes {
		if o.err != nil {
			fmt.Fprintf(stderr, "swcontract: %s: %s\n", inputs[i].name, reason(o.err))
			unreadable = true
		}
	}
	rep := &report.Report{
		Spec:   contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256},
		FailOn: opts.failOn,
	}
	rep.Results = make([]report.FileResult, 0, len(inputs))
	for _, p := range empty {
		rep.AddUnusable(p, "no recordings (.json) or HAR files (.har) found; "+report.NothingChecked)
	}
	for i, o := range outcomes {
		rep.Skipped += o.skipped
		for _, c := range o.checked {
			rep.Add(inputs[i].name, c.ex, c.res)
		}
		if o.unusable != "" {
			rep.AddUnusable(inputs[i].name, o.unusable)
		}
	}
	for _, u := range rep.Unusable {
		fmt.Fprintf(stderr, "swcontract: %s: %s\n", u.Source, u.Reason)
	}
	if err := writeReport(rep, formats[opts.format], opts.out, stdout); err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	wroteReport(stderr, opts.out)
	switch {
	case !rep.Usable() || unreadable:
		return exitUsage
	case rep.Failed(opts.failOn):
		return exitFail
	}
	return exitOK
}

// stdinName names standard input in reports and messages.
const stdinName = "stdin"

// input is one file to check, or standard input.
type input struct {
	name  string // the path, or stdinName
	stdin bool
}

// findInputs expands paths into the files to check, in path order, each
// once however often it is named. "-" is standard input. empty lists the
// directories that hold nothing to check; err names the first path that
// cannot be walked.
func findInputs(paths []string) (inputs []input, empty []string, err error) {
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
		found, err := recording.FindFiles(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s", pathOf(err, p), reason(err))
		}
		if len(found) == 0 {
			if once(key(p)) {
				empty = append(empty, p)
			}
			continue
		}
		for _, f := range found {
			if once(key(f)) {
				inputs = append(inputs, input{name: f})
			}
		}
	}
	return inputs, empty, nil
}

// checked is one exchange and its result; the exchange's body is dropped
// once checked.
type checked struct {
	ex  contract.Exchange
	res contract.Result
}

// outcome is what checking one input produced.
type outcome struct {
	checked []checked
	skipped int
	// unusable says why an input that was read gave nothing to check.
	unusable string
	err      error
}

// checkFiles reads and checks inputs on up to GOMAXPROCS goroutines.
// outcomes[i] belongs to inputs[i]; an input that cannot be read or parsed
// has its err set and does not stop the others.
func checkFiles(v *contract.Validator, inputs []input, stdin io.Reader) []outcome {
	outcomes := make([]outcome, len(inputs))
	workers := runtime.GOMAXPROCS(0)
	var g errgroup.Group
	g.SetLimit(workers)
	// Each goroutine checks a run of consecutive inputs: a goroutine's stack
	// grows deep while decoding, and growing a new one per file costs about
	// 5% of the CPU time on large directories.
	run := min(max(len(inputs)/(8*workers), 1), 64)
	for start := 0; start < len(inputs); start += run {
		g.Go(func() error {
			for i := start; i < min(start+run, len(inputs)); i++ {
				outcomes[i] = checkFile(v, inputs[i], stdin)
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no error: each outcome holds its own
	return outcomes
}

// checkFile reads one input and checks its exchanges: a file by its
// extension (.har or a recording), standard input by its content.
func checkFile(v *contract.Validator, in input, stdin io.Reader) outcome {
	if in.stdin {
		return checkStdin(v, stdin)
	}
	if strings.EqualFold(filepath.Ext(in.name), ".har") {
		entries, skipped, err := recording.ReadHAR(in.name)
		if err != nil {
			return outcome{err: err}
		}
		return checkHAR(v, entries, skipped)
	}
	rec, err := recording.ReadRecording(in.name)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{checked: []checked{checkOne(v, rec.Exchange())}}
}

// checkStdin reads one recording or HAR document from r. A JSON object
// with a "log" member is a HAR document; anything else is read as a
// recording, whose reader explains what is wrong with it.
func checkStdin(v *contract.Validator, r io.Reader) outcome {
	data, err := io.ReadAll(io.LimitReader(r, recording.MaxHARSize+1))
	if err != nil {
		return outcome{err: fmt.Errorf("cannot read: %w", err)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return outcome{unusable: "empty input; " + report.NothingChecked}
	}
	if isHAR(data) {
		entries, skipped, err := recording.ParseHAR(stdinName, data)
		if err != nil {
			return outcome{err: err}
		}
		return checkHAR(v, entries, skipped)
	}
	rec, err := recording.ParseRecording(stdinName, data)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{checked: []checked{checkOne(v, rec.Exchange())}}
}

// isHAR reports whether data is a JSON object with a top-level "log"
// member, which a HAR document has and a recording never does.
func isHAR(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if tok == "log" {
			return true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

// checkHAR checks a HAR file's "Retrieve a Call" entries. A HAR file
// without one is unusable: it was most likely the wrong file.
func checkHAR(v *contract.Validator, entries []recording.HAREntry, skipped int) outcome {
	o := outcome{checked: make([]checked, len(entries)), skipped: skipped}
	for i, e := range entries {
		o.checked[i] = checkOne(v, e.Exchange)
	}
	if len(entries) == 0 {
		o.unusable = noCallEntries(skipped)
	}
	return o
}

// noCallEntries says why a HAR file with n entries gave nothing to check.
func noCallEntries(n int) string {
	const call = "a GET …/Accounts/{uuid}/Calls/{uuid} with an HTTP response"
	switch n {
	case 0:
		return "no entries; " + report.NothingChecked
	case 1:
		return "1 entry, which is not " + call + "; " + report.NothingChecked
	}
	return fmt.Sprintf("%d entries, none is %s; %s", n, call, report.NothingChecked)
}

func checkOne(v *contract.Validator, ex contract.Exchange) checked {
	res := v.Check(ex)
	ex.Body = nil
	ex.Header = nil
	return checked{ex: ex, res: res}
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

// writeReport writes the report with write to the file out, or to stdout when out is "".
func writeReport(r *report.Report, write func(*report.Report, io.Writer) error, out string, stdout io.Writer) error {
	w := stdout
	var f *os.File
	if out != "" {
		var err error
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("%s: %s", out, reason(err))
		}
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err := write(r, bw)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("write report: %s", reason(err))
	}
	return nil
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
