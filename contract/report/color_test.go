package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/internal/ptytest"
	"github.com/callwire/callwire/contract/report"
)

// env is a getenv backed by a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestColorFor(t *testing.T) {
	t.Parallel()
	_, tty := ptytest.Open(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	tests := []struct {
		name string
		w    any
		env  map[string]string
		want bool
	}{
		{"terminal", tty, nil, true},
		{"terminal, NO_COLOR empty", tty, map[string]string{"NO_COLOR": ""}, true},
		{"terminal, NO_COLOR set", tty, map[string]string{"NO_COLOR": "1"}, false},
		{"terminal, TERM dumb", tty, map[string]string{"TERM": "dumb"}, false},
		{"pipe", w, nil, false},
		{"buffer", &bytes.Buffer{}, nil, false},
		{"nil file", (*os.File)(nil), nil, false},
	}
	for _, tt := range tests {
		if got := report.ColorFor(tt.w, env(tt.env)); got != tt.want {
			t.Errorf("%s: ColorFor = %v, want %v", tt.name, got, tt.want)
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTextColor: with colour on, the verdicts, severities, unusable inputs
// and warnings are coloured and the columns line up as without colour;
// with it off (the default) the text holds no escape sequence.
func TestTextColor(t *testing.T) {
	t.Parallel()
	write := func(color bool) string {
		var b bytes.Buffer
		s, err := report.NewStream("text", &b, contract.SpecInfo{Name: "spec.yaml"}, contract.SeverityError)
		if err != nil {
			t.Fatal(err)
		}
		s.SetColor(color)
		s.Add(report.FileResult{Source: "a.json", URL: reportURL, Status: 200, Findings: []contract.Finding{
			finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of", "x", "/direction: got x"),
			finding(contract.RuleUndeclared, contract.SeverityInfo, "/extra", "declared property", "present", ""),
			finding(contract.RuleTimeOrder, contract.SeverityWarning, "/duration", "", "", "/duration is off"),
		}})
		s.Add(report.FileResult{Source: "b.json", URL: reportURL, Status: 200, Conformant: true, Findings: []contract.Finding{
			finding(contract.RuleUndeclared, contract.SeverityInfo, "/extra", "declared property", "present", ""),
		}})
		s.AddUnusable(report.Unusable{Source: "c.json", Reason: "not JSON"})
		s.AddWarning(report.Warning{Source: "d.har", Message: "credentials"})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	plain, colored := write(false), write(true)
	if strings.Contains(plain, "\x1b") {
		t.Errorf("colour off, but the text holds escapes:\n%q", plain)
	}
	for _, want := range []string{"\x1b[31mFAIL nonconformant\x1b[0m", "\x1b[32mPASS conformant\x1b[0m", "  \x1b[31merror\x1b[0m",
		"  \x1b[33mwarning\x1b[0m", "  \x1b[36minfo\x1b[0m", "\x1b[31mUNUSABLE\x1b[0m: c.json", "\x1b[33mWARNING\x1b[0m: d.har"} {
		if !strings.Contains(colored, want) {
			t.Errorf("coloured text lacks %q:\n%q", want, colored)
		}
	}
	if got := ansi.ReplaceAllString(colored, ""); got != plain {
		t.Errorf("without its escapes the coloured text differs:\n%s\nwant\n%s", got, plain)
	}
	for _, format := range []string{"json", "junit", "github", "html", "markdown"} {
		var b bytes.Buffer
		s, _ := report.NewStream(format, &b, contract.SpecInfo{}, "")
		s.SetColor(true)
		s.Add(report.FileResult{Source: "a.json", Findings: []contract.Finding{finding(contract.RuleEnum, contract.SeverityError, "/d", "", "", "x")}})
		_ = s.Close()
		if strings.Contains(b.String(), "\x1b") {
			t.Errorf("%s holds colour escapes", format)
		}
	}
}
