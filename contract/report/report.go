// Package report collects the results of checking exchanges against the
// contract and writes them as text for people, JSON for tools, JUnit XML for
// CI test views and GitHub Actions annotations.
package report

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/callwire/callwire/contract"
)

// NothingChecked is the reason given for a report that holds neither a
// result nor an unusable input.
const NothingChecked = "nothing checked"

// Report collects the results of checking many exchanges and writes them for
// people (text), for tools (JSON), for CI test views (JUnit XML) and as
// GitHub Actions annotations.
type Report struct {
	// Spec names the document the exchanges were checked against.
	Spec contract.SpecInfo `json:"spec"`
	// Checked counts the exchanges checked; Conformant and Nonconformant split
	// it by Result.Conformant (no error finding).
	Checked       int `json:"checked"`
	Conformant    int `json:"conformant"`
	Nonconformant int `json:"nonconformant"`
	// Skipped counts HAR entries that are not "Retrieve a Call" requests.
	Skipped int `json:"skipped"`
	// Results holds one entry per checked exchange, in the order added.
	Results []FileResult `json:"results"`
	// Unusable lists the inputs that could not be used, in the order
	// added.
	Unusable []Unusable `json:"unusable"`
	// Warnings lists what is worth knowing about an input without changing
	// a verdict.
	Warnings []Warning `json:"warnings"`
	// FailOn is the lowest severity that fails an exchange in the JUnit and
	// text output; empty means SeverityError.
	FailOn contract.Severity `json:"-"`
}

// FileResult is the outcome of checking one exchange read from Source.
type FileResult struct {
	// Source is the file the exchange came from; a HAR file can be the
	// source of several results, each naming its entry.
	Source string `json:"source"`
	// Entry is the exchange's index in the HAR file's log.entries; nil for
	// a recording.
	Entry      *int               `json:"entry,omitempty"`
	Method     string             `json:"method"`
	URL        string             `json:"url"`
	Status     int                `json:"status"`
	Operation  string             `json:"operation"`
	Conformant bool               `json:"conformant"`
	Findings   []contract.Finding `json:"findings"`
}

// Unusable is an input that could not be used, and why: a file, a
// directory, standard input, or one entry of a HAR file (Entry, Method and
// URL set).
type Unusable struct {
	Source string `json:"source"`
	Entry  *int   `json:"entry,omitempty"`
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
	Reason string `json:"reason"`
}

// Name names the unusable input: its source, and for a HAR entry the
// entry's index, method and URL.
func (u Unusable) Name() string {
	if u.Entry == nil {
		return u.Source
	}
	return entryName(u.Source, *u.Entry, u.Method, u.URL)
}

// Warning is something to know about an input that does not change any
// verdict, such as credentials a HAR file holds.
type Warning struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

// entryName names a HAR entry: "x.har entry 3 (GET https://…)".
func entryName(source string, entry int, method, url string) string {
	return fmt.Sprintf("%s entry %d (%s %s)", source, entry, method, url)
}

// Fails reports whether fr has a finding at or above failOn; an empty
// failOn means SeverityError.
func (fr FileResult) Fails(failOn contract.Severity) bool {
	minRank := failRank(failOn)
	for _, f := range fr.Findings {
		if f.Severity.Rank() >= minRank {
			return true
		}
	}
	return false
}

// Target names what fr checked in a few words: "call <sid>" for a
// "Retrieve a Call" URL (with the method when it is not GET), otherwise the
// method and the URL's path, shortened. The host, the account and the query
// are left out: the source already says where the exchange came from.
func (fr FileResult) Target() string {
	method := ""
	if fr.Method != "" && fr.Method != "GET" {
		method = fr.Method + " "
	}
	path := fr.URL
	if u, err := url.Parse(fr.URL); err == nil && u.Path != "" {
		path = u.Path
	}
	if i := strings.LastIndex(path, "/Calls/"); i >= 0 {
		if sid := path[i+len("/Calls/"):]; sid != "" && !strings.Contains(sid, "/") {
			return method + "call " + contract.Truncate(sid, 40)
		}
	}
	if method == "" && fr.Method != "" {
		method = fr.Method + " "
	}
	return method + contract.Truncate(path, 60)
}

// failRank is the rank at which a finding fails; it is never below info, so
// a finding with an unknown severity does not fail.
func failRank(failOn contract.Severity) int {
	if failOn == "" {
		return contract.SeverityError.Rank()
	}
	return max(failOn.Rank(), contract.SeverityInfo.Rank())
}

