package report

import (
	"fmt"
	"io"
	"strings"
)

// markdownPage writes GitHub-flavoured Markdown for pull-request comments
// and job summaries. Every value from an exchange or an input's name is
// shown in a code span, where Markdown and HTML are not interpreted (no
// markup, no link), with a table cell's pipes escaped.
type markdownPage struct{}

func (markdownPage) listLimit() int { return maxMarkdownListed }

func (markdownPage) unusable(w io.Writer, u *Unusable) error {
	_, err := fmt.Fprintf(w, "- %s: %s\n", MarkdownCode(u.Name()), MarkdownCode(u.Reason))
	return err
}

func (markdownPage) warning(w io.Writer, wn *Warning) error {
	_, err := fmt.Fprintf(w, "- %s: %s\n", MarkdownCode(wn.Source), MarkdownCode(wn.Message))
	return err
}

func (markdownPage) write(w io.Writer, v *pageView, unusables, warnings *spool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## swcontract report: %s\n\n", verdictMark(v.Verdict))
	fmt.Fprintf(&b, "Spec %s, sha256 %s\n\n", MarkdownCode(v.Spec.Name), MarkdownCode(v.Spec.SHA256))
	b.WriteString("|")
	for _, c := range v.Counts {
		fmt.Fprintf(&b, " %s |", c.Name)
	}
	b.WriteString("\n|")
	for range v.Counts {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n|")
	for _, c := range v.Counts {
		fmt.Fprintf(&b, " %d |", c.N)
	}
	b.WriteString("\n\n### Findings by rule and pointer\n\n")
	if len(v.Groups) == 0 {
		b.WriteString("No findings.\n")
	} else {
		b.WriteString("| severity | rule | pointer | findings | exchanges | example |\n| --- | --- | --- | ---: | ---: | --- |\n")
		for _, g := range v.Groups {
			sev := string(g.Severity)
			if g.Fails {
				sev = "**" + sev + "** (fails)"
			}
			example := MarkdownCell(g.Sentence) + " in " + MarkdownCell(g.Example)
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s |\n", sev, MarkdownCell(g.Rule), MarkdownCell(showPointer(g.Pointer)),
				g.Findings, g.Exchanges, example)
		}
		if v.OtherFindings > 0 {
			fmt.Fprintf(&b, "\nand %d findings with other rules and pointers\n", v.OtherFindings)
		}
	}
	if v.Unusable > 0 || v.NothingChecked {
		fmt.Fprintf(&b, "\n### Unusable inputs (%d)\n\n", max(v.Unusable, 1))
		if v.NothingChecked {
			fmt.Fprintf(&b, "- %s\n", NothingChecked)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := unusables.copyTo(w); err != nil {
		return err
	}
	b.Reset()
	if more := v.Unusable - v.UnusableListed; more > 0 {
		fmt.Fprintf(&b, "- and %d more\n", more)
	}
	if v.Warnings > 0 {
		fmt.Fprintf(&b, "\n### Warnings (%d)\n\n", v.Warnings)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := warnings.copyTo(w); err != nil {
		return err
	}
	b.Reset()
	if more := v.Warnings - v.WarningsListed; more > 0 {
		fmt.Fprintf(&b, "- and %d more\n", more)
	}
	fmt.Fprintf(&b, "\n%s\n", MarkdownCode(v.Summary))
	_, err := io.WriteString(w, b.String())
	return err
}

// verdictMark is the verdict in bold with a sign that reads without colour.
func verdictMark(v string) string {
	switch v {
	case "PASS":
		return "✅ **PASS**"
	case "FAIL":
		return "❌ **FAIL**"
	}
	return "⚠️ **" + v + "**"
}

// MarkdownCode shows s literally in Markdown: as a code span (no markup,
// HTML or link is interpreted inside one) on one line, fenced by more
// backticks than s holds in a row; an empty s is shown as "(empty)".
func MarkdownCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(empty)"
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// MarkdownCell is MarkdownCode for a table cell: a pipe would end the cell
// even inside a code span, so it is escaped (GitHub shows it as a pipe).
func MarkdownCell(s string) string {
	return strings.ReplaceAll(MarkdownCode(s), "|", `\|`)
}
