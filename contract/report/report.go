package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/callwire/callwire/contract"
)

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
	// FailOn is the lowest severity that fails an exchange in the JUnit and
	// text output; empty means SeverityError.
	FailOn contract.Severity `json:"-"`
}

// FileResult is the outcome of checking one exchange read from Source.
type FileResult struct {
	// Source is the file the exchange came from; a HAR file can be the
	// source of several results.
	Source     string             `json:"source"`
	Method     string             `json:"method"`
	URL        string             `json:"url"`
	Status     int                `json:"status"`
	Operation  string             `json:"operation"`
	Conformant bool               `json:"conformant"`
	Findings   []contract.Finding `json:"findings"`
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

// Failed reports whether any result has a finding at or above failOn; an
// empty failOn means SeverityError.
func (r *Report) Failed(failOn contract.Severity) bool {
	for _, fr := range r.Results {
		if fr.Fails(failOn) {
			return true
		}
	}
	return false
}

// Summary is the one-line tally that ends the text output, e.g.
// "checked 3, conformant 2, non-conformant 1, skipped 0 (spec retrieve-a-call.openapi.yaml sha256 0123456789ab…)".
func (r *Report) Summary() string {
	sum := r.Spec.SHA256
	if len(sum) > 12 {
		sum = sum[:12] + "…"
	}
	return fmt.Sprintf("checked %d, conformant %d, non-conformant %d, skipped %d (spec %s sha256 %s)",
		r.Checked, r.Conformant, r.Nonconformant, r.Skipped, r.Spec.Name, sum)
}

// WriteText writes the results that have findings, grouped by source, one
// line per finding, and ends with Summary. Results without findings are left
// out, so the output stays short on large runs.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, fr := range r.Results {
		if len(fr.Findings) == 0 {
			continue
		}
		verdict := "conformant"
		if !fr.Conformant {
			verdict = "non-conformant"
		}
		if fr.Fails(r.FailOn) {
			verdict += ", fails"
		}
		fmt.Fprintf(tw, "%s: %s %s %d: %s\n", oneLine(fr.Source), fr.Method, oneLine(fr.URL), fr.Status, verdict)
		for _, f := range fr.Findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Severity, f.Rule, oneLine(showPointer(f.Pointer)), oneLine(detail(f)))
		}
	}
	fmt.Fprintln(tw, r.Summary())
	return tw.Flush()
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	out := *r
	if out.Results == nil {
		out.Results = []FileResult{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one testsuite "swcontract", one
// testcase per checked exchange. A testcase fails when it has a finding at or
// above r.FailOn; the failure's message and type come from the first such
// finding and its text lists them all. Findings below r.FailOn go to
// system-out. The skipped attribute counts skipped HAR entries, which have no
// testcase.
func (r *Report) WriteJUnit(w io.Writer) error {
	minRank := failRank(r.FailOn)
	suite := junitSuite{
		Name:    "swcontract",
		Tests:   len(r.Results),
		Skipped: r.Skipped,
		Properties: []junitProperty{
			{Name: "spec", Value: r.Spec.Name},
			{Name: "spec.sha256", Value: r.Spec.SHA256},
		},
		Cases: make([]junitCase, 0, len(r.Results)),
	}
	for _, fr := range r.Results {
		tc := junitCase{
			Classname: fr.Source,
			Name:      fmt.Sprintf("%s %s %d", fr.Method, fr.URL, fr.Status),
		}
		var failing, other strings.Builder
		var first *contract.Finding
		for i, f := range fr.Findings {
			line := findingLine(f)
			if f.Severity.Rank() >= minRank {
				if first == nil {
					first = &fr.Findings[i]
				}
				failing.WriteString(line)
			} else {
				other.WriteString(line)
			}
		}
		if first != nil {
			suite.Failures++
			tc.Failure = &junitFailure{
				Message: showPointer(first.Pointer) + " " + detail(*first),
				Type:    first.Rule,
				Text:    failing.String(),
			}
		}
		tc.SystemOut = other.String()
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{
		Name:     "swcontract",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Skipped:  suite.Skipped,
		Suites:   []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteGitHub writes one GitHub Actions workflow command per finding
// (::error, ::warning or ::notice, by severity) with the source as file and
// the rule as title, then Summary as a plain log line.
func (r *Report) WriteGitHub(w io.Writer) error {
	var b strings.Builder
	for _, fr := range r.Results {
		for _, f := range fr.Findings {
			cmd := "notice"
			switch f.Severity {
			case contract.SeverityError:
				cmd = "error"
			case contract.SeverityWarning:
				cmd = "warning"
			}
			msg := f.Message
			if msg == "" {
				msg = detail(f)
			}
			fmt.Fprintf(&b, "::%s file=%s,title=%s::%s %s\n", cmd,
				ghProperty(fr.Source), ghProperty(f.Rule), ghData(showPointer(f.Pointer)), ghData(msg))
		}
	}
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes the message of a workflow command.
var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// ghProperty escapes a property value of a workflow command.
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace

// detail says what a finding expected and got, or falls back to its message.
func detail(f contract.Finding) string {
	switch {
	case f.Expected != "" && f.Actual != "":
		return "expected " + f.Expected + ", got " + f.Actual
	case f.Expected != "":
		return "expected " + f.Expected
	}
	return f.Message
}

// findingLine is one finding as a line of JUnit failure or system-out text.
func findingLine(f contract.Finding) string {
	return fmt.Sprintf("%s %s %s %s\n", f.Severity, f.Rule, showPointer(f.Pointer), detail(f))
}

// showPointer shows the root pointer "" as "(body)", so no column is empty.
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
