package report

import (
	"html/template"
	"io"
)

// Stylesheet is the CSS of swcontract's HTML reports (check, live and
// diff): inline in the page, so a report is one file that reads offline.
const Stylesheet = `
:root { color-scheme: light dark; --fail: #b3261e; --warn: #8a5a00; --ok: #1e6b35; --line: #8884; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: GrayText; margin-top: 0; }
.verdict { display: inline-block; padding: .1rem .6rem; border-radius: .3rem; color: #fff; font-weight: 600; }
.FAIL, .UNUSABLE, .breaking { background: var(--fail); }
.PASS { background: var(--ok); }
.counts { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: .4rem; padding: .4rem .8rem; min-width: 7rem; }
.counts b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: break-word; }
.sev { font-weight: 600; }
.sev-error, .sev-breaking { color: var(--fail); }
.sev-warning, .sev-non-breaking { color: var(--warn); }
.example { color: GrayText; font-size: .9em; }
`

// htmlTemplates render an HTML report. Every value from an exchange goes
// through html/template's contextual escaping, and the page's policy
// allows no script, no request and no resource but its own inline style.
var htmlTemplates = template.Must(template.New("html").Parse(`
{{- define "top" -}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>swcontract report: {{.Verdict}}</title>
<style>{{.Style}}</style>
</head>
<body>
<h1>swcontract report <span class="verdict {{.Verdict}}" id="verdict">{{.Verdict}}</span></h1>
<p class="meta">spec <code>{{.Spec.Name}}</code> sha256 <code>{{.Spec.SHA256}}</code></p>
<ul class="counts" id="counts">
{{- range .Counts}}
<li><b>{{.N}}</b>{{.Name}}</li>
{{- end}}
</ul>
<h2>Findings by rule and pointer</h2>
{{- if .Groups}}
<table id="groups">
<thead><tr><th>severity</th><th>rule</th><th>pointer</th><th>findings</th><th>exchanges</th><th>example</th></tr></thead>
<tbody>
{{- range .Groups}}
<tr class="group"><td class="sev sev-{{.Severity}}">{{.Severity}}{{if .Fails}} (fails){{end}}</td><td><code>{{.Rule}}</code></td><td><code>{{if .Pointer}}{{.Pointer}}{{else}}(body){{end}}</code></td><td class="n">{{.Findings}}</td><td class="n">{{.Exchanges}}</td>
<td>{{.Sentence}}<br><span class="example">in <code>{{.Example}}</code></span></td></tr>
{{- end}}
</tbody>
</table>
{{- if .OtherFindings}}
<p>and {{.OtherFindings}} findings with other rules and pointers</p>
{{- end}}
{{- else}}
<p>No findings.</p>
{{- end}}
{{- if .Unusable}}
<h2>Unusable inputs ({{.Unusable}})</h2>
<ul id="unusable">
{{- end}}
{{- if .NothingChecked}}
<li>{{.NothingCheckedText}}</li>
{{- end}}
{{- end}}

{{- define "mid" -}}
{{- if .Unusable}}
</ul>
{{- end}}
{{- if .Warnings}}
<h2>Warnings ({{.Warnings}})</h2>
<ul id="warnings">
{{- end}}
{{- end}}

{{- define "end" -}}
{{- if .Warnings}}
</ul>
{{- end}}
<p class="meta" id="summary">{{.Summary}}</p>
</body>
</html>
{{end}}

{{- define "unusable"}}
<li><code>{{.Name}}</code>: {{.Reason}}</li>
{{- end}}

{{- define "warning"}}
<li><code>{{.Source}}</code>: {{.Message}}</li>
{{- end}}
`))

// htmlPage writes one self-contained HTML file.
type htmlPage struct{}

// htmlView adds what only the HTML page needs to pageView.
type htmlView struct {
	*pageView
	Style              template.CSS
	NothingCheckedText string
}

func (htmlPage) listLimit() int { return 0 }

func (htmlPage) unusable(w io.Writer, u *Unusable) error {
	return htmlTemplates.ExecuteTemplate(w, "unusable", u)
}

func (htmlPage) warning(w io.Writer, wn *Warning) error {
	return htmlTemplates.ExecuteTemplate(w, "warning", wn)
}

func (htmlPage) write(w io.Writer, v *pageView, unusables, warnings *spool) error {
	hv := htmlView{pageView: v, Style: template.CSS(Stylesheet), NothingCheckedText: NothingChecked}
	if v.NothingChecked {
		hv.Unusable = 1
	}
	if err := htmlTemplates.ExecuteTemplate(w, "top", hv); err != nil {
		return err
	}
	if err := unusables.copyTo(w); err != nil {
		return err
	}
	if err := htmlTemplates.ExecuteTemplate(w, "mid", hv); err != nil {
		return err
	}
	if err := warnings.copyTo(w); err != nil {
		return err
	}
	return htmlTemplates.ExecuteTemplate(w, "end", hv)
}
