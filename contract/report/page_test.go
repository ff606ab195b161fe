package report_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/report"
)

// hostile is content a recording or HAR can carry that would run, break
// out of an attribute or a table cell, or link somewhere if not escaped.
const hostile = "<script>alert(\"x\")</script>'\"><img src=x onerror=alert(1)>|`` ` [a](https://evil.example/) www.evil.example"

// hostileStream writes a report whose every exchange-borne value is
// hostile: source, URL, rule, pointer, message, unusable reason and
// warning.
func hostileStream(t *testing.T, format string, w io.Writer) {
	t.Helper()
	s, err := report.NewStream(format, w, contract.SpecInfo{Name: "spec.yaml", SHA256: "00ff"}, contract.SeverityError)
	if err != nil {
		t.Fatal(err)
	}
	entry := 3
	s.Add(report.FileResult{Source: "rec/" + hostile + ".har", Entry: &entry, Method: "GET", URL: "https://x.example/" + hostile, Status: 200,
		Findings: []contract.Finding{
			finding(contract.RuleEnum, contract.SeverityError, "/direction"+hostile, "one of", hostile, "/direction: got "+hostile),
			finding(hostile, contract.SeverityWarning, "", "", "", ""),
		}})
	s.AddUnusable(report.Unusable{Source: hostile, Reason: "cannot read: " + hostile})
	s.AddWarning(report.Warning{Source: hostile, Message: hostile})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// elementsAndText parses doc as HTML and returns the names of its elements
// and its text.
func elementsAndText(t *testing.T, doc []byte) (map[string]int, string) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	elems := map[string]int{}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			elems[n.Data]++
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "href" || a.Key == "src" {
					t.Errorf("element <%s> has attribute %s=%q", n.Data, a.Key, a.Val)
				}
			}
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				text.WriteString(n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return elems, text.String()
}

func TestHTMLEscapesHostileContent(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	hostileStream(t, "html", &b)
	elems, text := elementsAndText(t, b.Bytes())
	for _, bad := range []string{"script", "img", "a", "link", "iframe", "object"} {
		if elems[bad] > 0 {
			t.Errorf("the report holds %d <%s> elements:\n%s", elems[bad], bad, b.String())
		}
	}
	// Each hostile value reads as text: in the finding's sentence, the
	// example exchange, the unusable input and the warning.
	if n := strings.Count(text, hostile); n < 5 {
		t.Errorf("the hostile text reads %d times in the page's text, want at least 5:\n%s", n, text)
	}
	if !strings.Contains(b.String(), `content="default-src 'none'; style-src 'unsafe-inline'"`) {
		t.Error("the page has no policy that forbids scripts and requests")
	}
}

func TestMarkdownEscapesHostileContent(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	hostileStream(t, "markdown", &b)
	// Render as GitHub does (GFM tables, autolinks), and with raw HTML
	// allowed, which is stricter than GitHub's sanitiser.
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	var out bytes.Buffer
	if err := md.Convert(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	elems, text := elementsAndText(t, append([]byte("<html><body>"), out.Bytes()...))
	for _, bad := range []string{"script", "img", "a"} {
		if elems[bad] > 0 {
			t.Errorf("the rendered Markdown holds %d <%s> elements:\n%s\nrendered:\n%s", elems[bad], bad, b.String(), out.String())
		}
	}
	if elems["table"] != 2 {
		t.Errorf("the rendered Markdown holds %d tables, want 2 (counts and findings):\n%s", elems["table"], out.String())
	}
	// The findings table keeps its six columns in every row: a pipe in a
	// value does not split a cell.
	root, _ := html.Parse(&out)
	var rows []int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			cells := 0
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode {
					cells++
				}
			}
			rows = append(rows, cells)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	for i, n := range rows[2:] {
		if n != 6 {
			t.Errorf("findings row %d has %d cells, want 6", i, n)
		}
	}
	if n := strings.Count(text, hostile); n < 5 {
		t.Errorf("the hostile text reads %d times in the rendered text, want at least 5:\n%s", n, text)
	}
}

func TestMarkdownCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "`plain`"},
		{"", "(empty)"},
		{"a`b", "`` a`b ``"},
		{"``", "``` `` ```"},
		{" padded ", "`  padded  `"},
		{"line\nbreak", "`line\\nbreak`"},
	}
	for _, tt := range tests {
		if got := report.MarkdownCode(tt.in); got != tt.want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := report.MarkdownCell("a|b"); got != "`a\\|b`" {
		t.Errorf("MarkdownCell(a|b) = %q", got)
	}
}

// TestGroupedFormats checks what HTML and Markdown show: the counts, one
// group per rule and pointer over every exchange (also past MaxListed),
// failing groups first, an example exchange, the unusable inputs and the
// verdict.
func TestGroupedFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"html", "markdown"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			s, err := report.NewStream(format, &b, contract.SpecInfo{Name: "spec.yaml", SHA256: "00ff"}, contract.SeverityError)
			if err != nil {
				t.Fatal(err)
			}
			n := report.MaxListed + 500
			for i := range n {
				fr := report.FileResult{Source: fmt.Sprintf("rec/%05d.json", i), Method: "GET", URL: reportURL, Status: 200, Conformant: i%2 == 0}
				fr.Findings = append(fr.Findings, finding(contract.RuleUndeclared, contract.SeverityInfo, "/extra", "declared property", "present", ""))
				if i%2 == 1 {
					fr.Findings = append(fr.Findings, finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of", "x", "/direction: got x"))
				}
				s.Add(fr)
			}
			s.Add(report.FileResult{Source: "rec/clean.json", Method: "GET", URL: reportURL, Status: 200, Conformant: true})
			s.AddUnusable(report.Unusable{Source: "rec/broken.json", Reason: "not JSON"})
			s.AddSkipped(4)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if format == "html" {
				_, out = elementsAndText(t, b.Bytes())
			}
			enum := strings.Index(out, contract.RuleEnum)
			undeclared := strings.Index(out, contract.RuleUndeclared)
			if enum < 0 || undeclared < 0 || enum > undeclared {
				t.Errorf("want the failing %s group before %s:\n%s", contract.RuleEnum, contract.RuleUndeclared, out)
			}
			for _, want := range []string{
				"UNUSABLE", "(fails)", "rec/00001.json", "rec/broken.json", "not JSON",
				fmt.Sprint(n), fmt.Sprint(n / 2), fmt.Sprint(n/2 + 1),
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the %s report does not show %q:\n%s", format, want, out)
				}
			}
			if strings.Contains(out, "rec/01200.json") {
				t.Errorf("the %s report lists an exchange that is not an example:\n%s", format, out)
			}
		})
	}
}

// TestGroupedFormatsNothingChecked: a report without input says so and
// its verdict is unusable.
func TestGroupedFormatsNothingChecked(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"html", "markdown"} {
		var b bytes.Buffer
		s, err := report.NewStream(format, &b, contract.SpecInfo{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"UNUSABLE", report.NothingChecked} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: %q missing:\n%s", format, want, b.String())
			}
		}
	}
}
