// Command testsum reads "go test -json" on stdin and writes what plain
// "go test" would: a line per package, and the output of each test that
// failed, build failures included. It then says, once, how many tests
// skipped for want of a moto server (their skip message names
// CALLWIRE_MOTO_URL). Reading the JSON stream rather than go test's text is
// what lets it count them: a passing package's output is never shown by
// plain go test, and a cached result replays its events only with -json.
//
// A cold run compiles for minutes before the first package reports, so
// testsum also shows signs of life: whenever nothing was written for the
// -every interval, a progress line says how many packages finished (of
// -packages, when given), which are running and how long the run took so
// far. The last line says how long the whole run took.
//
// Usage (what .ci/test runs):
//
//	go test -race -json ./... | go run ./functions/internal/testsum -packages "$(go list ./... | wc -l)"
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// motoVar is the variable that points the tests at a moto server; a test
// that skips for want of one names it.
const motoVar = "CALLWIRE_MOTO_URL"

func main() {
	o := options{motoSet: os.Getenv(motoVar) != "", now: time.Now}
	flag.IntVar(&o.packages, "packages", 0, "how many packages the run tests, for the progress lines (0: unknown)")
	flag.DurationVar(&o.every, "every", 20*time.Second, "write a progress line when nothing was written for this long (0: never)")
	flag.Parse()
	if flag.NArg() != 0 || o.packages < 0 || o.every < 0 {
		fmt.Fprintln(os.Stderr, "usage: go test -json ... | testsum [-packages N] [-every DURATION]")
		os.Exit(2)
	}
	if err := summarize(os.Stdin, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

// options say how summarize reports.
type options struct {
	// motoSet says whether the run had a moto server.
	motoSet bool
	// packages is how many packages the run tests; 0 when unknown.
	packages int
	// every is the longest silence before a progress line; 0 for none.
	every time.Duration
	// now is the clock the elapsed times are read from.
	now func() time.Time
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// summary is the state of one run's rendering.
type summary struct {
	w       *countingWriter
	o       options
	start   time.Time
	outputs map[key][]string
	// motoSkips counts the tests that skipped for want of moto, in the
	// packages motoPkgs (in the order first seen).
	motoSkips int
	motoPkgs  []string
	// running are the packages whose tests started and have not ended,
	// in the order they started; done and failed count ended packages.
	running      []string
	done, failed int
}

type key struct{ pkg, test string }

// summarize renders the events read from r on w, with a progress line
// whenever nothing was written for o.every, and ends with the run's
// duration and the moto line.
func summarize(r io.Reader, w io.Writer, o options) error {
	if o.now == nil {
		o.now = time.Now
	}
	s := &summary{w: &countingWriter{w: w}, o: o, start: o.now(), outputs: map[key][]string{}}
	lines := make(chan []byte)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- slices.Clone(sc.Bytes())
		}
		errc <- sc.Err()
		close(lines)
	}()
	var tick <-chan time.Time
	if o.every > 0 {
		t := time.NewTicker(o.every)
		defer t.Stop()
		tick = t.C
	}
	written := 0
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				if err := <-errc; err != nil {
					return err
				}
				s.finish()
				return nil
			}
			s.line(line)
		case <-tick:
			// A line at most two intervals apart: the progress line
			// comes at a tick with nothing written since the last one.
			if s.w.n == written {
				fmt.Fprintln(s.w, s.progress())
			}
			written = s.w.n
		}
	}
}

// line renders one line of go test -json.
func (s *summary) line(line []byte) {
	w := s.w
	var e event
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
		// Not an event: say it as it came.
		fmt.Fprintf(w, "%s\n", line)
		return
	}
	k := key{e.Package, e.Test}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(w, e.Output)
	case e.Test == "" && e.Action == "output":
		if e.Output != "PASS\n" {
			fmt.Fprint(w, e.Output)
		}
	case e.Test == "" && e.Action == "start":
		s.running = append(s.running, e.Package)
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		s.running = slices.DeleteFunc(s.running, func(p string) bool { return p == e.Package })
		s.done++
		if e.Action == "fail" {
			s.failed++
		}
	case e.Test == "":
	case e.Action == "output":
		if !isMarker(e.Output) {
			s.outputs[k] = append(s.outputs[k], e.Output)
		}
	case e.Action == "fail":
		fmt.Fprint(w, strings.Join(s.outputs[k], ""))
		delete(s.outputs, k)
	case e.Action == "skip":
		if strings.Contains(strings.Join(s.outputs[k], ""), motoVar) {
			s.motoSkips++
			if !slices.Contains(s.motoPkgs, e.Package) {
				s.motoPkgs = append(s.motoPkgs, e.Package)
			}
		}
		delete(s.outputs, k)
	case e.Action == "pass":
		delete(s.outputs, k)
	}
}

// maxRunningShown bounds the packages a progress line names.
const maxRunningShown = 3

// progress is the line that says how far the run got: "testsum: 12 of 60
// packages done (1 failed), running a, b; 2m5s so far". Before the first
// package starts, go test is compiling.
func (s *summary) progress() string {
	var b strings.Builder
	fmt.Fprintf(&b, "testsum: %d", s.done)
	if s.o.packages > 0 {
		fmt.Fprintf(&b, " of %d", s.o.packages)
	}
	b.WriteString(" packages done")
	if s.failed > 0 {
		fmt.Fprintf(&b, " (%d failed)", s.failed)
	}
	switch {
	case len(s.running) == 0:
		b.WriteString(", compiling")
	case len(s.running) <= maxRunningShown:
		b.WriteString(", running " + strings.Join(s.running, ", "))
	default:
		fmt.Fprintf(&b, ", running %s and %d more", strings.Join(s.running[:maxRunningShown], ", "), len(s.running)-maxRunningShown)
	}
	fmt.Fprintf(&b, "; %s so far", s.elapsed())
	return b.String()
}

// elapsed is the time since the run started, to the second.
func (s *summary) elapsed() time.Duration { return s.o.now().Sub(s.start).Round(time.Second) }

// finish writes the run's duration and the moto line.
func (s *summary) finish() {
	w := s.w
	packages := "packages"
	if s.done == 1 {
		packages = "package"
	}
	fmt.Fprintf(w, "testsum: %d %s in %s", s.done, packages, s.elapsed())
	if s.failed > 0 {
		fmt.Fprintf(w, ", %d failed", s.failed)
	}
	fmt.Fprintln(w)
	if s.motoSkips > 0 && !s.o.motoSet {
		tests := "tests"
		if s.motoSkips == 1 {
			tests = "test"
		}
		fmt.Fprintf(w, "moto: %d %s skipped for want of a moto server (%s is not set), in %s; "+
			"to run them: moto_server -H 127.0.0.1 -p 5005 & %s=http://127.0.0.1:5005 .ci/test (or .ci/run, which starts one)\n",
			s.motoSkips, tests, motoVar, strings.Join(s.motoPkgs, ", "), motoVar)
	}
}

// countingWriter counts the writes made through it, so a silence can be
// told from output.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n++
	return c.w.Write(p)
}

// isMarker reports whether a test's output line is one of the lines go test
// -json adds to follow tests (=== RUN, PAUSE, CONT, NAME), which plain go
// test does not print.
func isMarker(s string) bool {
	for _, m := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "=== NAME "} {
		if strings.HasPrefix(s, m) {
			return true
		}
	}
	return false
}
