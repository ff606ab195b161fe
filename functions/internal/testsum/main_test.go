package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

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
			if err := summarize(bytes.NewReader(stream), &out, options{motoSet: tt.motoSet, now: fixedClock}); err != nil {
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
testsum: 3 packages in 0s, 2 failed
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
	if err := summarize(strings.NewReader(in), &out, options{}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "go: downloading example.com/m v1.0.0\ntestsum: 0 packages in 0s\nmoto: 2 tests skipped for want of a moto server (CALLWIRE_MOTO_URL is not set), in p/one, p/two; ") {
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

// fixedClock is a clock that stands still.
func fixedClock() time.Time { return time.Date(2026, 12, 6, 13, 0, 0, 0, time.UTC) }

// steppingClock returns a clock that advances by step at each reading.
func steppingClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := fixedClock()
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

// TestProgress checks what a progress line says at each stage of a run.
func TestProgress(t *testing.T) {
	t.Parallel()
	start := func(p string) string { return `{"Action":"start","Package":"` + p + `"}` }
	end := func(action, p string) string { return `{"Action":"` + action + `","Package":"` + p + `"}` }
	tests := []struct {
		name     string
		packages int
		events   []string
		want     string
	}{
		{name: "compiling", packages: 60, want: "testsum: 0 of 60 packages done, compiling; 1m30s so far"},
		{name: "total unknown", want: "testsum: 0 packages done, compiling; 1m30s so far"},
		{name: "running", packages: 60, events: []string{start("x/a"), start("x/b"), end("pass", "x/a")},
			want: "testsum: 1 of 60 packages done, running x/b; 1m30s so far"},
		{name: "a test ending is not a package ending", packages: 3,
			events: []string{start("x/a"), `{"Action":"pass","Package":"x/a","Test":"TestA"}`},
			want:   "testsum: 0 of 3 packages done, running x/a; 1m30s so far"},
		{name: "failed and skipped", packages: 9, events: []string{start("x/a"), end("fail", "x/a"), start("x/c"), end("skip", "x/c"), start("x/d")},
			want: "testsum: 2 of 9 packages done (1 failed), running x/d; 1m30s so far"},
		{name: "many running", packages: 9, events: []string{start("p/1"), start("p/2"), start("p/3"), start("p/4"), start("p/5")},
			want: "testsum: 0 of 9 packages done, running p/1, p/2, p/3 and 2 more; 1m30s so far"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &summary{w: &countingWriter{w: io.Discard}, o: options{packages: tt.packages, now: steppingClock(90 * time.Second)}, outputs: map[key][]string{}}
			s.start = s.o.now()
			for _, e := range tt.events {
				s.line([]byte(e))
			}
			if diff := cmp.Diff(tt.want, s.progress()); diff != "" {
				t.Errorf("progress line mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// syncBuffer is a buffer summarize writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSummarizeSpeaksDuringSilence feeds a stream that goes quiet, as go
// test is while it compiles, and waits for the progress lines; a run that
// writes goes on without them.
func TestSummarizeSpeaksDuringSilence(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- summarize(r, &out, options{packages: 2, every: time.Millisecond, now: steppingClock(time.Second)})
	}()
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the output after 10 s:\n%s", want, out.String())
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor("testsum: 0 of 2 packages done, compiling; ")
	if _, err := io.WriteString(w, `{"Action":"start","Package":"x/a"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	waitFor("testsum: 0 of 2 packages done, running x/a; ")
	for _, e := range []string{
		`{"Action":"output","Package":"x/a","Output":"ok  \tx/a\t0.1s\n"}`,
		`{"Action":"pass","Package":"x/a"}`,
		`{"Action":"start","Package":"x/b"}`,
	} {
		if _, err := io.WriteString(w, e+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("testsum: 1 of 2 packages done, running x/b; ")
	if _, err := io.WriteString(w, `{"Action":"pass","Package":"x/b"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "ok  \tx/a\t0.1s\n") {
		t.Errorf("the package line is missing:\n%s", got)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "testsum: 2 packages in ") {
		t.Errorf("last line %q, want the run's duration", last)
	}
}
