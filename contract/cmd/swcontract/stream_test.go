package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/report"
)

const streamCallURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

// writeBigHAR writes a HAR of n "Retrieve a Call" entries whose bodies are
// {} (about 30 findings each) to a file in dir.
func writeBigHAR(tb testing.TB, dir string, n int) string {
	tb.Helper()
	path := filepath.Join(dir, fmt.Sprintf("big-%d.har", n))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(`{"log":{"version":"1.2","entries":[`)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"request":{"method":"GET","url":"%s?n=%d","headers":[]},"response":{"status":200,`+
			`"headers":[{"name":"Content-Type","value":"application/json"}],"content":{"mimeType":"application/json","text":"{}"}}}`, streamCallURL, i)
	}
	w.WriteString(`]}}`)
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// peakHeap runs fn and returns the largest live heap seen while it ran.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak
}

// TestCheckMemoryDoesNotGrowWithEntries checks that checking a HAR holds
// memory for the exchanges in flight, not for every entry or result: the
// peak heap for 20,000 entries stays near the one for 2,000 in the formats
// that spool what follows the results (JSON), the counts (JUnit) or the
// groups (HTML, Markdown). It runs alone (not parallel) so the heap is its
// own.
//
// Under the race detector, which makes the check more than ten times
// slower, it checks one HAR of 2,000 entries (past report.MaxListed, so
// the aggregation runs) in every format and skips the heap comparison:
// .ci/test runs this test again without -race, where the comparison is
// made.
func TestCheckMemoryDoesNotGrowWithEntries(t *testing.T) { //nolint:paralleltest // measures the heap
	if testing.Short() {
		t.Skip("checks 44,000 entries")
	}
	small, large := 2_000, 20_000
	if raceDetector {
		small, large = 0, 2_000
		t.Log("race detector: checking 2,000 entries without the heap comparison, which .ci/test makes without -race")
	}
	dir := t.TempDir()
	largeHAR := writeBigHAR(t, dir, large)
	smallHAR := ""
	if small > 0 {
		smallHAR = writeBigHAR(t, dir, small)
	}
	for _, format := range []string{"json", "junit", "html", "markdown"} {
		measure := func(path string) (uint64, string) {
			var out countingWriter
			var code int
			peak := peakHeap(func() {
				code = run([]string{"check", "--format", format, path}, nil, &out, io.Discard)
			})
			if code != exitFail {
				t.Fatalf("%s %s: exit %d, want %d", format, path, code, exitFail)
			}
			return peak, out.tail.String()
		}
		var p1 uint64
		if smallHAR != "" {
			p1, _ = measure(smallHAR)
		}
		p2, tail := measure(largeHAR)
		if !strings.Contains(tail, strconv.Itoa(large)) && !strings.Contains(tail, fmt.Sprintf("%d more exchanges", large-report.MaxListed)) {
			t.Errorf("%s: the report's end does not count %d exchanges: %q", format, large, tail)
		}
		if smallHAR == "" {
			continue
		}
		t.Logf("%s: peak heap %d KiB at %d entries, %d KiB at %d", format, p1>>10, small, p2>>10, large)
		if p2 > 2*p1+16<<20 {
			t.Errorf("%s: peak heap %d KiB at %d entries, %d KiB at %d: it grows with the entries", format, p2>>10, large, p1>>10, small)
		}
	}
}

// countingWriter discards what it is given but its last 4 KiB.
type countingWriter struct {
	n    int
	tail bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.tail.Write(p)
	if c.tail.Len() > 8<<10 {
		b := append([]byte(nil), c.tail.Bytes()[c.tail.Len()-4<<10:]...)
		c.tail.Reset()
		c.tail.Write(b)
	}
	return len(p), nil
}

// TestUnusableInEveryFormat: each unusable input (a truncated recording, a
// missing path, a HAR entry that cannot be decoded, a named file that is
// neither a recording nor a HAR) is named with its reason in every format,
// counted, and the exit code is 2 beside a good file.
func TestUnusableInEveryFormat(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	badEntry := `{"log":{"entries":[{"request":{"method":"GET","url":"` + streamCallURL + `"},` +
		`"response":{"status":200,"content":{"encoding":"base64","text":"!!"}}}]}}`
	if err := os.WriteFile(p("entry.har"), []byte(badEntry), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{p("ok.json"), p("bad/broken.json"), p("missing.json"), p("entry.har"), p("notes.txt")}
	reasons := []string{"invalid JSON: malformed", "no such file or directory", "response.content: text is not valid base64", "invalid JSON: syntax error"}
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(append([]string{"check", "--format", format}, args...), nil, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			out := stdout.String()
			for _, r := range reasons {
				if !strings.Contains(out, r) {
					t.Errorf("report lacks %q:\n%s", r, out)
				}
			}
			if !strings.Contains(out, "entry 0 (GET "+streamCallURL+")") && !strings.Contains(out, `"entry": 0`) {
				t.Errorf("report does not name the HAR entry:\n%s", out)
			}
			switch format {
			case "json":
				var doc struct {
					Unusable []struct{ Source, Reason string } `json:"unusable"`
					Checked  int                               `json:"checked"`
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				if len(doc.Unusable) != 4 || doc.Checked != 1 {
					t.Errorf("%d unusable, %d checked; want 4, 1", len(doc.Unusable), doc.Checked)
				}
			case "junit":
				var doc struct {
					Errors int `xml:"errors,attr"`
				}
				if err := xml.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatalf("not XML: %v", err)
				}
				if doc.Errors != 4 {
					t.Errorf("errors=%d, want 4", doc.Errors)
				}
			case "text", "github":
				if !strings.Contains(out, "unusable 4") {
					t.Errorf("summary does not count 4 unusable:\n%s", out)
				}
			}
		})
	}
}

// TestHARByContent: a HAR saved as .json is checked as a HAR, a recording
// saved as .har as a recording; in a directory other names are not read,
// and a directory of only such files is named.
func TestHARByContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	base := readBase(t)
	if err := json.Unmarshal(base, &rec); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"capture.json": harFor(t, rec.Response.Body), "rec.har": base, "notes/notes.txt": []byte("x")}
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", filepath.Join(dir, "capture.json"), filepath.Join(dir, "rec.har"), filepath.Join(dir, "notes")}, nil, &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	want := "checked 2, conformant 2, nonconformant 0, skipped 1, unusable 1"
	if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "directory without *.json or *.har files (1 other files)") {
		t.Errorf("stdout = %q, want %q and the notes directory named", stdout.String(), want)
	}
}

// TestHARCredentialsNeverEchoed: a HAR holding credentials gets one warning
// naming them, in every format, and no report holds a value.
func TestHARCredentialsNeverEchoed(t *testing.T) {
	t.Parallel()
	const secret = "Zm9vOmJhcg-SECRET"
	doc := `{"log":{"entries":[` +
		`{"request":{"method":"GET","url":"https://u:` + secret + `@example.signalwire.com` + strings.TrimPrefix(streamCallURL, "https://example.signalwire.com") + `?api_token=` + secret + `",` +
		`"headers":[{"name":"Authorization","value":"Basic ` + secret + `"},{"name":"Cookie","value":"sid=` + secret + `"}]},` +
		`"response":{"status":200,"headers":[],"content":{"mimeType":"text/html","text":"<html>"}}},` +
		`{"request":{"method":"GET","url":"` + streamCallURL + `?token=` + secret + `"},"response":{"status":0}}]}}`
	path := filepath.Join(t.TempDir(), "creds.har")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			run([]string{"check", "--format", format, path}, nil, &stdout, &stderr)
			all := stdout.String() + stderr.String()
			if strings.Contains(all, secret) {
				t.Errorf("a credential's value reached the output:\n%s", all)
			}
			for _, name := range []string{"Authorization header", "Cookie header", `query parameter \"api_token\"`, "URL user information"} {
				n := strings.Count(stdout.String(), name)
				if format != "json" {
					name = strings.ReplaceAll(name, `\"`, `"`)
					n = strings.Count(strings.ReplaceAll(stdout.String(), "&#34;", `"`), name)
				}
				if n != 1 {
					t.Errorf("%q named %d times in the report, want once:\n%s", name, n, stdout.String())
				}
			}
		})
	}
}
