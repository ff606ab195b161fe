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
	"strings"
	"sync"
	"sync/atomic"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/report"
)

const checkUsage = `Usage: swcontract check [flags] PATH...

Checks each exchange in PATH against the pinned OpenAPI contract and writes a
report. PATH is a recording (.json), a HAR file (.har) or a directory, searched
recursively for both. A recording's "expect" field is ignored. In a HAR file
only the entries whose request is exactly the operation's, GET
/api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}, are checked; other
entries are counted as skipped. Flags may come before or after PATH.

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
  2  usage error, no file found, or a file could not be read or parsed;
     each such file is named on standard error as "swcontract: <path>:
     <reason>", the other files are still checked and reported, and 2
     outranks 1
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
			return fmt.Errorf("unknown format %q (want text, json, junit or github)", s)
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
		return fmt.Errorf("unknown severity %q (want error or warning)", s)
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
			fmt.Fprintf(stderr, "swcontract check: %v\n\n%s", err, checkUsage)
			return opts, exitUsage, false
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
		fmt.Fprintf(stderr, "swcontract check: no PATH given\n\n%s", checkUsage)
		return opts, exitUsage, false
	}
	return opts, 0, true
}

// runCheck runs "swcontract check" and returns the exit code.
func runCheck(args []string, stdout, stderr io.Writer) int {
	opts, code, ok := parseCheck(args, stdout, stderr)
	if !ok {
		return code
	}
	var files []string
	for _, p := range opts.paths {
		found, err := recording.FindFiles(p)
		if err != nil {
			fmt.Fprintf(stderr, "swcontract: %s: %s\n", pathOf(err, p), reason(err))
			return exitUsage
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "swcontract: %s: no recordings (.json) or HAR files (.har) found\n", strings.Join(opts.paths, ", "))
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
	outcomes := checkFiles(v, files)
	unreadable := false
	for i, o := range outcomes {
		if o.err != nil {
			fmt.Fprintf(stderr, "swcontract: %s: %s\n", files[i], reason(o.err))
			unreadable = true
		}
	}
	rep := &report.Report{
		Spec:   contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256},
		FailOn: opts.failOn,
	}
	rep.Results = make([]report.FileResult, 0, len(files))
	for i, o := range outcomes {
		rep.Skipped += o.skipped
		for _, c := range o.checked {
			rep.Add(files[i], c.ex, c.res)
		}
	}
	if err := writeReport(rep, formats[opts.format], opts.out, stdout); err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	if unreadable {
		return exitUsage
	}
	if rep.Failed(opts.failOn) {
		return exitFail
	}
	return exitOK
}

// checked is one exchange and its result; the exchange's body is dropped
// once checked.
type checked struct {
	ex  contract.Exchange
	res contract.Result
}

// outcome is what checking one file produced.
type outcome struct {
	checked []checked
	skipped int
	err     error
}

// checkFiles reads and checks files on GOMAXPROCS workers. outcomes[i]
// belongs to files[i]; a file that cannot be read or parsed has its err set
// and does not stop the others.
func checkFiles(v *contract.Validator, files []string) []outcome {
	outcomes := make([]outcome, len(files))
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), len(files))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				outcomes[i] = checkFile(v, files[i])
			}
		})
	}
	wg.Wait()
	return outcomes
}

// checkFile reads one recording or HAR file, by extension, and checks its exchanges.
func checkFile(v *contract.Validator, path string) outcome {
	if strings.EqualFold(filepath.Ext(path), ".har") {
		entries, skipped, err := recording.ReadHAR(path)
		if err != nil {
			return outcome{err: err}
		}
		o := outcome{checked: make([]checked, len(entries)), skipped: skipped}
		for i, e := range entries {
			o.checked[i] = checkOne(v, e.Exchange)
		}
		return o
	}
	rec, err := recording.ReadRecording(path)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{checked: []checked{checkOne(v, rec.Exchange())}}
}

func checkOne(v *contract.Validator, ex contract.Exchange) checked {
	res := v.Check(ex)
	ex.Body = nil
	ex.Header = nil
	return checked{ex: ex, res: res}
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
