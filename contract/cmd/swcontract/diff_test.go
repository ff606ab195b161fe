package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunDiff(t *testing.T) {
	t.Parallel()
	pinned := filepath.Join("..", "..", "retrieve-a-call.openapi.yaml")
	spec, err := os.ReadFile(pinned)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	widened := filepath.Join(dir, "widened.yaml")
	edited := strings.Replace(string(spec), "        - inbound\n        - outbound\n", "        - inbound\n        - outbound\n        - outbound-api\n", 1)
	if edited == string(spec) {
		t.Fatal("the edit did not apply")
	}
	if err := os.WriteFile(widened, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"identical", []string{"diff", pinned, pinned}, 0, ""},
		{"enum value added is breaking", []string{"diff", pinned, widened}, 1, "outbound-api"},
		{"json", []string{"diff", "--format", "json", pinned, widened}, 1, `"breaking": true`},
		{"one path", []string{"diff", pinned}, 2, ""},
		{"missing file", []string{"diff", pinned, filepath.Join(dir, "nope.yaml")}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.out)
			}
		})
	}
}
