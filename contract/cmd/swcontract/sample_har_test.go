package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleHAR checks the sample HAR files in testdata/har, shaped like a
// browser's export (Chrome's, HTTP/2 pseudo-headers, no credentials) and
// mitmproxy's (HTTP/1.1, a base64 body): each holds two conformant Retrieve a
// Call exchanges, one drifted and a List Calls request that is skipped.
func TestSampleHAR(t *testing.T) {
	t.Parallel()
	const drifted = "d41f7000-000a-4a01-8a19-0a0100000a01"
	for _, name := range []string{"browser.har", "mitmproxy.har"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(testdataDir, "har", name)
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", path}, strings.NewReader(""), &stdout, &stderr)
			if code != 1 {
				t.Errorf("check %s = %d, want 1 (one drifted exchange); stderr:\n%s", name, code, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{
				"checked 3, conformant 2, nonconformant 1, skipped 1",
				"FAIL nonconformant: " + path + " entry 3 (GET https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/" + drifted + "), HTTP 200",
				"schema.enum      /direction: expected one of inbound, outbound, got outbound-api",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if strings.Count(out, "FAIL ") != 1 {
				t.Errorf("stdout holds %d failed exchanges, want 1:\n%s", strings.Count(out, "FAIL "), out)
			}
		})
	}
	// The guide names each sample.
	guide, err := os.ReadFile(filepath.Join(testdataDir, "har", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"browser.har", "mitmproxy.har"} {
		if !bytes.Contains(guide, []byte(name)) {
			t.Errorf("testdata/har/README.md does not name %s", name)
		}
	}
}

// TestDidYouMean checks that a mistyped subcommand gets the nearest one.
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	tests := []struct{ arg, want string }{
		{"chek", `swcontract: unknown command "chek" (did you mean check?)` + "\nrun 'swcontract -h' for help\n"},
		{"recrod", `swcontract: unknown command "recrod" (did you mean record?)` + "\n"},
		{"bogus", `swcontract: unknown command "bogus"` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run([]string{tt.arg}, nil, &stdout, &stderr); code != exitUsage {
				t.Errorf("run %s = %d, want %d", tt.arg, code, exitUsage)
			}
			if !strings.HasPrefix(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to start %q", stderr.String(), tt.want)
			}
		})
	}
}

// TestOutSaysWhere checks that --out says on stderr where it wrote the
// report, as an absolute path, and leaves stdout empty.
func TestOutSaysWhere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "report.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--format", "json", "--out", out, filepath.Join(testdataDir, "har", "browser.har")}, nil, &stdout, &stderr)
	if code != exitFail {
		t.Errorf("run = %d, want %d; stderr: %s", code, exitFail, stderr.String())
	}
	if want := "swcontract: wrote the report to " + out + "\n"; stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want nothing and %q", stdout.String(), stderr.String(), want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}
