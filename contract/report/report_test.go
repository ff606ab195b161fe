package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/report"
)

const reportURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

func finding(rule string, sev contract.Severity, pointer, expected, actual, message string) contract.Finding {
	return contract.Finding{Rule: rule, Severity: sev, Pointer: pointer, Expected: expected, Actual: actual,
		Message: message, Fingerprint: contract.Fingerprint(rule, pointer, expected)}
}

// sampleReport holds a clean result, a non-conformant one, and a conformant
// HAR result with warnings and an info finding whose values need escaping.
// The messages are shaped like the contract's own.
func sampleReport(failOn contract.Severity) *report.Report {
	r := &report.Report{
		Spec:   contract.SpecInfo{Name: "retrieve-a-call.openapi.yaml", SHA256: "37c2002c9335aa9d1e0f3a7bd5b6c5d0e2f1a4b3c6d7e8f9a0b1c2d3e4f5a6b7"},
		FailOn: failOn,
	}
	ex := contract.Exchange{Method: "GET", URL: reportURL, Status: 200, Header: http.Header{}}
	r.Add("rec/a.json", ex, contract.Result{Operation: "retrieveCall", Conformant: true})
	r.Add("rec/b.json", ex, contract.Result{Operation: "retrieveCall", Findings: []contract.Finding{
		finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound", `"outbound-api"`,
			`/direction: expected one of inbound, outbound, got "outbound-api"`),
		finding(contract.RuleBodyEmpty, contract.SeverityError, "", "a JSON body", "empty", "status 200 declares a JSON body but the body is empty"),
	}})
	r.Add("rec/c,d:e.har", contract.Exchange{Method: "GET", URL: reportURL, Status: 404}, contract.Result{
		Operation: "retrieveCall", Conformant: true, Findings: []contract.Finding{
			finding(contract.RuleTimeOrder, contract.SeverityWarning, "/duration", "end_time - start_time within 2 s", "off by 60 s",
				"/duration is 342 s but end_time - start_time is 282 s"),
			finding(contract.RuleErrorStatus, contract.SeverityWarning, "/status", "404", "400", "body status 400 differs\nfrom 100%"),
			finding(contract.RuleUndeclared, contract.SeverityInfo, "/x", "declared property", "present", ""),
		}})
	r.Skipped = 2
	return r
}

