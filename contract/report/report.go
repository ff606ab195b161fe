// Package report collects the results of checking exchanges against the
// contract and writes them as text for people, JSON for tools, JUnit XML for
// CI test views and GitHub Actions annotations.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
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
	// Unusable lists the inputs that gave nothing to check, in the order
	// added: a HAR file without a "Retrieve a Call" entry, a directory
	// without recordings, empty standard input.
	Unusable []Unusable `json:"unusable"`
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

// Unusable is an input that could not be used, and why.
type Unusable struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
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

// unusable returns r.Unusable, or NothingChecked when r holds neither a
// result nor an unusable input, so that no writer shows an empty run as a pass.
func (r *Report) unusable() []Unusable {
	if len(r.Unusable) == 0 && r.Checked == 0 {
		return []Unusable{{Reason: NothingChecked}}
	}
	return r.Unusable
}

// Summary is the one-line tally that ends the text output, e.g.
// "checked 3, conformant 2, nonconformant 1, skipped 0 (spec retrieve-a-call.openapi.yaml sha256 0123456789ab…)".
// It adds "unusable N" when some input could not be used.
func (r *Report) Summary() string {
	sum := r.Spec.SHA256
	if len(sum) > 12 {
		sum = sum[:12] + "…"
	}
	unusable := ""
	if n := len(r.Unusable); n > 0 {
		unusable = fmt.Sprintf(", unusable %d", n)
	}
	return fmt.Sprintf("checked %d, conformant %d, nonconformant %d, skipped %d%s (spec %s sha256 %s)",
		r.Checked, r.Conformant, r.Nonconformant, r.Skipped, unusable, r.Spec.Name, sum)
}

// verdict is the word that opens a result's header line in the text output.
func (r *Report) verdict(fr FileResult) string {
	v := "PASS"
	if fr.Fails(r.FailOn) {
		v = "FAIL"
	}
	if fr.Conformant {
		return v + " conformant"
	}
	return v + " nonconformant"
}

// WriteText writes the results that have findings, one header line each
// (verdict, source, call and HTTP status) followed by one line per finding
// (severity, rule and the finding's sentence), then the unusable inputs, and
// ends with Summary. Results without findings are left out, so the output
// stays short on large runs.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, fr := range r.Results {
		if len(fr.Findings) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s: %s\n", r.verdict(fr), oneLine(describe(fr)))
		for _, f := range fr.Findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Severity, oneLine(f.Rule), oneLine(Sentence(f)))
		}
	}
	for _, u := range r.unusable() {
		if u.Source == "" {
			fmt.Fprintf(tw, "UNUSABLE: %s\n", oneLine(u.Reason))
			continue
		}
		fmt.Fprintf(tw, "UNUSABLE: %s: %s\n", oneLine(u.Source), oneLine(u.Reason))
	}
	fmt.Fprintln(tw, r.Summary())
	return tw.Flush()
}

// describe is a result's source, target and HTTP status, e.g.
// "rec/a.json, call c0c0ca11-…, HTTP 200". The target is left out when it
// only repeats the source (swcontract live names results by Call SID).
func describe(fr FileResult) string {
	target := fr.Target()
	if target == "call "+fr.Source || target == "" {
		return fmt.Sprintf("%s, HTTP %d", fr.Source, fr.Status)
	}
	return fmt.Sprintf("%s, %s, HTTP %d", fr.Source, target, fr.Status)
}

// WriteJSON writes the report as one indented JSON document. Characters
// such as < and > are written as they are, not as \u003c escapes.
func (r *Report) WriteJSON(w io.Writer) error {
	out := *r
	if out.Results == nil {
		out.Results = []FileResult{}
	}
	if out.Unusable == nil {
		out.Unusable = []Unusable{}
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
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
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
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one testsuite "swcontract", one
// testcase per checked exchange, named by its target and HTTP status. A
// testcase fails when it has a finding at or above r.FailOn; the failure's
// message and type come from the first such finding and its text lists them
// all. Findings below r.FailOn go to system-out. Each unusable input is a
// testcase with an error, and so is a report that checked nothing, so an
// empty run never shows as passed. The skipped attribute counts skipped HAR
// entries, which have no testcase. The properties carry the spec and the
// counts of Summary.
func (r *Report) WriteJUnit(w io.Writer) error {
	minRank := failRank(r.FailOn)
	unusable := r.unusable()
	suite := junitSuite{
		Name:    "swcontract",
		Tests:   len(r.Results) + len(unusable),
		Errors:  len(unusable),
		Skipped: r.Skipped,
		Properties: []junitProperty{
			{Name: "spec", Value: r.Spec.Name},
			{Name: "spec.sha256", Value: r.Spec.SHA256},
			{Name: "checked", Value: strconv.Itoa(r.Checked)},
			{Name: "conformant", Value: strconv.Itoa(r.Conformant)},
			{Name: "nonconformant", Value: strconv.Itoa(r.Nonconformant)},
			{Name: "skipped", Value: strconv.Itoa(r.Skipped)},
			{Name: "unusable", Value: strconv.Itoa(len(r.Unusable))},
		},
		Cases: make([]junitCase, 0, len(r.Results)+len(unusable)),
	}
	for _, fr := range r.Results {
		tc := junitCase{
			Classname: fr.Source,
			Name:      fmt.Sprintf("%s, HTTP %d", fr.Target(), fr.Status),
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
				Message: Sentence(*first),
				Type:    first.Rule,
				Text:    failing.String(),
			}
		}
		tc.SystemOut = other.String()
		suite.Cases = append(suite.Cases, tc)
	}
	for _, u := range unusable {
		suite.Cases = append(suite.Cases, junitCase{
			Classname: u.Source,
			Name:      "unusable input",
			Error:     &junitFailure{Message: u.Reason, Type: "unusable"},
		})
	}
	doc := junitSuites{
		Name:     "swcontract",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
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
// (::error, ::warning or ::notice, by severity) with the source as file, the
// rule as title and the finding's sentence as message, one ::error per
// unusable input (or for a report that checked nothing), then Summary as a
// plain log line.
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
			fmt.Fprintf(&b, "::%s file=%s,title=%s::%s\n", cmd,
				ghProperty(fr.Source), ghProperty(f.Rule), ghData(Sentence(f)))
		}
	}
	for _, u := range r.unusable() {
		if u.Source == "" {
			fmt.Fprintf(&b, "::error title=unusable input::%s\n", ghData(u.Reason))
			continue
		}
		fmt.Fprintf(&b, "::error file=%s,title=unusable input::%s\n", ghProperty(u.Source), ghData(u.Reason))
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
