package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// console is the one place a run writes to its user. stdout gets the
// function's responses and nothing else. stderr gets, in the default quiet
// mode, a line for each step still running after a moment, and one verdict
// line; the emulator's and the function's logs are kept and shown only when
// the run fails. With -v every step is announced before it starts and the
// logs pass through as they come.
//
// A step's line is written without its end, so a step that finishes with
// nothing else written meanwhile ends on the same line ("... done in 3.2 s").
// Anything else written to stderr first ends the pending line. On a
// terminal, a quiet step is announced at once and its line is erased again
// when the step took less than a second.
type console struct {
	stdout, stderr io.Writer
	verbose        bool
	// tty: stderr is a terminal, where a line can be erased.
	tty bool
	// shared: stdout and stderr are the same file, so a response ends a
	// pending step line too.
	shared bool
	// grace is how long a quiet step runs before its line is written, where
	// it cannot be erased; slow is the time from which a step's end shows
	// its elapsed time.
	grace, slow time.Duration
	// every is the least time between two progress reports of a step: a
	// terminal's line is rewritten often, a log gets a line now and then.
	every time.Duration

	mu       sync.Mutex
	pending  *step // the step whose line is open: the last thing on stderr, without a newline
	current  *step // the step running, for the interrupted message
	logs     logTail
	stopping bool    // the run is stopping the emulator: its log from here on is shutdown noise
	shutdown logTail // that noise, shown only if stopping fails
	partial  []byte  // an emulator log line not yet ended
	shown    bool    // the kept logs were shown
	// source is the function whose emulator writes the log now; reasons
	// are its warnings and errors, shown on failure even without -v.
	source  string
	reasons logTail
}

// maxLogBytes bounds the log a quiet run keeps to show on failure; older
// lines are dropped first.
const maxLogBytes = 1 << 20

func newConsole(stdout, stderr io.Writer, verbose bool) *console {
	c := &console{
		stdout: stdout, stderr: stderr, verbose: verbose,
		grace: time.Second, slow: time.Second, every: 15 * time.Second,
		logs:     logTail{max: maxLogBytes},
		shutdown: logTail{max: 64 << 10},
		reasons:  logTail{max: maxReasonBytes},
	}
	errFile, ok := stderr.(*os.File)
	if !ok {
		return c
	}
	if fi, err := errFile.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
		c.tty = true
		c.every = 200 * time.Millisecond
	}
	if outFile, ok := stdout.(*os.File); ok {
		a, errA := outFile.Stat()
		b, errB := errFile.Stat()
		c.shared = errA == nil && errB == nil && os.SameFile(a, b)
	}
	return c
}

// step is one long part of a run: a build, starting servers, the invokes.
type step struct {
	c     *console
	what  string
	first string // its first line: what, and the note
	start time.Time
	timer *time.Timer
	// reported is when progress was last reported.
	reported time.Time

	announced bool // its line was written
	open      bool // its line is still pending
	erased    bool // its line was erased from the terminal
	finished  bool
	failed    bool
}

// step starts step what, described in the -ing form ("building the
// bootstrap"), with note added in parentheses to its first line. Call done
// when the step ends.
func (c *console) step(what, note string) *step {
	s := &step{c: c, what: what, start: time.Now()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current = s
	first := what
	if note != "" {
		first += " (" + note + ")"
	}
	s.first = first
	if c.verbose || c.tty {
		c.announce(s, first)
		return s
	}
	s.timer = time.AfterFunc(c.grace, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !s.finished {
			c.announce(s, first)
		}
	})
	return s
}

// announce writes s's line, without its end. c.mu is held.
func (c *console) announce(s *step, line string) {
	c.endPending()
	fmt.Fprintf(c.stderr, "local: %s...", line)
	s.announced, s.open = true, true
	c.pending = s
}

// endPending ends the pending step line before something else is written:
// a quiet line on a terminal is erased, any other gets its newline. c.mu is
// held.
func (c *console) endPending() {
	s := c.pending
	if s == nil {
		return
	}
	if c.tty && !c.verbose {
		fmt.Fprint(c.stderr, "\r\033[K")
		s.erased = true
	} else {
		fmt.Fprintln(c.stderr)
	}
	s.open = false
	c.pending = nil
}

// done ends the step. A step that failed says nothing more: the error
// follows.
func (s *step) done(err error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.finished {
		return
	}
	s.finished, s.failed = true, err != nil
	if s.timer != nil {
		s.timer.Stop()
	}
	took := time.Since(s.start)
	switch {
	case !s.announced:
	case s.open && err != nil:
		fmt.Fprintln(c.stderr)
	case s.open && took >= c.slow:
		fmt.Fprintf(c.stderr, " done in %s\n", elapsed(took))
	case s.open && c.tty && !c.verbose:
		fmt.Fprint(c.stderr, "\r\033[K")
	case s.open:
		fmt.Fprintln(c.stderr, " done")
	case err == nil && took >= c.slow:
		fmt.Fprintf(c.stderr, "local: %s: done in %s\n", s.what, elapsed(took))
	}
	if s.open {
		s.open = false
		c.pending = nil
	}
}

