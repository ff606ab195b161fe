package report

import (
	"os"

	"github.com/mattn/go-isatty"

	"github.com/callwire/callwire/contract"
)

// ColorFor reports whether text written to w should be coloured: only
// when w is a terminal, NO_COLOR is unset or empty (https://no-color.org)
// and TERM is not "dumb". getenv reads the environment.
func ColorFor(w any, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && f != nil && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// ANSI SGR sequences. Every colour is five bytes, so a coloured tabwriter
// column stays aligned when each of its cells is coloured.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiReset  = "\x1b[0m"
)

// Paint wraps s in colour when on; otherwise it returns s.
func Paint(on bool, color, s string) string {
	if !on {
		return s
	}
	return color + s + ansiReset
}

// Colors for Paint.
const (
	Red    = ansiRed
	Green  = ansiGreen
	Yellow = ansiYellow
	Cyan   = ansiCyan
)

// severityColor is the colour of a finding's severity.
func severityColor(sev contract.Severity) string {
	switch sev {
	case contract.SeverityError:
		return Red
	case contract.SeverityWarning:
		return Yellow
	}
	return Cyan
}
