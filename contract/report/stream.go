package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"

	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/callwire/callwire/contract"
)

// MaxListed is how many exchanges with findings a report lists in full;
// the findings of later ones are aggregated by fingerprint, with the number
// of exchanges each was found in. JSON and JUnit also list at most
// MaxListed exchanges without findings and count the rest. A report's size
// therefore does not grow with the number of exchanges checked.
const MaxListed = 1000

// MaxAggregated bounds the fingerprints a report aggregates; findings with
// other fingerprints past it are counted together.
const MaxAggregated = 1000

// Formats are the report formats NewStream writes.
var Formats = []string{"text", "json", "junit", "github", "html", "markdown"}

// Aggregate is one fingerprint's findings in the exchanges a report did not
// list, described by the first of them.
type Aggregate struct {
	Fingerprint string            `json:"fingerprint"`
	Rule        string            `json:"rule"`
	Severity    contract.Severity `json:"severity"`
	Pointer     string            `json:"pointer"`
	Sentence    string            `json:"sentence"`
	// Exchanges counts the unlisted exchanges with this finding.
	Exchanges int `json:"exchanges"`
}

// tally is what a report counts.
type tally struct {
	checked, conformant, nonconformant, skipped, unusable int
	// aggregated counts the exchanges with findings that were not listed.
	aggregated int
}

// summary is the one-line tally, e.g. "checked 3, conformant 2,
// nonconformant 1, skipped 0 (spec retrieve-a-call.openapi.yaml sha256
// 0123456789ab…)", with "unusable N" when some input could not be used.
func (t tally) summary(spec contract.SpecInfo) string {
	sum := spec.SHA256
	if len(sum) > 12 {
		sum = sum[:12] + "…"
	}
	extra := ""
	if t.unusable > 0 {
		extra += fmt.Sprintf(", unusable %d", t.unusable)
	}
	if t.aggregated > 0 {
		extra += fmt.Sprintf(", %d with findings not listed (aggregated by fingerprint)", t.aggregated)
	}
	return fmt.Sprintf("checked %d, conformant %d, nonconformant %d, skipped %d%s (spec %s sha256 %s)",
		t.checked, t.conformant, t.nonconformant, t.skipped, extra, spec.Name, sum)
}

// Stream writes a report while the results arrive, in bounded memory: the
// text and GitHub formats write each result as it is added, JSON and JUnit
// keep what must come after the results (or, for JUnit, after the counts)
// in a spill file. Results, unusable inputs and warnings are written in the
// order added; every unusable input is named with its reason in every
// format, and a report that checked nothing says so as an unusable input.
// Past MaxListed exchanges with findings, the rest are aggregated by
// fingerprint. Errors from the writer are kept and returned by Close.
type Stream struct {
	spec   contract.SpecInfo
	failOn contract.Severity
	sink   sink
	tally
	// listed and listedClean count the exchanges listed with and without
	// findings; unlisted counts those without findings left out.
	listed, listedClean, unlisted int
	agg                           map[string]*Aggregate
	aggOrder                      []string
	otherFindings                 int
	failed                        bool
	err                           error
	closed                        bool
}

// sink is one format's writer.
type sink interface {
	result(s *Stream, fr *FileResult) error
	unusable(s *Stream, u *Unusable) error
	warning(s *Stream, w *Warning) error
	end(s *Stream) error
	discard()
}

