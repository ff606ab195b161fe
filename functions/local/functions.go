package main

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// functionNames returns the Lambda functions of the module at root, sorted:
// the directories under functions/cmd/ that hold a main package.
func functionNames(root string) ([]string, error) {
	dir := filepath.Join(root, "functions", "cmd")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && isMain(filepath.Join(dir, e.Name())) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// functionPackage returns the package path, relative to the module root,
// of the function name's main: ./functions/cmd/NAME.
func functionPackage(name string) string { return "./functions/cmd/" + name }

// isMain reports whether dir holds a non-test Go file of package main.
func isMain(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if af, err := parser.ParseFile(fset, f, nil, parser.PackageClauseOnly); err == nil && af.Name.Name == "main" {
			return true
		}
	}
	return false
}

// defaultEventFiles are the events, relative to the module root, that a
// function is invoked with when the command line names none. callback's
// default is a sample signed at run time (sampleCallback); any other
// function gets {}.
var defaultEventFiles = map[string]string{
	"getcall":    "testdata/events/direct.json",
	"driftcheck": "testdata/driftcheck/schedule.json",
	// The week of testdata/recordings' calls that ended 15 to 22 March 2026:
	// a backfill window, since a scheduled run's window (the last 2 h) holds
	// none of them.
	"sweep": "testdata/sweep/backfill.json",
}

// callSIDFunctions are the functions -call-sid makes an event for.
var callSIDFunctions = []string{"callback", "getcall"}

// event returns the event to invoke with: EVENT_FILE as it is; for
// -function callback a completed status callback (for -call-sid, or the
// demo call) signed with the demo key; the direct event {"call_sid": SID}
// for -call-sid; or the function's default event.
func (r *runner) event(root string) ([]byte, error) {
	o := r.opts
	switch {
	case o.eventFile != "":
		return readEvent(o.eventFile)
	case o.function == "callback":
		return sampleCallback(o.callSID)
	case o.callSID != "":
		return json.Marshal(map[string]string{"call_sid": o.callSID})
	}
	if f, ok := defaultEventFiles[o.function]; ok {
		return readEvent(filepath.Join(root, filepath.FromSlash(f)))
	}
	return []byte("{}"), nil
}

// readEvent reads an event file, which must be JSON within Lambda's
// payload limit.
func readEvent(path string) ([]byte, error) {
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