// progress reports how far the step got, such as "57 of 182 packages
// compiled", at most once per c.every: on a terminal in place of the
// step's line, elsewhere in a line of its own with the time so far.
// Before the step is announced it says nothing.
func (s *step) progress(text string) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if s.finished || !s.announced || now.Sub(s.reported) < c.every {
		return
	}
	s.reported = now
	if c.tty && !c.verbose && c.pending == s {
		fmt.Fprintf(c.stderr, "\r\033[Klocal: %s... [%s]", s.first, text)
		return
	}
	c.endPending()
	fmt.Fprintf(c.stderr, "local: %s: %s, %s so far\n", s.what, text, elapsed(now.Sub(s.start)))
}

// currentStep returns what the run was doing: the last step, if it has not
// ended or it failed, or "".
func (c *console) currentStep() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == nil || c.current.finished && !c.current.failed {
		return ""
	}
	return c.current.what
}

// result writes one response on stdout.
func (c *console) result(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shared {
		c.endPending()
	}
	b = bytes.TrimRight(b, "\r\n")
	_, err := fmt.Fprintf(c.stdout, "%s\n", b)
	return err
}

// line writes one line on stderr.
func (c *console) line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endPending()
	fmt.Fprintln(c.stderr, s)
}

// detail writes a line on stderr with -v only.
func (c *console) detail(s string) {
	if c.verbose {
		c.line(s)
	}
}

// Write takes the emulator's output: the function's own stdout and stderr,
// START/END/REPORT lines and the emulator's log. With -v it passes through
// at once; otherwise it is kept for showing on failure. Once the run stops
// the emulator, what it logs while shutting down is kept apart.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.logLine(string(c.partial[:i]))
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) == 0 {
		c.partial = nil
	}
	return len(p), nil
}

// logLine takes one line of the emulator's output. c.mu is held.
func (c *console) logLine(line string) {
	line = strings.TrimRight(line, "\r")
	if !c.stopping {
		if r, ok := reasonLine(line); ok {
			c.reasons.add("local: " + c.source + " logged " + r)
		}
	}
	switch {
	case c.stopping:
		c.shutdown.add(line)
	case c.verbose:
		c.endPending()
		fmt.Fprintln(c.stderr, labelReport(line))
	default:
		c.logs.add(labelReport(line))
	}
}

// labelReport says in a REPORT line what its Max Memory Used is: the
// emulator reports the configured memory size there, it measures nothing.
func labelReport(line string) string {
	if !strings.HasPrefix(line, "REPORT RequestId: ") {
		return line
	}
	i := strings.Index(line, "Max Memory Used: ")
	if i < 0 {
		return line
	}
	j := strings.Index(line[i:], " MB")
	if j < 0 {
		return line
	}
	end := i + j + len(" MB")
	return line[:end] + " (the configured size; the emulator does not measure it)" + line[end:]
}

// from names the function whose emulator writes the log from now on.
func (c *console) from(fn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushPartial()
	c.source = fn
	c.stopping = false
}

// showReasons writes the warnings and errors the functions logged, the
// reason a run failed, in a few lines: shown even without -v.
func (c *console) showReasons() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushPartial()
	c.endPending()
	c.reasons.writeTo(c.stderr, "why, from the function's log")
}

// maxReasonBytes bounds the warnings and errors kept for showReasons, and
// maxReasonLine each of them.
const (
	maxReasonBytes = 8 << 10
	maxReasonLine  = 600
)

// reasonKeys are the members of a function's JSON log line that say why,
// in the order shown.
var reasonKeys = []string{"outcome", "reason", "failure_reasons", "status", "upstream_status", "errorType", "errorMessage", "error"}