// NewStream starts a report in format (one of Formats) on w, for exchanges
// checked against spec; failOn is the lowest severity that fails an
// exchange ("" means error). Close must be called, also on failure: it
// writes the end of the report and removes any spill file.
func NewStream(format string, w io.Writer, spec contract.SpecInfo, failOn contract.Severity) (*Stream, error) {
	s := &Stream{spec: spec, failOn: failOn, agg: map[string]*Aggregate{}}
	switch format {
	case "text":
		s.sink = &textSink{w: w, tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	case "json":
		js := &jsonSink{w: w}
		js.err = js.start(spec)
		s.sink = js
	case "junit":
		s.sink = &junitSink{w: w}
	case "github":
		s.sink = &githubSink{w: w}
	case "html":
		s.sink = &groupSink{w: w, page: htmlPage{}}
	case "markdown":
		s.sink = &groupSink{w: w, page: markdownPage{}}
	default:
		return nil, fmt.Errorf("report format %q: want one of %s", contract.Truncate(format, 20), strings.Join(Formats, ", "))
	}
	return s, nil
}

// SetColor colours the text format for a terminal (see ColorFor): the
// verdicts, severities, unusable inputs and warnings. Other formats are
// never coloured. Call it before adding anything.
func (s *Stream) SetColor(on bool) {
	if t, ok := s.sink.(*textSink); ok {
		t.color = on
	}
}

// keep records the first error.
func (s *Stream) keep(err error) {
	if s.err == nil {
		s.err = err
	}
}

// Add records one checked exchange: listed in full while fewer than
// MaxListed exchanges with findings were, aggregated by fingerprint after.
func (s *Stream) Add(fr FileResult) {
	if fr.Findings == nil {
		fr.Findings = []contract.Finding{}
	}
	s.checked++
	if fr.Conformant {
		s.conformant++
	} else {
		s.nonconformant++
	}
	if fr.Fails(s.failOn) {
		s.failed = true
	}
	if g, ok := s.sink.(*groupSink); ok {
		// HTML and Markdown group every finding by rule and pointer and
		// list no exchange on its own, so there is nothing to cap.
		g.add(s, &fr)
		return
	}
	switch {
	case len(fr.Findings) == 0 && s.listedClean < MaxListed:
		s.listedClean++
	case len(fr.Findings) == 0:
		s.unlisted++
		return
	case s.listed < MaxListed:
		s.listed++
	default:
		s.aggregate(&fr)
		return
	}
	if s.err == nil {
		s.keep(s.sink.result(s, &fr))
	}
}

// aggregate counts fr's findings by fingerprint, each once per exchange.
func (s *Stream) aggregate(fr *FileResult) {
	s.aggregated++
	seen := map[string]bool{}
	for _, f := range fr.Findings {
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		a, ok := s.agg[f.Fingerprint]
		if !ok {
			if len(s.agg) >= MaxAggregated {
				s.otherFindings++
				continue
			}
			a = &Aggregate{Fingerprint: f.Fingerprint, Rule: f.Rule, Severity: f.Severity, Pointer: f.Pointer, Sentence: Sentence(f)}
			s.agg[f.Fingerprint] = a
			s.aggOrder = append(s.aggOrder, f.Fingerprint)
		}
		a.Exchanges++
	}
}

// aggregates returns the aggregated findings, most severe first, then by
// the number of exchanges, then in the order met.
func (s *Stream) aggregates() []Aggregate {
	out := make([]Aggregate, 0, len(s.aggOrder))
	for _, fp := range s.aggOrder {
		out = append(out, *s.agg[fp])
	}
	slices.SortStableFunc(out, func(a, b Aggregate) int {
		if d := b.Severity.Rank() - a.Severity.Rank(); d != 0 {
			return d
		}
		return b.Exchanges - a.Exchanges
	})
	return out
}

// AddUnusable records an input, or a HAR entry, that could not be used.
func (s *Stream) AddUnusable(u Unusable) {
	s.unusable++
	if s.err == nil {
		s.keep(s.sink.unusable(s, &u))
	}
}

// AddWarning records a warning about an input.
func (s *Stream) AddWarning(w Warning) {
	if s.err == nil {
		s.keep(s.sink.warning(s, &w))
	}
}

// AddSkipped counts n HAR entries that are not "Retrieve a Call" requests.
func (s *Stream) AddSkipped(n int) { s.skipped += n }

// Failed reports whether an exchange had a finding at or above the
// stream's failOn.
func (s *Stream) Failed() bool { return s.failed }

// Usable reports whether every input was used and at least one exchange
// was checked; a report that checked nothing never counts as a pass.
func (s *Stream) Usable() bool { return s.unusable == 0 && s.checked > 0 }

// Summary is the one-line tally that ends the text output.
func (s *Stream) Summary() string { return s.tally.summary(s.spec) }

// nothingChecked reports whether the report holds neither a result nor an
// unusable input, which every format shows as an unusable input.
func (s *Stream) nothingChecked() bool { return s.checked == 0 && s.unusable == 0 }

// Close writes the end of the report (aggregates, counts, summary) and
// releases any spill file. It returns the first error met writing.
func (s *Stream) Close() error {
	if s.closed {
		return s.err
	}
	s.closed = true
	if s.err == nil {
		s.keep(s.sink.end(s))
	}
	s.sink.discard()
	return s.err
}

// spoolMemory is how much a spool holds in memory before it spills to a
// temporary file.
const spoolMemory = 1 << 20

// spool holds report text that must be written later: in memory up to
// spoolMemory, then in a temporary file removed by discard.
type spool struct {
	mem bytes.Buffer
	f   *os.File
	bw  *bufio.Writer
}

func (p *spool) Write(b []byte) (int, error) {
	if p.f == nil && p.mem.Len()+len(b) > spoolMemory {
		f, err := os.CreateTemp("", "swcontract-report-*")
		if err != nil {
			return 0, fmt.Errorf("spill file: %w", err)
		}
		p.f, p.bw = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := p.bw.Write(p.mem.Bytes()); err != nil {
			return 0, fmt.Errorf("spill file: %w", err)
		}
		p.mem = bytes.Buffer{}
	}
	if p.f != nil {
		return p.bw.Write(b)
	}
	return p.mem.Write(b)
}

// empty reports whether nothing was written to p.
func (p *spool) empty() bool { return p.f == nil && p.mem.Len() == 0 }

// copyTo writes what p holds to w.
func (p *spool) copyTo(w io.Writer) error {
	if p.f == nil {
		_, err := w.Write(p.mem.Bytes())
		return err
	}
	if err := p.bw.Flush(); err != nil {
		return fmt.Errorf("spill file: %w", err)
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spill file: %w", err)
	}
	_, err := io.Copy(w, p.f)
	return err
}

// discard removes the spill file, if any.
func (p *spool) discard() {
	if p.f != nil {
		name := p.f.Name()
		_ = p.f.Close()
		_ = os.Remove(name)
		p.f = nil
	}
}

// describe is a result's source (and HAR entry), target and HTTP status,
// e.g. "rec/a.json, call c0c0ca11-…, HTTP 200". The target is left out when
// it only repeats the source (swcontract live names results by Call SID).
func describe(fr *FileResult) string {
	if fr.Entry != nil {
		return fmt.Sprintf("%s, HTTP %d", entryName(fr.Source, *fr.Entry, fr.Method, fr.URL), fr.Status)
	}
	target := fr.Target()
	if target == "call "+fr.Source || target == "" {
		return fmt.Sprintf("%s, HTTP %d", fr.Source, fr.Status)
	}
	return fmt.Sprintf("%s, %s, HTTP %d", fr.Source, target, fr.Status)
}

// verdict is the word that opens a result's header line in the text output.
func verdict(fr *FileResult, failOn contract.Severity) string {
	v := "PASS"
	if fr.Fails(failOn) {
		v = "FAIL"
	}
	if fr.Conformant {
		return v + " conformant"
	}
	return v + " nonconformant"
}

// textSink writes the text format: each result that has findings as a
// header line (verdict, source, call and HTTP status) and one line per
// finding (severity, rule, sentence); each unusable input as "UNUSABLE:
// <name>: <reason>"; each warning as "WARNING: <source>: <message>"; then
// the aggregated findings and the summary. Results without findings are
// counted, not listed.
type textSink struct {
	w     io.Writer
	tw    *tabwriter.Writer
	color bool
}

// paint colours s when the text is for a terminal.
func (t *textSink) paint(color, s string) string { return Paint(t.color, color, s) }

// verdict is the coloured verdict of fr.
func (t *textSink) verdict(s *Stream, fr *FileResult) string {
	v := verdict(fr, s.failOn)
	if fr.Fails(s.failOn) {
		return t.paint(Red, v)
	}
	return t.paint(Green, v)
}

func (t *textSink) result(s *Stream, fr *FileResult) error {
	if len(fr.Findings) == 0 {
		return nil
	}
	fmt.Fprintf(t.tw, "%s: %s\n", t.verdict(s, fr), oneLine(describe(fr)))
	for _, f := range fr.Findings {
		fmt.Fprintf(t.tw, "  %s\t%s\t%s\n", t.paint(severityColor(f.Severity), oneLine(string(f.Severity))), oneLine(f.Rule), oneLine(Sentence(f)))
	}
	return t.tw.Flush()
}

func (t *textSink) unusable(_ *Stream, u *Unusable) error {
	_, err := fmt.Fprintf(t.w, "%s: %s: %s\n", t.paint(Red, "UNUSABLE"), oneLine(u.Name()), oneLine(u.Reason))
	return err
}

func (t *textSink) warning(_ *Stream, w *Warning) error {
	_, err := fmt.Fprintf(t.w, "%s: %s: %s\n", t.paint(Yellow, "WARNING"), oneLine(w.Source), oneLine(w.Message))
	return err
}

func (t *textSink) end(s *Stream) error {
	if s.aggregated > 0 {
		fmt.Fprintf(t.tw, "AGGREGATED: %d more exchanges with findings, by fingerprint:\n", s.aggregated)
		for _, a := range s.aggregates() {
			fmt.Fprintf(t.tw, "  %s\t%s\t%s\t(%d exchanges)\n", t.paint(severityColor(a.Severity), oneLine(string(a.Severity))), oneLine(a.Rule), oneLine(a.Sentence), a.Exchanges)
		}
		if s.otherFindings > 0 {
			fmt.Fprintf(t.tw, "  and %d findings with other fingerprints\n", s.otherFindings)
		}
	}
	if s.nothingChecked() {
		fmt.Fprintf(t.tw, "%s: %s\n", t.paint(Red, "UNUSABLE"), NothingChecked)
	}
	fmt.Fprintln(t.tw, s.Summary())
	return t.tw.Flush()
}

func (t *textSink) discard() {}

// jsonSink writes one indented JSON document: "spec", "results" as they
// come, then "unusable" and "warnings" (spooled), "aggregated",
// "other_findings", "unlisted" and the counts.
type jsonSink struct {
	w                  io.Writer
	err                error
	results            int
	unusables, warns   spool
	nUnusable, nWarned int
}

// marshal encodes v indented at depth 2, without escaping markup.
func marshal(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (j *jsonSink) start(spec contract.SpecInfo) error {
	b, err := marshal(spec, "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, "{\n  \"spec\": %s,\n  \"results\": [", b)
	return err
}

// item writes v as the next element of an array on w.
func item(w io.Writer, n int, v any) error {
	b, err := marshal(v, "    ")
	if err != nil {
		return err
	}
	sep := ",\n    "
	if n == 0 {
		sep = "\n    "
	}
	if _, err := io.WriteString(w, sep); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (j *jsonSink) result(_ *Stream, fr *FileResult) error {
	if j.err != nil {
		return j.err
	}
	j.results++
	return item(j.w, j.results-1, fr)
}

func (j *jsonSink) unusable(_ *Stream, u *Unusable) error {
	j.nUnusable++
	return item(&j.unusables, j.nUnusable-1, u)
}

func (j *jsonSink) warning(_ *Stream, w *Warning) error {
	j.nWarned++
	return item(&j.warns, j.nWarned-1, w)
}

// array writes the end of an array member: "]" after its items.
func closeArray(w io.Writer, n int) error {
	end := "]"
	if n > 0 {
		end = "\n  ]"
	}
	_, err := io.WriteString(w, end)
	return err
}

func (j *jsonSink) end(s *Stream) error {
	if j.err != nil {
		return j.err
	}
	if err := closeArray(j.w, j.results); err != nil {
		return err
	}
	if s.nothingChecked() {
		j.nUnusable++
		if err := item(&j.unusables, 0, Unusable{Reason: NothingChecked}); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		name string
		p    *spool
		n    int
	}{{"unusable", &j.unusables, j.nUnusable}, {"warnings", &j.warns, j.nWarned}} {
		if _, err := fmt.Fprintf(j.w, ",\n  %q: [", m.name); err != nil {
			return err
		}
		if err := m.p.copyTo(j.w); err != nil {
			return err
		}
		if err := closeArray(j.w, m.n); err != nil {
			return err
		}
	}
	agg, err := marshal(s.aggregates(), "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, ",\n  \"aggregated\": %s,\n  \"other_findings\": %d,\n  \"unlisted\": %d,\n"+
		"  \"checked\": %d,\n  \"conformant\": %d,\n  \"nonconformant\": %d,\n  \"skipped\": %d\n}\n",
		agg, s.otherFindings, s.unlisted, s.checked, s.conformant, s.nonconformant, s.skipped)
	return err
}

func (j *jsonSink) discard() {
	j.unusables.discard()
	j.warns.discard()
}

type junitCase struct {
	XMLName   xml.Name      `xml:"testcase"`
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

// junitSink writes JUnit XML: one testsuite "swcontract", one testcase per
// listed exchange (failing on a finding at or above failOn), one with an
// error per unusable input (and one for a report that checked nothing), one
// per aggregated fingerprint and one for the unlisted exchanges without
// findings. The counts come first in XML, so the testcases are spooled.
type junitSink struct {
	w                     io.Writer
	cases, warns          spool
	tests, failures, errs int
}

func (j *junitSink) add(c junitCase) error {
	j.tests++
	if c.Failure != nil {
		j.failures++
	}
	if c.Error != nil {
		j.errs++
	}
	var b bytes.Buffer
	b.WriteByte('\n')
	enc := xml.NewEncoder(&b)
	enc.Indent("    ", "  ")
	if err := enc.Encode(c); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := j.cases.Write(b.Bytes())
	return err
}

func (j *junitSink) result(s *Stream, fr *FileResult) error {
	name := fmt.Sprintf("%s, HTTP %d", fr.Target(), fr.Status)
	if fr.Entry != nil {
		name = fmt.Sprintf("entry %d (%s %s), HTTP %d", *fr.Entry, fr.Method, fr.URL, fr.Status)
	}
	tc := junitCase{Classname: fr.Source, Name: name}
	minRank := failRank(s.failOn)
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
		tc.Failure = &junitFailure{Message: Sentence(*first), Type: first.Rule, Text: failing.String()}
	}
	tc.SystemOut = other.String()
	return j.add(tc)
}

func (j *junitSink) unusable(_ *Stream, u *Unusable) error {
	name := "unusable input"
	if u.Entry != nil {
		name = fmt.Sprintf("entry %d (%s %s), unusable", *u.Entry, u.Method, u.URL)
	}
	return j.add(junitCase{Classname: u.Source, Name: name, Error: &junitFailure{Message: u.Reason, Type: "unusable"}})
}

func (j *junitSink) warning(_ *Stream, w *Warning) error {
	_, err := fmt.Fprintf(&j.warns, "warning: %s: %s\n", oneLine(w.Source), oneLine(w.Message))
	return err
}

func (j *junitSink) end(s *Stream) error {
	minRank := failRank(s.failOn)
	for _, a := range s.aggregates() {
		tc := junitCase{Classname: "aggregated", Name: fmt.Sprintf("%s %s, %d more exchanges", a.Rule, showPointer(a.Pointer), a.Exchanges)}
		if a.Severity.Rank() >= minRank {
			tc.Failure = &junitFailure{Message: a.Sentence, Type: a.Rule, Text: fmt.Sprintf("%s %s %s\n", a.Severity, oneLine(a.Rule), oneLine(a.Sentence))}
		} else {
			tc.SystemOut = fmt.Sprintf("%s %s %s\n", a.Severity, oneLine(a.Rule), oneLine(a.Sentence))
		}
		if err := j.add(tc); err != nil {
			return err
		}
	}
	if s.unlisted > 0 {
		if err := j.add(junitCase{Classname: "aggregated", Name: fmt.Sprintf("%d more exchanges without findings", s.unlisted)}); err != nil {
			return err
		}
	}
	if s.nothingChecked() {
		if err := j.add(junitCase{Name: "unusable input", Error: &junitFailure{Message: NothingChecked, Type: "unusable"}}); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	counts := fmt.Sprintf(`tests="%d" failures="%d" errors="%d" skipped="%d"`, j.tests, j.failures, j.errs, s.skipped)
	fmt.Fprintf(&b, "<testsuites name=\"swcontract\" %s>\n  <testsuite name=\"swcontract\" %s>\n    <properties>", counts, counts)
	for _, p := range [][2]string{
		{"spec", s.spec.Name},
		{"spec.sha256", s.spec.SHA256},
		{"checked", strconv.Itoa(s.checked)},
		{"conformant", strconv.Itoa(s.conformant)},
		{"nonconformant", strconv.Itoa(s.nonconformant)},
		{"skipped", strconv.Itoa(s.skipped)},
		{"unusable", strconv.Itoa(s.unusable)},
		{"unlisted", strconv.Itoa(s.unlisted + s.aggregated)},
	} {
		fmt.Fprintf(&b, "\n      <property name=\"%s\" value=\"%s\"></property>", p[0], xmlEscape(p[1]))
	}
	b.WriteString("\n    </properties>")
	if _, err := io.WriteString(j.w, b.String()); err != nil {
		return err
	}
	if err := j.cases.copyTo(j.w); err != nil {
		return err
	}
	if !j.warns.empty() {
		if _, err := io.WriteString(j.w, "\n    <system-err>"); err != nil {
			return err
		}
		var raw bytes.Buffer
		if err := j.warns.copyTo(&raw); err != nil {
			return err
		}
		if err := xml.EscapeText(j.w, raw.Bytes()); err != nil {
			return err
		}
		if _, err := io.WriteString(j.w, "</system-err>"); err != nil {
			return err
		}
	}
	_, err := io.WriteString(j.w, "\n  </testsuite>\n</testsuites>\n")
	return err
}

func (j *junitSink) discard() {
	j.cases.discard()
	j.warns.discard()
}

// xmlEscape escapes s for an attribute value.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// githubSink writes one GitHub Actions workflow command per finding
// (::error, ::warning or ::notice, by severity) with the source as file,
// the rule as title and the finding's sentence as message (led by the HAR
// entry, when there is one); ::error per unusable input, ::warning per
// warning, one command per aggregated fingerprint, then the summary as a
// plain log line.
type githubSink struct {
	w io.Writer
}

// ghCommand is the workflow command for a severity.
func ghCommand(sev contract.Severity) string {
	switch sev {
	case contract.SeverityError:
		return "error"
	case contract.SeverityWarning:
		return "warning"
	}
	return "notice"
}

func (g *githubSink) result(_ *Stream, fr *FileResult) error {
	var b strings.Builder
	lead := ""
	if fr.Entry != nil {
		lead = fmt.Sprintf("entry %d (%s %s): ", *fr.Entry, fr.Method, fr.URL)
	}
	for _, f := range fr.Findings {
		fmt.Fprintf(&b, "::%s file=%s,title=%s::%s\n", ghCommand(f.Severity),
			ghProperty(fr.Source), ghProperty(f.Rule), ghData(lead+Sentence(f)))
	}
	_, err := io.WriteString(g.w, b.String())
	return err
}

func (g *githubSink) unusable(_ *Stream, u *Unusable) error {
	msg := u.Reason
	if u.Entry != nil {
		msg = fmt.Sprintf("entry %d (%s %s): %s", *u.Entry, u.Method, u.URL, u.Reason)
	}
	_, err := fmt.Fprintf(g.w, "::error file=%s,title=unusable input::%s\n", ghProperty(u.Source), ghData(msg))
	return err
}

func (g *githubSink) warning(_ *Stream, w *Warning) error {
	_, err := fmt.Fprintf(g.w, "::warning file=%s,title=warning::%s\n", ghProperty(w.Source), ghData(w.Message))
	return err
}

func (g *githubSink) end(s *Stream) error {
	var b strings.Builder
	for _, a := range s.aggregates() {
		fmt.Fprintf(&b, "::%s title=%s::%s (in %d more exchanges)\n", ghCommand(a.Severity), ghProperty(a.Rule), ghData(a.Sentence), a.Exchanges)
	}
	if s.otherFindings > 0 {
		fmt.Fprintf(&b, "::notice title=aggregated::%d findings with other fingerprints\n", s.otherFindings)
	}
	if s.nothingChecked() {
		fmt.Fprintf(&b, "::error title=unusable input::%s\n", NothingChecked)
	}
	b.WriteString(s.Summary())
	b.WriteByte('\n')
	_, err := io.WriteString(g.w, b.String())
	return err
}

func (g *githubSink) discard() {}
