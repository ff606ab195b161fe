package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/specdiff"
)

func TestRunDiff(t *testing.T) {
	t.Parallel()
	pinned := filepath.Join("..", "..", "retrieve-a-call.openapi.yaml")
	spec, err := os.ReadFile(pinned)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edited := strings.Replace(string(spec), "        - inbound\n        - outbound\n", "        - inbound\n        - outbound\n        - outbound-api\n", 1)
	if edited == string(spec) {
		t.Fatal("the edit did not apply")
	}
	widened := write("widened.yaml", edited)
	empty := write("empty.yaml", "")
	notYAML := write("not-yaml.yaml", "openapi: 3.1.0\npaths: [\n  - {\n")
	notOpenAPI := write("not-openapi.yaml", "hello: world\n")
	missing := filepath.Join(dir, "nope.yaml")
	tests := []struct {
		name   string
		args   []string
		code   int
		out    string
		stderr string
	}{
		{"identical", []string{"diff", pinned, pinned}, 0, "no changes", ""},
		{"enum value added is breaking", []string{"diff", pinned, widened}, 1, "outbound-api", ""},
		{"json", []string{"diff", "--format", "json", pinned, widened}, 1, `"breaking": true`, ""},
		{"json names the rule", []string{"diff", "--format", "json", pinned, widened}, 1, `"rule": "response-property-enum-value-added"`, ""},
		{"html, breaking first", []string{"diff", "--format", "html", pinned, widened}, 1, `<span class="verdict breaking" id="verdict">BREAKING</span>`, ""},
		{"markdown", []string{"diff", "--format", "markdown", pinned, widened}, 1, "| **breaking** | `enum-value-added` | `200 /direction` |", ""},
		{"markdown without changes", []string{"diff", "--format", "markdown", pinned, pinned}, 0, "No changes to the Retrieve a Call response.", ""},
		{"unknown format", []string{"diff", "--format", "xml", pinned, pinned}, 2, "", "unknown format"},
		{"one path", []string{"diff", pinned}, 2, "", "want OLD and NEW"},
		{"missing file", []string{"diff", pinned, missing}, 2, "", missing + " does not exist"},
		{"empty file", []string{"diff", empty, pinned}, 2, "", empty + " is empty"},
		{"not YAML", []string{"diff", pinned, notYAML}, 2, "", notYAML + " is not valid YAML or JSON (line 3, column 3: "},
		{"YAML that is not OpenAPI", []string{"diff", notOpenAPI, pinned}, 2, "", notOpenAPI + " is not an OpenAPI document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, nil, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.out)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.stderr)
			}
			if tt.code == 2 && stdout.Len() > 0 {
				t.Errorf("wrote a report on error: %s", stdout.String())
			}
		})
	}
}

// TestRunDiffURL fetches either side from a loopback https server, with
// the limits of a file.
func TestRunDiffURL(t *testing.T) {
	t.Parallel()
	pinned := filepath.Join("..", "..", "retrieve-a-call.openapi.yaml")
	spec, err := os.ReadFile(pinned)
	if err != nil {
		t.Fatal(err)
	}
	widened := strings.Replace(string(spec), "        - inbound\n        - outbound\n", "        - inbound\n        - outbound\n        - outbound-api\n", 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/pinned.yaml", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(spec) })
	mux.HandleFunc("/widened.yaml", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, widened) })
	mux.HandleFunc("/gone.yaml", http.NotFound)
	mux.HandleFunc("/huge.yaml", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "openapi: 3.1.0\n#")
		_, _ = w.Write(bytes.Repeat([]byte("x"), specdiff.MaxSpecSize))
	})
	mux.Handle("/to-http.yaml", http.RedirectHandler("http://127.0.0.1:1/pinned.yaml", http.StatusFound))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	base := srv.URL
	withCreds := strings.Replace(base, "https://", "https://user:s3cret@", 1)
	tests := []struct {
		name   string
		args   []string
		code   int
		out    string
		stderr string
	}{
		{"URL against file", []string{pinned, base + "/widened.yaml"}, 1, "outbound-api", ""},
		{"file against URL", []string{base + "/pinned.yaml", pinned}, 0, "no changes", ""},
		{"404", []string{pinned, base + "/gone.yaml"}, 2, "", base + "/gone.yaml answered HTTP 404"},
		{"too large", []string{pinned, base + "/huge.yaml"}, 2, "", "is larger than 8388608 bytes"},
		{"redirect off https", []string{pinned, base + "/to-http.yaml"}, 2, "", "a redirect leaves https"},
		{"plain http", []string{pinned, "http://127.0.0.1:1/x.yaml"}, 2, "", "only https:// URLs are fetched"},
		{"credentials", []string{pinned, withCreds + "/pinned.yaml"}, 2, "", "must not carry credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := runDiffWith(srv.Client(), tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tt.out, tt.stderr)
			}
			if strings.Contains(stderr.String(), "s3cret") {
				t.Errorf("stderr echoes the URL's password: %s", stderr.String())
			}
		})
	}
}