// reasonLine returns a warning or an error of a function's log (a JSON
// line from log/slog, or slog's text format) in one short line: the level,
// the message and the members in reasonKeys.
func reasonLine(line string) (string, bool) {
	if strings.HasPrefix(line, "time=") {
		for _, lvl := range []string{" level=WARN ", " level=ERROR "} {
			if strings.Contains(line, lvl) {
				return truncate(line), true
			}
		}
		return "", false
	}
	if !strings.HasPrefix(line, "{") {
		return "", false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(line), &m) != nil {
		return "", false
	}
	var level, msg string
	_ = json.Unmarshal(m["level"], &level)
	if level != "WARN" && level != "ERROR" {
		return "", false
	}
	if json.Unmarshal(m["message"], &msg) != nil {
		_ = json.Unmarshal(m["msg"], &msg)
	}
	var parts []string
	for _, k := range reasonKeys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		v := string(raw)
		var str string
		if json.Unmarshal(raw, &str) == nil {
			v = str
		}
		parts = append(parts, k+"="+v)
	}
	out := level + " " + strconv.Quote(msg)
	if len(parts) > 0 {
		out += ": " + strings.Join(parts, ", ")
	}
	return truncate(out), true
}

// truncate bounds a reason line.
func truncate(s string) string {
	if len(s) <= maxReasonLine {
		return s
	}
	return strings.ToValidUTF8(s[:maxReasonLine], "") + "..."
}

// stop marks the start of the emulator's shutdown.
func (c *console) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushPartial()
	c.stopping = true
}

// flushPartial takes a last log line that never got its newline. c.mu is held.
func (c *console) flushPartial() {
	if len(c.partial) > 0 {
		c.logLine(string(c.partial))
		c.partial = nil
	}
}

// showLogs writes the kept log on stderr after a failure, once, and the
// shutdown log too when stopping the emulator failed. With -v the log was
// shown as it came.
func (c *console) showLogs(withShutdown bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shown {
		return
	}
	c.shown = true
	c.flushPartial()
	c.endPending()
	if !c.verbose {
		c.logs.writeTo(c.stderr, "the emulator's and the function's log")
	}
	if withShutdown {
		c.shutdown.writeTo(c.stderr, "the emulator's log while stopping")
	}
}

// logTail keeps the last lines of a log, up to max bytes.
type logTail struct {
	max     int
	lines   []string
	size    int
	dropped int
}

func (t *logTail) add(line string) {
	t.lines = append(t.lines, line)
	t.size += len(line) + 1
	for t.size > t.max && len(t.lines) > 1 {
		t.size -= len(t.lines[0]) + 1
		t.lines[0] = ""
		t.lines = t.lines[1:]
		t.dropped++
	}
}

// writeTo writes the kept lines under a heading naming the log.
func (t *logTail) writeTo(w io.Writer, name string) {
	if len(t.lines) == 0 {
		return
	}
	if t.dropped > 0 {
		fmt.Fprintf(w, "local: %s (its last %s; %s before them not kept):\n", name, count(len(t.lines), "line", "lines"), count(t.dropped, "line", "lines"))
	} else {
		fmt.Fprintf(w, "local: %s:\n", name)
	}
	for _, l := range t.lines {
		fmt.Fprintln(w, l)
	}
}

// elapsed formats a step's duration: tenths of a second under a minute,
// whole seconds above.
func elapsed(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return d.Round(time.Second).String()
}

// tally is what a run saw, for its verdict line and its -v details.
type tally struct {
	function string
	results  []*lambdatest.Result
	// counts are what the run's loopback services counted, such as
	// "1 Secrets Manager request"; live says there were none.
	counts []string
	live   bool
}

// verdict is the one line a run ends with on stderr, such as
//
//	getcall: ok, 1 invoke, init 7.1 ms, duration 1.2 ms, 1 Secrets Manager request, 1 upstream request
//
// init is the runtime's init (the emulator's INIT REPORT: from starting the
// bootstrap to its first request for an event); duration is the REPORT
// line's Duration, for more than one invoke the first and then the
// percentiles of the rest.
func (t tally) verdict() string {
	var failed []string
	for _, res := range t.results {
		if res.Err != nil && !slices.Contains(failed, res.Err.Type) {
			failed = append(failed, res.Err.Type)
		}
	}
	nFailed := 0
	for _, res := range t.results {
		if res.Err != nil {
			nFailed++
		}
	}
	head := t.function + ": ok"
	if d, findings := t.drift(); d > 0 && nFailed == 0 {
		// Warn mode returns a call that breaks the contract: the verdict
		// says so, not only the "contract" member on stdout.
		head = t.function + ": drift in warn mode, "
		if len(t.results) == 1 {
			head += count(findings, "contract finding", "contract findings")
		} else {
			head += fmt.Sprintf("%d of %d responses not conformant (%s)", d, len(t.results), count(findings, "contract finding", "contract findings"))
		}
	}
	switch {
	case nFailed > 0 && len(t.results) == 1:
		head = t.function + ": function error " + failed[0]
	case nFailed > 0:
		head = fmt.Sprintf("%s: function error on %d of %d invokes (%s)", t.function, nFailed, len(t.results), strings.Join(failed, ", "))
	}
	parts := []string{count(len(t.results), "invoke", "invokes")}
	var inits []string
	for _, res := range t.results {
		for _, d := range res.Init {
			inits = append(inits, ms(d))
		}
	}
	switch len(inits) {
	case 0:
	case 1:
		parts = append(parts, "init "+inits[0])
	default:
		parts = append(parts, "inits "+strings.Join(inits, ", "))
	}
	var durations []time.Duration
	for _, res := range t.results {
		if res.HasReport {
			durations = append(durations, res.Report.Duration)
		}
	}
	switch {
	case len(durations) == 1:
		parts = append(parts, "duration "+ms(durations[0]))
	case len(durations) > 1:
		s := slices.Clone(durations[1:])
		slices.Sort(s)
		parts = append(parts, fmt.Sprintf("duration %s, then p50 %s, p99 %s", ms(durations[0]), ms(quantile(s, 0.5)), ms(quantile(s, 0.99))))
	}
	if t.live {
		parts = append(parts, "live")
	}
	parts = append(parts, t.counts...)
	return head + ", " + strings.Join(parts, ", ")
}