func TestReportWriteText(t *testing.T) {
	t.Parallel()
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	tests := []struct {
		name   string
		failOn contract.Severity
		want   string
	}{
		{name: "fail on error", failOn: "", want: `FAIL nonconformant: rec/b.json, call ` + sid + `, HTTP 200
  error  schema.enum  /direction: expected one of inbound, outbound, got "outbound-api"
  error  body.empty   status 200 declares a JSON body but the body is empty
PASS conformant: rec/c,d:e.har, call ` + sid + `, HTTP 404
  warning  semantic.time-order    /duration is 342 s but end_time - start_time is 282 s
  warning  semantic.error-status  /status: body status 400 differs\nfrom 100%
  info     schema.undeclared      /x: expected declared property, got present
checked 3, conformant 2, nonconformant 1, skipped 2 (spec retrieve-a-call.openapi.yaml sha256 37c2002c9335…)
`},
		{name: "fail on warning", failOn: contract.SeverityWarning, want: `FAIL nonconformant: rec/b.json, call ` + sid + `, HTTP 200
  error  schema.enum  /direction: expected one of inbound, outbound, got "outbound-api"
  error  body.empty   status 200 declares a JSON body but the body is empty
FAIL conformant: rec/c,d:e.har, call ` + sid + `, HTTP 404
  warning  semantic.time-order    /duration is 342 s but end_time - start_time is 282 s
  warning  semantic.error-status  /status: body status 400 differs\nfrom 100%
  info     schema.undeclared      /x: expected declared property, got present
checked 3, conformant 2, nonconformant 1, skipped 2 (spec retrieve-a-call.openapi.yaml sha256 37c2002c9335…)
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := sampleReport(tt.failOn).WriteText(&b); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteText mismatch (-want +got):\n%s", diff)
			}
			for line := range strings.Lines(b.String()) {
				if len(line) > 120 {
					t.Errorf("line of %d characters: %q", len(line), line)
				}
			}
		})
	}
}

func TestReportWriteTextUnusable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		report func() *report.Report
		want   string
	}{
		{name: "nothing at all", report: func() *report.Report { return &report.Report{} },
			want: "UNUSABLE: nothing checked\nchecked 0, conformant 0, nonconformant 0, skipped 0 (spec  sha256 )\n"},
		{name: "a HAR without calls beside a result", report: func() *report.Report {
			r := sampleReport("")
			r.Results, r.Checked, r.Conformant, r.Nonconformant = r.Results[:1], 1, 1, 0
			r.AddUnusable("x.har", "12 entries, none is GET …/Accounts/{uuid}/Calls/{uuid}; nothing checked")
			return r
		}, want: "UNUSABLE: x.har: 12 entries, none is GET …/Accounts/{uuid}/Calls/{uuid}; nothing checked\n" +
			"checked 1, conformant 1, nonconformant 0, skipped 2, unusable 1 (spec retrieve-a-call.openapi.yaml sha256 37c2002c9335…)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := tt.report().WriteText(&b); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteText mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileResultTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, url, want string
	}{
		{"GET", reportURL, "call c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},
		{"GET", reportURL + "?x=1", "call c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},
		{"POST", reportURL, "POST call c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},
		{"GET", "https://example.signalwire.com/api/laml/2010-04-01/Accounts/x/Calls", "GET /api/laml/2010-04-01/Accounts/x/Calls"},
		{"GET", "https://example.signalwire.com/" + strings.Repeat("a", 100), "GET /" + strings.Repeat("a", 59) + "…"},
		{"GET", "https://example.signalwire.com/Calls/" + strings.Repeat("b", 50), "call " + strings.Repeat("b", 40) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := (report.FileResult{Method: tt.method, URL: tt.url}).Target(); got != tt.want {
				t.Errorf("Target() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    contract.Finding
		want string
	}{
		{name: "message names the pointer", f: finding(contract.RuleTimeOrder, contract.SeverityWarning, "/duration", "end_time - start_time within 2 s",
			"off by 60 s", "/duration is 342 s but end_time - start_time is 282 s"), want: "/duration is 342 s but end_time - start_time is 282 s"},
		{name: "date format", f: finding(contract.RuleDateFormat, contract.SeverityWarning, "/date_updated", "RFC 2822 date-time", "unparseable",
			`/date_updated: "2026-03-02T14:07:41Z" is not an RFC 2822 date-time`), want: `/date_updated: "2026-03-02T14:07:41Z" is not an RFC 2822 date-time`},
		{name: "message without the pointer", f: finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound", "x",
			"not one of inbound, outbound"), want: "/direction: not one of inbound, outbound"},
		{name: "pointer outside the body", f: finding(contract.RuleContentType, contract.SeverityError, "header:Content-Type", "application/json", "text/html",
			"Content-Type text/html is not documented for status 200"), want: "Content-Type text/html is not documented for status 200"},
		{name: "no message", f: finding(contract.RuleUndeclared, contract.SeverityInfo, "/x", "declared property", "present", ""),
			want: "/x: expected declared property, got present"},
		{name: "no message at the root", f: finding(contract.RuleBodyEmpty, contract.SeverityError, "", "a JSON body", "", ""),
			want: "(body): expected a JSON body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := report.Sentence(tt.f); got != tt.want {
				t.Errorf("Sentence = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReportWriteTextEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	var r report.Report
	r.Add("x.json", contract.Exchange{Method: "GET", URL: reportURL, Status: 200}, contract.Result{Findings: []contract.Finding{
		finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound", "in\nbound\x1b[31m", ""),
	}})
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatalf("WriteText: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("WriteText wrote %d lines, want 3:\n%s", len(lines), b.String())
	}
	if want := `  error  schema.enum  /direction: expected one of inbound, outbound, got in\nbound\x1b[31m`; lines[1] != want {
		t.Errorf("finding line = %q, want %q", lines[1], want)
	}
}

func TestReportWriteJSON(t *testing.T) {
	t.Parallel()
	r := &report.Report{Spec: contract.SpecInfo{Name: "retrieve-a-call.openapi.yaml", SHA256: "37c2"}}
	r.Add("rec/b.json", contract.Exchange{Method: "GET", URL: reportURL, Status: 200}, contract.Result{
		Operation: "retrieveCall",
		Findings: []contract.Finding{finding(contract.RuleEnum, contract.SeverityError, "/direction",
			"one of inbound, outbound", `"outbound-api"`, "direction is not one of inbound, outbound")},
	})
	r.Add("rec/a.json", contract.Exchange{Method: "GET", URL: reportURL, Status: 200}, contract.Result{Operation: "retrieveCall", Conformant: true})
	r.Skipped = 1
	want := `{
  "spec": {
    "name": "retrieve-a-call.openapi.yaml",
    "sha256": "37c2"
  },
  "results": [
    {
      "source": "rec/b.json",
      "method": "GET",
      "url": "` + reportURL + `",
      "status": 200,
      "operation": "retrieveCall",
      "conformant": false,
      "findings": [
        {
          "rule": "schema.enum",
          "severity": "error",
          "pointer": "/direction",
          "expected": "one of inbound, outbound",
          "actual": "\"outbound-api\"",
          "message": "direction is not one of inbound, outbound",
          "fingerprint": "` + contract.Fingerprint(contract.RuleEnum, "/direction", "one of inbound, outbound") + `"
        }
      ]
    },
    {
      "source": "rec/a.json",
      "method": "GET",
      "url": "` + reportURL + `",
      "status": 200,
      "operation": "retrieveCall",
      "conformant": true,
      "findings": []
    }
  ],
  "unusable": [],
  "warnings": [],
  "aggregated": [],
  "other_findings": 0,
  "unlisted": 0,
  "checked": 2,
  "conformant": 1,
  "nonconformant": 1,
  "skipped": 1
}
`
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteJSON mismatch (-want +got):\n%s", diff)
	}
}

func TestReportWriteJSONEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := new(report.Report).WriteJSON(&b); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if diff := cmp.Diff([]any{}, got["results"]); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
}

func TestReportWriteJUnit(t *testing.T) {
	t.Parallel()
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	// junit is the document both cases expect: they differ in the failure count
	// and in how the warnings of the third entry are reported.
	junit := func(failures, third string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="swcontract" tests="3" failures="` + failures + `" errors="0" skipped="2">
  <testsuite name="swcontract" tests="3" failures="` + failures + `" errors="0" skipped="2">
    <properties>
      <property name="spec" value="retrieve-a-call.openapi.yaml"></property>
      <property name="spec.sha256" value="37c2002c9335aa9d1e0f3a7bd5b6c5d0e2f1a4b3c6d7e8f9a0b1c2d3e4f5a6b7"></property>
      <property name="checked" value="3"></property>
      <property name="conformant" value="2"></property>
      <property name="nonconformant" value="1"></property>
      <property name="skipped" value="2"></property>
      <property name="unusable" value="0"></property>
      <property name="unlisted" value="0"></property>
    </properties>
    <testcase classname="rec/a.json" name="call ` + sid + `, HTTP 200"></testcase>
    <testcase classname="rec/b.json" name="call ` + sid + `, HTTP 200">
      <failure message="/direction: expected one of inbound, outbound, got &#34;outbound-api&#34;" type="schema.enum">error schema.enum /direction: expected one of inbound, outbound, got &#34;outbound-api&#34;&#xA;error body.empty status 200 declares a JSON body but the body is empty&#xA;</failure>
    </testcase>
    <testcase classname="rec/c,d:e.har" name="call ` + sid + `, HTTP 404">
` + third + `    </testcase>
  </testsuite>
</testsuites>
`
	}
	tests := []struct {
		name   string
		failOn contract.Severity
		want   string
	}{
		{name: "fail on error", failOn: contract.SeverityError, want: junit("1", `      <system-out>warning semantic.time-order /duration is 342 s but end_time - start_time is 282 s&#xA;warning semantic.error-status /status: body status 400 differs\nfrom 100%&#xA;info schema.undeclared /x: expected declared property, got present&#xA;</system-out>
`)},
		{name: "fail on warning", failOn: contract.SeverityWarning, want: junit("2", `      <failure message="/duration is 342 s but end_time - start_time is 282 s" type="semantic.time-order">warning semantic.time-order /duration is 342 s but end_time - start_time is 282 s&#xA;warning semantic.error-status /status: body status 400 differs\nfrom 100%&#xA;</failure>
      <system-out>info schema.undeclared /x: expected declared property, got present&#xA;</system-out>
`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := sampleReport(tt.failOn).WriteJUnit(&b); err != nil {
				t.Fatalf("WriteJUnit: %v", err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteJUnit mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// junitDoc is what a CI test view reads from JUnit XML.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestReportWriteJUnitWellFormed(t *testing.T) {
	t.Parallel()
	r := sampleReport(contract.SeverityError)
	// Values from a response may hold markup and characters XML cannot carry.
	r.Add("rec/<&>.json", contract.Exchange{Method: "GET", URL: "https://example.signalwire.com/Calls/<b>&c", Status: 200}, contract.Result{
		Findings: []contract.Finding{finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound",
			"]]></failure><x a=\"\x00\x1b\">", "")},
	})
	var b bytes.Buffer
	if err := r.WriteJUnit(&b); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("output is not well-formed XML: %v\n%s", err, b.String())
	}
	if doc.Tests != 4 || doc.Failures != 2 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("decoded tests=%d failures=%d suites=%d, want 4, 2, 1 suite of 4 cases", doc.Tests, doc.Failures, len(doc.Suites))
	}
	last := doc.Suites[0].Cases[3]
	if last.Classname != "rec/<&>.json" || last.Name != "call <b>&c, HTTP 200" {
		t.Errorf("last testcase = %q %q", last.Classname, last.Name)
	}
	if last.Failure == nil || last.Failure.Type != contract.RuleEnum ||
		!strings.Contains(last.Failure.Message, "]]></failure><x a=\"\uFFFD\uFFFD\">") {
		t.Errorf("last failure = %+v", last.Failure)
	}
}

func TestReportWriteJUnitUnusable(t *testing.T) {
	t.Parallel()
	withHAR := sampleReport(contract.SeverityError)
	withHAR.AddUnusable("x.har", "3 entries, none is GET …/Accounts/{uuid}/Calls/{uuid}; nothing checked")
	tests := []struct {
		name   string
		report *report.Report
		tests  int
		errors int
		reason string
	}{
		{name: "empty report", report: &report.Report{}, tests: 1, errors: 1, reason: report.NothingChecked},
		{name: "unusable HAR", report: withHAR, tests: 4, errors: 1, reason: "3 entries, none is GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.report.WriteJUnit(&b); err != nil {
				t.Fatalf("WriteJUnit: %v", err)
			}
			var doc struct {
				Tests  int `xml:"tests,attr"`
				Errors int `xml:"errors,attr"`
				Cases  []struct {
					Error *struct {
						Message string `xml:"message,attr"`
					} `xml:"error"`
				} `xml:"testsuite>testcase"`
			}
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("not XML: %v\n%s", err, b.String())
			}
			if doc.Tests != tt.tests || doc.Errors != tt.errors {
				t.Errorf("tests=%d errors=%d, want %d %d:\n%s", doc.Tests, doc.Errors, tt.tests, tt.errors, b.String())
			}
			if n := len(doc.Cases); n == 0 || doc.Cases[n-1].Error == nil || !strings.Contains(doc.Cases[n-1].Error.Message, tt.reason) {
				t.Errorf("last testcase has no error naming %q:\n%s", tt.reason, b.String())
			}
		})
	}
}

func TestReportWriteGitHubUnusable(t *testing.T) {
	t.Parallel()
	r := &report.Report{}
	r.AddUnusable("a,b.har", "no entries; nothing checked")
	var b strings.Builder
	if err := r.WriteGitHub(&b); err != nil {
		t.Fatalf("WriteGitHub: %v", err)
	}
	want := "::error file=a%2Cb.har,title=unusable input::no entries; nothing checked\n" +
		"checked 0, conformant 0, nonconformant 0, skipped 0, unusable 1 (spec  sha256 )\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteGitHub mismatch (-want +got):\n%s", diff)
	}
	b.Reset()
	if err := new(report.Report).WriteGitHub(&b); err != nil {
		t.Fatalf("WriteGitHub: %v", err)
	}
	if !strings.HasPrefix(b.String(), "::error title=unusable input::nothing checked\n") {
		t.Errorf("empty report: %q, want an ::error", b.String())
	}
}

