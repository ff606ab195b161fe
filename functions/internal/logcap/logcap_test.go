package logcap_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/functions/internal/logcap"
)

type finding struct {
	Rule, Pointer string
}

func TestLinesAreBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("é", 1<<20)
	many := make([]finding, 20000)
	for i := range many {
		many[i] = finding{"schema.undeclared", "/n" + strings.Repeat("x", 40)}
	}
	// Attributes fixed with With are cut once, silently; a record inside a
	// group carries its markers in the group.
	quiet := map[string]bool{"fixed attributes": true, "a group and a key": true}
	tests := map[string]func(l *slog.Logger){
		"one huge string": func(l *slog.Logger) { l.Info("callback", "error", huge, "status", 403) },
		"a huge slice":    func(l *slog.Logger) { l.Warn("callback", "findings", many, "outcome", "queued") },
		"many attributes": func(l *slog.Logger) {
			args := make([]any, 0, 4000)
			for i := range 2000 {
				args = append(args, strings.Repeat("k", 10)+string(rune('a'+i%26)), strings.Repeat("v", 30))
			}
			l.Info("callback", args...)
		},
		"a huge message":    func(l *slog.Logger) { l.Error(huge) },
		"a huge group":      func(l *slog.Logger) { l.Info("m", slog.Group("g", "a", huge, "b", huge)) },
		"fixed attributes":  func(l *slog.Logger) { l.With("big", huge).Info("m", "x", 1) },
		"a group and a key": func(l *slog.Logger) { l.WithGroup("req").Info("m", strings.Repeat("k", 1<<16), 1) },
	}
	for name, write := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			write(slog.New(logcap.New(slog.NewJSONHandler(&buf, nil))))
			line := buf.String()
			if n := len(line); n > logcap.MaxLine {
				t.Fatalf("line of %d bytes", n)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("line is not JSON: %v", err)
			}
			if !quiet[name] && m["log_truncated"] != true {
				t.Errorf("log_truncated = %v", m["log_truncated"])
			}
			if _, ok := m["msg"].(string); !ok {
				t.Error("the message is gone")
			}
		})
	}
}

// TestShortLinesUnchanged: a record that fits is written as the wrapped
// handler writes it, byte for byte.
func TestShortLinesUnchanged(t *testing.T) {
	t.Parallel()
	var plain, capped bytes.Buffer
	opts := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	write := func(l *slog.Logger) {
		l.With("function", "callback").Info("callback", "status", 204, "findings", []finding{{"r", "/p"}}, "note", strings.Repeat("n", 10<<10))
	}
	write(slog.New(slog.NewJSONHandler(&plain, opts)))
	write(slog.New(logcap.New(slog.NewJSONHandler(&capped, opts))))
	if plain.String() != capped.String() {
		t.Errorf("changed:\n%s\n%s", plain.String(), capped.String())
	}
}

// TestSmallLimit: under a small limit, values are cut first, then the
// largest attributes dropped and named; small ones stay.
func TestSmallLimit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := logcap.NewWithLimit(slog.NewJSONHandler(&buf, nil), 3000)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: strings.Repeat("r", 36)})
	slog.New(h).InfoContext(ctx, "m", "a", strings.Repeat("x", 5000), "c", []string{strings.Repeat("y", 2000)}, "b", "small")
	got := buf.String()
	if len(got) > 3000 || !strings.Contains(got, `"b":"small"`) || !strings.Contains(got, `"log_dropped":"c"`) || !strings.Contains(got, `"a":"xxx`) {
		t.Errorf("line %d bytes: %.300s", len(got), got)
	}
}