// drift returns how many of the responses say they break the contract
// (getcall's "contract": {"conformant": false} in warn mode, in the payload
// or in an HTTP response's body) and their findings in all.
func (t tally) drift() (responses, findings int) {
	for _, res := range t.results {
		if res.Err != nil {
			continue
		}
		if c, ok := contractSummary(res.Payload); ok && !c.Conformant {
			responses++
			findings += c.Findings
		}
	}
	return responses, findings
}

// summary is the "contract" member of a normalized call.
type summary struct {
	Conformant bool `json:"conformant"`
	Findings   int  `json:"findings"`
}

// contractSummary reads the "contract" member of a payload: a normalized
// call, or an HTTP response (API Gateway, Function URL) whose body is one.
func contractSummary(payload []byte) (summary, bool) {
	var doc struct {
		Contract   *summary `json:"contract"`
		StatusCode int      `json:"statusCode"`
		Body       *string  `json:"body"`
	}
	if json.Unmarshal(payload, &doc) != nil {
		return summary{}, false
	}
	if doc.Contract != nil {
		return *doc.Contract, true
	}
	if doc.StatusCode != 0 && doc.Body != nil {
		var body struct {
			Contract *summary `json:"contract"`
		}
		if json.Unmarshal([]byte(*doc.Body), &body) == nil && body.Contract != nil {
			return *body.Contract, true
		}
	}
	return summary{}, false
}

// details are the -v lines before the verdict: each invoke's figures (the
// first maxInvokeLines of them) and, for more than two invokes, the
// percentiles of the warm ones.
func (t tally) details() []string {
	var lines []string
	n := len(t.results)
	for i, res := range t.results {
		if n > maxInvokeLines && i == 3 {
			lines = append(lines, fmt.Sprintf("local: invokes 4..%d not shown", n))
		}
		if n > maxInvokeLines && i >= 3 {
			continue
		}
		lines = append(lines, invokeLine(i, n, res))
	}
	if n > 2 {
		var durations, walls []time.Duration
		for _, res := range t.results[1:] {
			if res.HasReport {
				durations = append(durations, res.Report.Duration)
			}
			walls = append(walls, res.Wall)
		}
		lines = append(lines, fmt.Sprintf("local: invokes 2..%d: duration %s, wall %s", n, percentiles(durations), percentiles(walls)))
	}
	return lines
}

// maxInvokeLines bounds the per-invoke lines; past it the warm invokes are
// summed up in one line of percentiles.
const maxInvokeLines = 20

// invokeLine describes invoke i (from 0) of n.
func invokeLine(i, n int, res *lambdatest.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "local: invoke %d/%d:", i+1, n)
	for _, d := range res.Init {
		fmt.Fprintf(&b, " init %s (INIT REPORT),", ms(d))
	}
	if res.HasReport {
		fmt.Fprintf(&b, " duration %s,", ms(res.Report.Duration))
	} else {
		b.WriteString(" no REPORT,")
	}
	fmt.Fprintf(&b, " wall %s", ms(res.Wall))
	if res.Err != nil {
		fmt.Fprintf(&b, ", function error %s", res.Err.Type)
	}
	return b.String()
}

// percentiles formats the minimum, median, 99th percentile and maximum of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "n/a"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return fmt.Sprintf("min %s p50 %s p99 %s max %s", ms(s[0]), ms(quantile(s, 0.5)), ms(quantile(s, 0.99)), ms(s[len(s)-1]))
}

// quantile returns the q-quantile of sorted, which is not empty.
func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

// ms formats d in milliseconds: one decimal from 1 ms, two below.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	prec := 1
	if v < 1 {
		prec = 2
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " ms"
}

// count formats n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