func TestReportWriteJSONKeepsMarkup(t *testing.T) {
	t.Parallel()
	var r report.Report
	r.Add("<a>.json", contract.Exchange{Method: "GET", URL: reportURL, Status: 200}, contract.Result{Findings: []contract.Finding{
		finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound", "<b>&", `/direction: got "<b>&"`),
	}})
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if strings.Contains(b.String(), `\u003c`) || !strings.Contains(b.String(), `"message": "/direction: got \"<b>&\""`) {
		t.Errorf("WriteJSON escapes markup:\n%s", b.String())
	}
}

func TestReportWriteGitHub(t *testing.T) {
	t.Parallel()
	want := `::error file=rec/b.json,title=schema.enum::/direction: expected one of inbound, outbound, got "outbound-api"
::error file=rec/b.json,title=body.empty::status 200 declares a JSON body but the body is empty
::warning file=rec/c%2Cd%3Ae.har,title=semantic.time-order::/duration is 342 s but end_time - start_time is 282 s
::warning file=rec/c%2Cd%3Ae.har,title=semantic.error-status::/status: body status 400 differs%0Afrom 100%25
::notice file=rec/c%2Cd%3Ae.har,title=schema.undeclared::/x: expected declared property, got present
checked 3, conformant 2, nonconformant 1, skipped 2 (spec retrieve-a-call.openapi.yaml sha256 37c2002c9335…)
`
	var b strings.Builder
	if err := sampleReport(contract.SeverityError).WriteGitHub(&b); err != nil {
		t.Fatalf("WriteGitHub: %v", err)
	}
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteGitHub mismatch (-want +got):\n%s", diff)
	}
}

func TestReportWriteGitHubEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		source  string
		rule    string
		message string
		want    string
	}{
		{name: "plain", source: "a.json", rule: "schema.enum", message: "m", want: "::error file=a.json,title=schema.enum::/p: m\n"},
		{name: "percent first", source: "100%.json", rule: "r", message: "50%0A", want: "::error file=100%25.json,title=r::/p: 50%250A\n"},
		{name: "newlines", source: "a\r\nb.json", rule: "r", message: "one\r\ntwo", want: "::error file=a%0D%0Ab.json,title=r::/p: one%0D%0Atwo\n"},
		{name: "colon and comma in properties only", source: "C:\\x,y.json", rule: "a:b,c", message: "x: y, z",
			want: "::error file=C%3A\\x%2Cy.json,title=a%3Ab%2Cc::/p: x: y, z\n"},
		{name: "command in message", source: "a.json", rule: "r", message: "\n::error::forged",
			want: "::error file=a.json,title=r::/p: %0A::error::forged\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r report.Report
			r.Add(tt.source, contract.Exchange{Method: "GET", URL: reportURL, Status: 200}, contract.Result{
				Findings: []contract.Finding{{Rule: tt.rule, Severity: contract.SeverityError, Pointer: "/p", Message: tt.message}},
			})
			var b strings.Builder
			if err := r.WriteGitHub(&b); err != nil {
				t.Fatalf("WriteGitHub: %v", err)
			}
			got, _, _ := strings.Cut(b.String(), "checked ")
			if got != tt.want {
				t.Errorf("WriteGitHub = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReportFailed(t *testing.T) {
	t.Parallel()
	withFindings := func(sev ...contract.Severity) *report.Report {
		var r report.Report
		var fs []contract.Finding
		for _, s := range sev {
			fs = append(fs, contract.Finding{Rule: "r", Severity: s})
		}
		r.Add("x.json", contract.Exchange{}, contract.Result{Findings: fs})
		return &r
	}
	tests := []struct {
		name   string
		report *report.Report
		failOn contract.Severity
		want   bool
	}{
		{name: "empty report", report: &report.Report{}, failOn: contract.SeverityError, want: false},
		{name: "no findings", report: withFindings(), failOn: contract.SeverityWarning, want: false},
		{name: "error on error", report: withFindings(contract.SeverityError), failOn: contract.SeverityError, want: true},
		{name: "error on default", report: withFindings(contract.SeverityError), failOn: "", want: true},
		{name: "warning on error", report: withFindings(contract.SeverityWarning, contract.SeverityInfo), failOn: contract.SeverityError, want: false},
		{name: "warning on default", report: withFindings(contract.SeverityWarning), failOn: "", want: false},
		{name: "warning on warning", report: withFindings(contract.SeverityWarning), failOn: contract.SeverityWarning, want: true},
		{name: "info on warning", report: withFindings(contract.SeverityInfo), failOn: contract.SeverityWarning, want: false},
		{name: "info on info", report: withFindings(contract.SeverityInfo), failOn: contract.SeverityInfo, want: true},
		{name: "unknown severity on info", report: withFindings("bogus"), failOn: contract.SeverityInfo, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.report.Failed(tt.failOn); got != tt.want {
				t.Errorf("Failed(%q) = %v, want %v", tt.failOn, got, tt.want)
			}
		})
	}
}

func TestReportAdd(t *testing.T) {
	t.Parallel()
	r := sampleReport(contract.SeverityError)
	got := []int{r.Checked, r.Conformant, r.Nonconformant, r.Skipped, len(r.Results)}
	if diff := cmp.Diff([]int{3, 2, 1, 2, 3}, got); diff != "" {
		t.Errorf("counts (checked, conformant, nonconformant, skipped, results) mismatch (-want +got):\n%s", diff)
	}
	if r.Results[0].Findings == nil {
		t.Error("a result without findings has nil Findings; JSON would show null")
	}
}

func TestReportUsable(t *testing.T) {
	t.Parallel()
	withUnusable := sampleReport("")
	withUnusable.AddUnusable("x.har", "no entries; nothing checked")
	tests := []struct {
		name   string
		report *report.Report
		want   bool
	}{
		{name: "results", report: sampleReport(""), want: true},
		{name: "nothing checked", report: &report.Report{Skipped: 3}, want: false},
		{name: "an unusable input", report: withUnusable, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.report.Usable(); got != tt.want {
				t.Errorf("Usable() = %v, want %v", got, tt.want)
			}
		})
	}
}
