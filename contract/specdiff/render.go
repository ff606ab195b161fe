package specdiff

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/callwire/callwire/contract/report"
)

// severityOrder puts breaking changes first.
var severityOrder = map[Severity]int{SeverityBreaking: 0, SeverityNonBreaking: 1, SeverityInfo: 2}

// bySeverity returns the changes, breaking first, each severity in the
// report's order.
func (r *Report) bySeverity() []Change {
	out := slices.Clone(r.Changes)
	slices.SortStableFunc(out, func(a, b Change) int { return severityOrder[a.Severity] - severityOrder[b.Severity] })
	return out
}

// verdict is "BREAKING" or "PASS".
func (r *Report) verdict() string {
	if r.Breaking() {
		return "BREAKING"
	}
	return "PASS"
}

var diffHTML = template.Must(template.New("diff").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>swcontract diff: {{.Verdict}}</title>
<style>{{.Style}}</style>
</head>
<body>
<h1>swcontract diff <span class="verdict {{if eq .Verdict "BREAKING"}}breaking{{else}}PASS{{end}}" id="verdict">{{.Verdict}}</span></h1>
<p class="meta">changes to the Retrieve a Call response</p>
<ul class="counts" id="counts">
<li><b>{{.Breaking}}</b>breaking</li>
<li><b>{{.NonBreaking}}</b>non-breaking</li>
<li><b>{{.Info}}</b>info</li>
</ul>
{{- if .Changes}}
<table id="changes">
<thead><tr><th>severity</th><th>kind</th><th>pointer</th><th>change</th></tr></thead>
<tbody>
{{- range .Changes}}
<tr><td class="sev sev-{{.Severity}}">{{.Severity}}</td><td><code>{{.Kind}}</code></td><td><code>{{if .Pointer}}{{.Pointer}}{{else}}(operation){{end}}</code></td><td>{{.Message}}{{if .Rule}}<br><span class="example">oasdiff rule <code>{{.Rule}}</code></span>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>No changes to the Retrieve a Call response.</p>
{{- end}}
</body>
</html>
`))

// WriteHTML writes the report as one self-contained HTML page, breaking
// changes first; it makes no request and runs no script.
func (r *Report) WriteHTML(w io.Writer) error {
	return diffHTML.Execute(w, struct {
		Style                       template.CSS
		Verdict                     string
		Breaking, NonBreaking, Info int
		Changes                     []Change
	}{template.CSS(report.Stylesheet), r.verdict(), r.Count(SeverityBreaking), r.Count(SeverityNonBreaking), r.Count(SeverityInfo), r.bySeverity()})
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown, breaking
// changes first; every value from a document is shown in a code span.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	mark := "✅ **PASS**"
	if r.Breaking() {
		mark = "❌ **BREAKING**"
	}
	fmt.Fprintf(&b, "## swcontract diff: %s\n\n| breaking | non-breaking | info |\n| ---: | ---: | ---: |\n| %d | %d | %d |\n\n",
		mark, r.Count(SeverityBreaking), r.Count(SeverityNonBreaking), r.Count(SeverityInfo))
	if len(r.Changes) == 0 {
		b.WriteString("No changes to the Retrieve a Call response.\n")
	} else {
		b.WriteString("| severity | kind | pointer | change |\n| --- | --- | --- | --- |\n")
		for _, c := range r.bySeverity() {
			sev := string(c.Severity)
			if c.Severity == SeverityBreaking {
				sev = "**" + sev + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", sev, report.MarkdownCell(c.Kind), report.MarkdownCell(pointerText(c.Pointer)), report.MarkdownCell(c.Message))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatColorText is the text format coloured for a terminal (severities
// and the summary), which swcontract diff asks Run for when its output is
// a terminal (see report.ColorFor).
const FormatColorText = "text+color"

// severityColor colours a severity; each colour has the same length, so
// the severity column stays aligned.
func severityColor(s Severity) string {
	switch s {
	case SeverityBreaking:
		return report.Red
	case SeverityNonBreaking:
		return report.Yellow
	}
	return report.Cyan
}

// WriteColorText writes the text format with ANSI colours.
func (r *Report) WriteColorText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", report.Paint(true, severityColor(c.Severity), string(c.Severity)), c.Kind, pointerText(c.Pointer), c.Message)
	}
	switch {
	case len(r.Changes) == 0:
		fmt.Fprintln(tw, report.Paint(true, report.Green, "no changes to the Retrieve a Call response"))
	case r.Breaking():
		fmt.Fprintf(tw, "%d changes: %s, %d non-breaking, %d info\n", len(r.Changes),
			report.Paint(true, report.Red, fmt.Sprintf("%d breaking", r.Count(SeverityBreaking))), r.Count(SeverityNonBreaking), r.Count(SeverityInfo))
	default:
		fmt.Fprintf(tw, "%d changes: %s, %d non-breaking, %d info\n", len(r.Changes),
			report.Paint(true, report.Green, "0 breaking"), r.Count(SeverityNonBreaking), r.Count(SeverityInfo))
	}
	return tw.Flush()
}