// Add records the result of checking ex, read from source.
func (r *Report) Add(source string, ex contract.Exchange, res contract.Result) {
	findings := res.Findings
	if findings == nil {
		findings = []contract.Finding{}
	}
	r.Results = append(r.Results, FileResult{
		Source:     source,
		Method:     ex.Method,
		URL:        ex.URL,
		Status:     ex.Status,
		Operation:  res.Operation,
		Conformant: res.Conformant,
		Findings:   findings,
	})
	r.Checked++
	if res.Conformant {
		r.Conformant++
	} else {
		r.Nonconformant++
	}
}

// AddUnusable records an input that gave nothing to check, and why.
func (r *Report) AddUnusable(source, reason string) {
	r.Unusable = append(r.Unusable, Unusable{Source: source, Reason: reason})
}

// Write writes the report in format, one of Formats; color colours the
// text format for a terminal (see ColorFor).
func (r *Report) Write(format string, w io.Writer, color bool) error {
	s, err := NewStream(format, w, r.Spec, r.FailOn)
	if err != nil {
		return err
	}
	s.SetColor(color)
	for _, fr := range r.Results {
		s.Add(fr)
	}
	for _, u := range r.Unusable {
		s.AddUnusable(u)
	}
	for _, wn := range r.Warnings {
		s.AddWarning(wn)
	}
	s.AddSkipped(r.Skipped)
	return s.Close()
}

// Summary is the one-line tally that ends the text output; see
// Stream.Summary.
func (r *Report) Summary() string {
	t := tally{checked: r.Checked, conformant: r.Conformant, nonconformant: r.Nonconformant, skipped: r.Skipped, unusable: len(r.Unusable)}
	return t.summary(r.Spec)
}

// WriteText writes the report as text; see Stream.
func (r *Report) WriteText(w io.Writer) error { return r.Write("text", w, false) }

// WriteJSON writes the report as one indented JSON document; see Stream.
func (r *Report) WriteJSON(w io.Writer) error { return r.Write("json", w, false) }

// WriteJUnit writes the report as JUnit XML; see Stream.
func (r *Report) WriteJUnit(w io.Writer) error { return r.Write("junit", w, false) }

// WriteGitHub writes the report as GitHub Actions annotations; see Stream.
func (r *Report) WriteGitHub(w io.Writer) error { return r.Write("github", w, false) }

// Failed reports whether any result has a finding at or above failOn; an
// empty failOn means SeverityError. Unusable inputs are not failures of the
// contract; see Usable.
func (r *Report) Failed(failOn contract.Severity) bool {
	for _, fr := range r.Results {
		if fr.Fails(failOn) {
			return true
		}
	}
	return false
}

// Usable reports whether every input was used and at least one exchange was
// checked. A report that checked nothing never counts as a pass.
func (r *Report) Usable() bool {
	return len(r.Unusable) == 0 && r.Checked > 0
}

// ghData escapes the message of a workflow command.
var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// ghProperty escapes a property value of a workflow command.
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace

// Sentence says what a finding found in one sentence that names where: its
// message ("/duration is 342 s but end_time - start_time is 282 s"), with
// the pointer put in front when the message does not name it. A finding
// without a message is described by its pointer, expectation and actual
// value ("/x: expected declared property, got present").
func Sentence(f contract.Finding) string {
	if f.Message == "" {
		return showPointer(f.Pointer) + ": " + detail(f)
	}
	if strings.HasPrefix(f.Pointer, "/") && !strings.Contains(f.Message, f.Pointer) {
		return f.Pointer + ": " + f.Message
	}
	return f.Message
}

// detail says what a finding expected and got.
func detail(f contract.Finding) string {
	switch {
	case f.Expected != "" && f.Actual != "":
		return "expected " + f.Expected + ", got " + f.Actual
	case f.Expected != "":
		return "expected " + f.Expected
	case f.Actual != "":
		return "got " + f.Actual
	}
	return "no details"
}

// findingLine is one finding as a line of JUnit failure or system-out text.
func findingLine(f contract.Finding) string {
	return fmt.Sprintf("%s %s %s\n", f.Severity, oneLine(f.Rule), oneLine(Sentence(f)))
}

// showPointer shows the root pointer "" as "(body)".
func showPointer(p string) string {
	if p == "" {
		return "(body)"
	}
	return p
}

// oneLine escapes control characters (newlines, tabs, terminal escapes) that
// values taken from a response may hold, so each finding stays on one line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if unicode.IsControl(c) {
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
