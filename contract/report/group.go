package report

import (
	"fmt"
	"io"
	"slices"

	"github.com/callwire/callwire/contract"
)

// Group is the findings that share a rule and a pointer, counted over the
// whole run and shown by the first exchange that had one.
type Group struct {
	Rule    string
	Pointer string
	// Severity is the highest severity met in the group; Fails says whether
	// it fails an exchange.
	Severity contract.Severity
	Fails    bool
	// Findings counts the group's findings; Exchanges the exchanges with at
	// least one of them.
	Findings  int
	Exchanges int
	// Example names the first exchange with a finding of the group (source,
	// HAR entry or call, HTTP status) and Sentence says what that finding
	// found; each is shortened to exampleMax bytes.
	Example  string
	Sentence string
	order    int
}

// exampleMax bounds each text a group keeps from its example, so the memory
// the groups take is bounded by MaxAggregated groups.
const exampleMax = 400

// maxMarkdownListed bounds the unusable inputs and the warnings a Markdown
// report lists (the rest are counted): a GitHub job summary holds at most
// 1 MiB.
const maxMarkdownListed = 100

// pageView is what an HTML or Markdown report shows.
type pageView struct {
	Spec    contract.SpecInfo
	Verdict string
	Summary string
	Counts  []pageCount
	Groups  []Group
	// OtherFindings counts the findings of rule and pointer pairs met
	// after MaxAggregated others.
	OtherFindings  int
	Unusable       int
	UnusableListed int
	Warnings       int
	WarningsListed int
	NothingChecked bool
}

type pageCount struct {
	Name string
	N    int
}

// page renders one format of a grouped report: each unusable input and
// warning as a fragment when it arrives (spooled, written at the end), and
// the page around them.
type page interface {
	unusable(w io.Writer, u *Unusable) error
	warning(w io.Writer, wn *Warning) error
	// write writes the page: top, the unusable fragments, the warning
	// fragments and the end.
	write(w io.Writer, v *pageView, unusables, warnings *spool) error
	// listLimit bounds how many unusable inputs and warnings are listed; 0
	// lists every one.
	listLimit() int
}

// groupSink writes HTML and Markdown: findings grouped by rule and pointer
// over every exchange, with their counts and an example exchange, most
// severe first. Memory is bounded by MaxAggregated groups; the unusable
// inputs and warnings are spooled as rendered fragments.
type groupSink struct {
	w                   io.Writer
	page                page
	groups              map[[2]string]*Group
	otherFindings       int
	unusables, warns    spool
	nUnusable, nWarned  int
	listedU, listedWarn int
}

// add counts fr's findings into their groups.
func (g *groupSink) add(s *Stream, fr *FileResult) {
	if len(fr.Findings) == 0 {
		return
	}
	if g.groups == nil {
		g.groups = map[[2]string]*Group{}
	}
	minRank := failRank(s.failOn)
	var seen map[*Group]bool
	for _, f := range fr.Findings {
		key := [2]string{f.Rule, f.Pointer}
		gr, ok := g.groups[key]
		if !ok {
			if len(g.groups) >= MaxAggregated {
				g.otherFindings++
				continue
			}
			gr = &Group{
				Rule: contract.Truncate(f.Rule, exampleMax), Pointer: contract.Truncate(f.Pointer, exampleMax),
				Severity: f.Severity, Example: contract.Truncate(describe(fr), exampleMax),
				Sentence: contract.Truncate(Sentence(f), exampleMax),
				order:    len(g.groups),
			}
			g.groups[key] = gr
		}
		if f.Severity.Rank() > gr.Severity.Rank() {
			gr.Severity = f.Severity
		}
		gr.Fails = gr.Severity.Rank() >= minRank
		gr.Findings++
		if seen == nil {
			seen = map[*Group]bool{}
		}
		if !seen[gr] {
			seen[gr] = true
			gr.Exchanges++
		}
	}
}

// result is not used: Stream.Add hands every result to add.
func (g *groupSink) result(*Stream, *FileResult) error { return nil }

func (g *groupSink) unusable(_ *Stream, u *Unusable) error {
	g.nUnusable++
	if n := g.page.listLimit(); n > 0 && g.listedU >= n {
		return nil
	}
	g.listedU++
	return g.page.unusable(&g.unusables, u)
}

func (g *groupSink) warning(_ *Stream, w *Warning) error {
	g.nWarned++
	if n := g.page.listLimit(); n > 0 && g.listedWarn >= n {
		return nil
	}
	g.listedWarn++
	return g.page.warning(&g.warns, w)
}

// sortedGroups returns the groups that fail first, then by severity, by
// the number of findings and in the order met.
func (g *groupSink) sortedGroups() []Group {
	out := make([]Group, 0, len(g.groups))
	for _, gr := range g.groups {
		out = append(out, *gr)
	}
	slices.SortFunc(out, func(a, b Group) int {
		switch {
		case a.Fails != b.Fails && a.Fails:
			return -1
		case a.Fails != b.Fails:
			return 1
		}
		if d := b.Severity.Rank() - a.Severity.Rank(); d != 0 {
			return d
		}
		if d := b.Findings - a.Findings; d != 0 {
			return d
		}
		return a.order - b.order
	})
	return out
}

func (g *groupSink) end(s *Stream) error {
	v := &pageView{
		Spec:    s.spec,
		Summary: s.Summary(),
		Counts: []pageCount{
			{"checked", s.checked}, {"conformant", s.conformant}, {"nonconformant", s.nonconformant},
			{"skipped", s.skipped}, {"unusable", s.unusable},
		},
		Groups:         g.sortedGroups(),
		OtherFindings:  g.otherFindings,
		Unusable:       g.nUnusable,
		UnusableListed: g.listedU,
		Warnings:       g.nWarned,
		WarningsListed: g.listedWarn,
		NothingChecked: s.nothingChecked(),
	}
	switch {
	case !s.Usable():
		v.Verdict = "UNUSABLE"
	case s.failed:
		v.Verdict = "FAIL"
	default:
		v.Verdict = "PASS"
	}
	if err := g.page.write(g.w, v, &g.unusables, &g.warns); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func (g *groupSink) discard() {
	g.unusables.discard()
	g.warns.discard()
}
