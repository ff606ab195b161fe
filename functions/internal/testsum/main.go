// Command testsum reads "go test -json" on stdin and writes what plain
// "go test" would: a line per package, and the output of each test that
// failed, build failures included. It then says, once, how many tests
// skipped for want of a moto server (their skip message names
// CALLWIRE_MOTO_URL). Reading the JSON stream rather than go test's text is
// what lets it count them: a passing package's output is never shown by
// plain go test, and a cached result replays its events only with -json.
//
// Usage (what .ci/test runs):
//
//	go test -race -json ./... | go run ./functions/internal/testsum
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// motoVar is the variable that points the tests at a moto server; a test
// that skips for want of one names it.
const motoVar = "CALLWIRE_MOTO_URL"

func main() {
	if err := summarize(os.Stdin, os.Stdout, os.Getenv(motoVar) != ""); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
}

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// summarize renders the events read from r on w and ends with the moto
// line; motoSet says whether the run had a moto server.
func summarize(r io.Reader, w io.Writer, motoSet bool) error {
	type key struct{ pkg, test string }
	outputs := map[key][]string{}
	motoSkips := 0
	motoPkgs := map[string]bool{}
	var pkgOrder []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event: say it as it came.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		k := key{e.Package, e.Test}
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Test == "" && e.Action == "output":
			if e.Output != "PASS\n" {
				fmt.Fprint(w, e.Output)
			}
		case e.Test == "":
		case e.Action == "output":
			if !isMarker(e.Output) {
				outputs[k] = append(outputs[k], e.Output)
			}
		case e.Action == "fail":
			fmt.Fprint(w, strings.Join(outputs[k], ""))
			delete(outputs, k)
		case e.Action == "skip":
			if strings.Contains(strings.Join(outputs[k], ""), motoVar) {
				motoSkips++
				if !motoPkgs[e.Package] {
					motoPkgs[e.Package] = true
					pkgOrder = append(pkgOrder, e.Package)
				}
			}
			delete(outputs, k)
		case e.Action == "pass":
			delete(outputs, k)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if motoSkips > 0 && !motoSet {
		tests := "tests"
		if motoSkips == 1 {
			tests = "test"
		}
		fmt.Fprintf(w, "moto: %d %s skipped for want of a moto server (%s is not set), in %s; "+
			"to run them: moto_server -H 127.0.0.1 -p 5005 & %s=http://127.0.0.1:5005 .ci/test (or .ci/run, which starts one)\n",
			motoSkips, tests, motoVar, strings.Join(pkgOrder, ", "), motoVar)
	}
	return nil
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
