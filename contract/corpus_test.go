package contract_test

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../testdata"

var sharedValidator = sync.OnceValues(contract.New)

func newValidator(t testing.TB) *contract.Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatalf("contract.New: %v", err)
	}
	return v
}

// matches reports whether a finding satisfies one expectation entry, which
// names a pointer ("/direction", "status") or a rule ("body.empty").
func matches(f contract.Finding, want string) bool {
	return f.Pointer == want || f.Rule == want
}

func TestCorpusConformant(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	files := recordingFiles(t, "conformant")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			rec, err := recording.ReadRecording(path)
			if err != nil {
				t.Fatal(err)
			}
			res := v.Check(rec.Exchange())
			if res.Operation != "retrieve-a-call" {
				t.Errorf("operation = %q, want retrieve-a-call", res.Operation)
			}
			for _, f := range res.Findings {
				if f.Severity != contract.SeverityInfo {
					t.Errorf("unexpected finding %s %s %s: %s", f.Severity, f.Rule, f.Pointer, f.Message)
				}
			}
			if !res.Conformant {
				t.Errorf("not conformant")
			}
			if rec.Expect != nil && !rec.Expect.Conformant {
				t.Errorf("a conformant recording expects conformant=false")
			}
		})
	}
}

func TestCorpusDrift(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, path := range recordingFiles(t, "drift") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			rec, res := checkExpecting(t, v, path, "drift")
			if res.Conformant {
				t.Errorf("conformant, want non-conformant; findings: %v", summarize(res.Findings))
			}
			for _, want := range rec.Expect.Findings {
				if !slices.ContainsFunc(res.Findings, func(f contract.Finding) bool { return matches(f, want) }) {
					t.Errorf("no finding for %q; got %v", want, summarize(res.Findings))
				}
			}
		})
	}
}

// TestCorpusWarning checks the recordings that are schema-valid but break a
// semantic rule: conformant, with the warnings they expect.
func TestCorpusWarning(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, path := range recordingFiles(t, "warning") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			rec, res := checkExpecting(t, v, path, "warning")
			if !res.Conformant {
				t.Errorf("non-conformant, want conformant with warnings; findings: %v", summarize(res.Findings))
			}
			for _, want := range rec.Expect.Findings {
				if !slices.ContainsFunc(res.Findings, func(f contract.Finding) bool {
					return matches(f, want) && f.Severity == contract.SeverityWarning
				}) {
					t.Errorf("no warning for %q; got %v", want, summarize(res.Findings))
				}
			}
		})
	}
}

// checkExpecting reads the recording at path, which must say which findings
// it expects (it is a recording of kind), and checks it.
func checkExpecting(t *testing.T, v *contract.Validator, path, kind string) (*recording.Recording, contract.Result) {
	t.Helper()
	rec, err := recording.ReadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Expect == nil || len(rec.Expect.Findings) == 0 {
		t.Fatalf("a %s recording must say which findings it expects", kind)
	}
	return rec, v.Check(rec.Exchange())
}

func recordingFiles(t *testing.T, sub string) []string {
	t.Helper()
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings", sub))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no recordings under %s", sub)
	}
	return files
}

func summarize(fs []contract.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + string(f.Severity) + " " + f.Rule + " " + f.Pointer + " (" + f.Expected + " / " + f.Actual + ")")
	}
	return b.String()
}
