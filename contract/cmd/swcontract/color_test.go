package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/internal/ptytest"
)

// runOnTerminal runs args with standard output on a pseudo-terminal and
// returns the exit code and what the terminal showed.
func runOnTerminal(t *testing.T, args ...string) (int, string) {
	t.Helper()
	master, tty := ptytest.Open(t)
	var shown bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&shown, master)
	}()
	var stderr bytes.Buffer
	code := run(args, nil, tty, &stderr)
	tty.Close()
	<-done
	return code, shown.String()
}

// TestColorOnTerminal: check and diff colour their text on a terminal,
// and not with NO_COLOR set, with --out, or in another format. It sets
// NO_COLOR, so it does not run in parallel.
func TestColorOnTerminal(t *testing.T) {
	dir := fixtures(t)
	drift := filepath.Join(dir, "drift.json")
	pinned := filepath.Join("..", "..", "retrieve-a-call.openapi.yaml")
	const red = "\x1b[31m"
	tests := []struct {
		name    string
		noColor string
		args    []string
		code    int
		color   bool
	}{
		{"check", "", []string{"check", drift}, 1, true},
		{"check, NO_COLOR", "1", []string{"check", drift}, 1, false},
		{"check, markdown", "", []string{"check", "--format", "markdown", drift}, 1, false},
		{"check, json", "", []string{"check", "--format", "json", drift}, 1, false},
		{"diff", "", []string{"diff", pinned, pinned}, 0, true},
		{"diff, NO_COLOR", "1", []string{"diff", pinned, pinned}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			t.Setenv("TERM", "xterm")
			code, shown := runOnTerminal(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, shown)
			}
			if got := strings.Contains(shown, "\x1b["); got != tt.color {
				t.Errorf("coloured = %v, want %v:\n%q", got, tt.color, shown)
			}
			if tt.color && tt.args[0] == "check" && !strings.Contains(shown, red+"FAIL nonconformant") {
				t.Errorf("the verdict is not red:\n%q", shown)
			}
		})
	}
	t.Run("check --out", func(t *testing.T) {
		t.Setenv("NO_COLOR", "")
		out := filepath.Join(t.TempDir(), "report.txt")
		if code, _ := runOnTerminal(t, "check", "--out", out, drift); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("\x1b")) {
			t.Errorf("the report file holds colour escapes:\n%q", b)
		}
	})
}
