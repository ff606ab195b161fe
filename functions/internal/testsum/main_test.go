package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSummarize renders testdata/stream.json, what "go test -json ./..."
// wrote for a module with a package whose tests skip for want of moto, fail
// (in a subtest) and pass, a package that does not build and one without
// tests.
func TestSummarize(t *testing.T) {
	t.Parallel()
	stream, err := os.ReadFile("testdata/stream.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		motoSet bool
		want    string
	}{
		{name: "without moto", want: rendered + "moto: 1 test skipped for want of a moto server (CALLWIRE_MOTO_URL is not set), in x/a; " +
			"to run them: moto_server -H 127.0.0.1 -p 5005 & CALLWIRE_MOTO_URL=http://127.0.0.1:5005 .ci/test (or .ci/run, which starts one)\n"},
		{name: "with moto", motoSet: true, want: rendered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := summarize(bytes.NewReader(stream), &out, tt.motoSet); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// rendered is testdata/stream.json as testsum writes it: what plain go test
// shows, a failed subtest's lines before its parent's.
const rendered = `# x/b [x/b.test]
b/b.go:2:9: syntax error: unexpected {, expected )
FAIL	x/b [build failed]
?   	x/c	[no test files]
    a_test.go:4: inner
    a_test.go:4: boom
--- FAIL: TestFail/sub (0.00s)
--- FAIL: TestFail (0.00s)
FAIL
FAIL	x/a	0.003s
`

// TestSummarizeCountsEveryMotoSkip counts skips across packages and
// subtests, and passes on a line that is not an event.
func TestSummarizeCountsEveryMotoSkip(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"Action":"output","Package":"p/one","Test":"TestA/moto","Output":"    x_test.go:1: CALLWIRE_MOTO_URL is not set\n"}`,
		`{"Action":"skip","Package":"p/one","Test":"TestA/moto"}`,
		`{"Action":"output","Package":"p/one","Test":"TestB","Output":"    x_test.go:2: short mode\n"}`,
		`{"Action":"skip","Package":"p/one","Test":"TestB"}`,
		`{"Action":"output","Package":"p/two","Test":"TestC","Output":"    y_test.go:1: CALLWIRE_MOTO_URL is not set (CI starts one)\n"}`,
		`{"Action":"skip","Package":"p/two","Test":"TestC"}`,
		`go: downloading example.com/m v1.0.0`,
	}, "\n")
	var out bytes.Buffer
	if err := summarize(strings.NewReader(in), &out, false); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "go: downloading example.com/m v1.0.0\nmoto: 2 tests skipped for want of a moto server (CALLWIRE_MOTO_URL is not set), in p/one, p/two; ") {
		t.Errorf("output = %q", got)
	}
}

// TestCIRunsTheReadmeCommand checks that the README's test command is
// .ci/test and that .ci/run runs exactly it.
func TestCIRunsTheReadmeCommand(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	run, err := os.ReadFile("../../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n.ci/test                      # the whole test suite (what CI runs)") {
		t.Error("README.md's Quick start does not show .ci/test as the whole test suite")
	}
	if !strings.Contains(string(run), "\nstep tests\n.ci/test\n") {
		t.Error(".ci/run does not run .ci/test as its tests step")
	}
}
