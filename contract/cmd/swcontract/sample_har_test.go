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
				"FAIL nonconformant: " + path + ", call " + drifted + ", HTTP 200",
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
