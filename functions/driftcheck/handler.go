package driftcheck

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/drift"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
	"golang.org/x/sync/errgroup"
)

// callSource retrieves call exchanges and lists recent calls from SignalWire.
type callSource interface {
	// GetCallRaw returns the final response for any HTTP status. Errors mean
	// there was none; they wrap voice.ErrUpstream (transport, timeout) or
	// voice.ErrCredentials.
	GetCallRaw(ctx context.Context, sid string) (*signalwire.Response, error)
	// ListCallSIDs returns up to n recent call SIDs. A non-2xx answer is an
	// *signalwire.APIError; a malformed page wraps voice.ErrUpstream.
	ListCallSIDs(ctx context.Context, n int) ([]string, error)
}

var _ callSource = (*signalwire.Client)(nil)

// Time budget defaults. A check in flight gets until defaultReserve before
// the invocation deadline, which leaves the time to write the report; no new
// check starts with less than defaultStartMargin left.
const (
	defaultWorkers     = 4
	defaultReserve     = 500 * time.Millisecond
	defaultStartMargin = time.Second + defaultReserve
)

// Handler serves driftcheck invocations; one lives per execution environment.
type Handler struct {
	cfg         config
	calls       callSource
	validator   func() (*contract.Validator, error)
	log         *slog.Logger
	metrics     *emf.Writer
	now         func() time.Time
	newSID      func() (string, error)
	workers     int
	reserve     time.Duration
	startMargin time.Duration
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	calls   callSource
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *Handler {
	h := &Handler{
		cfg:         d.cfg,
		calls:       d.calls,
		validator:   sync.OnceValues(contract.New),
		log:         d.log,
		metrics:     d.metrics,
		now:         time.Now,
		newSID:      randomSID,
		workers:     defaultWorkers,
		reserve:     defaultReserve,
		startMargin: defaultStartMargin,
	}
	// Build the validator while the first invocation lists calls and reads
	// the secret, not in front of it.
	go func() { _, _ = h.validator() }()
	return h
}

// job is one exchange to check.
type job struct {
	sid   string
	probe bool
}

// result is the outcome of one job; done is false when the job did not run
// or was cut short by the time budget.
type result struct {
	done   bool
	status int
	res    contract.Result
}

// opError is an operational failure: what driftcheck was doing and why it
// could not. It unwraps to the cause, so classify sees the voice sentinels.
type opError struct {
	stage string // "list calls", "call <sid>" or "not-found probe <sid>"
	err   error
}

func (e *opError) Error() string { return "driftcheck: " + e.stage + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// detail is the part of e a caller may see: the stage and an HTTP status,
// never credentials or upstream bodies.
func (e *opError) detail() string {
	var ae *signalwire.APIError
	switch {
	case errors.As(e.err, &ae):
		return e.stage + ": HTTP " + strconv.Itoa(ae.StatusCode)
	case errors.Is(e.err, voice.ErrCredentials):
		return "the secret cannot be read or does not hold valid credentials"
	case e.stage == "list calls":
		return e.stage + ": no usable page (no answer, or a page that does not decode)"
	}
	return e.stage + ": no answer"
}

// Handle is the Lambda entry point. payload is the schedule's input or a
// direct invoke's event (see input); the answer is the drift report.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (*drift.Report, error) {
	report := drift.New(contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256}, h.now())
	p, err := decodeInput(payload, h.cfg)
	if err != nil {
		h.logFailure(ctx, report, err)
		return nil, functionError(err, strings.TrimPrefix(err.Error(), errInvalidRequest.Error()+": "))
	}
	v, err := h.validator()
	if err != nil {
		err = fmt.Errorf("driftcheck: contract validator: %w: %w", voice.ErrInternal, err)
		h.logFailure(ctx, report, err)
		return nil, functionError(err, "")
	}

	// Checks in flight stop h.reserve before the deadline; the rest of the
	// time is for the report.
	workCtx, cancel := context.WithCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		workCtx, cancel = context.WithDeadline(ctx, deadline.Add(-h.reserve))
	}
	defer cancel()

	jobs := make([]job, 0, len(p.sids)+p.sampleRecent+1)
	for _, sid := range p.sids {
		jobs = append(jobs, job{sid: sid})
	}
	partial := false
	if p.sampleRecent > 0 {
		listed, err := h.calls.ListCallSIDs(workCtx, p.sampleRecent)
		switch {
		case err != nil && h.outOfTime(workCtx, err):
			partial = true
		case err != nil:
			opErr := &opError{stage: "list calls", err: err}
			h.logFailure(ctx, report, opErr)
			return nil, functionError(opErr, opErr.detail())
		}
		seen := make(map[string]bool, len(jobs))
		for _, j := range jobs {
			seen[j.sid] = true
		}
		for _, sid := range listed {
			if !seen[sid] {
				seen[sid] = true
				jobs = append(jobs, job{sid: sid})
			}
		}
	}
	if p.probeNotFound && !partial {
		sid, err := h.newSID()
		if err != nil {
			err = fmt.Errorf("driftcheck: probe sid: %w: %w", voice.ErrInternal, err)
			h.logFailure(ctx, report, err)
			return nil, functionError(err, "")
		}
		jobs = append(jobs, job{sid: sid, probe: true})
	}

	results, err := h.run(ctx, workCtx, v, jobs)
	if err != nil {
		h.logFailure(ctx, report, err)
		var opErr *opError
		if errors.As(err, &opErr) {
			return nil, functionError(err, opErr.detail())
		}
		return nil, functionError(err, "")
	}
	for i, j := range jobs {
		r := results[i]
		switch {
		case !r.done:
			partial = true
		case j.probe:
			report.AddProbe(j.sid, r.status, r.res)
		default:
			report.Add(j.sid, r.status, r.res)
		}
	}
	report.Partial = partial
	report.Finish(h.now())
	h.logReport(ctx, report)
	h.emit(ctx, report)
	return report, nil
}

// run checks jobs, h.workers at a time, and returns their results in job
// order. No job starts with less than h.startMargin left before ctx's
// deadline (its result stays not done). The first operational failure
// cancels the other jobs and is returned.
func (h *Handler) run(ctx, workCtx context.Context, v *contract.Validator, jobs []job) ([]result, error) {
	results := make([]result, len(jobs))
	g, gctx := errgroup.WithContext(workCtx)
	g.SetLimit(h.workers)
	for i, j := range jobs {
		g.Go(func() error {
			if gctx.Err() != nil || !h.canStart(ctx) {
				return nil
			}
			r, err := h.check(gctx, v, j)
			results[i] = r
			return err
		})
	}
	return results, g.Wait()
}

// canStart reports whether there is time left to start another check.
func (h *Handler) canStart(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) >= h.startMargin
}

// outOfTime reports whether err came from the time budget (or a cancelled
// invocation) rather than from SignalWire.
func (h *Handler) outOfTime(workCtx context.Context, err error) bool {
	if workCtx.Err() != nil {
		return true
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// The client stops its attempts a margin before the deadline it is given,
	// so its deadline error can come just before workCtx ends.
	deadline, ok := workCtx.Deadline()
	return ok && time.Until(deadline) < time.Second
}

// check retrieves and checks one exchange. A failure that says nothing about
// the contract (no answer, 401/403, 429 or 5xx after the client's retries)
// is an *opError; a check cut short by the time budget is a result that is
// not done.
func (h *Handler) check(ctx context.Context, v *contract.Validator, j job) (result, error) {
	stage := "call " + j.sid
	if j.probe {
		stage = "not-found probe " + j.sid
	}
	resp, err := h.calls.GetCallRaw(ctx, j.sid)
	if err != nil {
		if h.outOfTime(ctx, err) {
			return result{}, nil
		}
		return result{}, &opError{stage: stage, err: err}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized, s == http.StatusForbidden,
		s == http.StatusTooManyRequests, s >= 500:
		return result{}, &opError{stage: stage, err: resp.Err()}
	}
	res := v.Check(contract.Exchange{
		Method: resp.Method, URL: resp.URL, Status: resp.StatusCode, Header: resp.Header, Body: resp.Body,
	})
	return result{done: true, status: resp.StatusCode, res: res}, nil
}

// logReport writes the invocation's one log line: the whole report.
func (h *Handler) logReport(ctx context.Context, r *drift.Report) {
	level := slog.LevelInfo
	if r.NonConformant > 0 || r.Partial {
		level = slog.LevelWarn
	}
	h.log.LogAttrs(ctx, level, "driftcheck",
		slog.String("outcome", "ok"),
		slog.Any("report", r))
}

// logFailure writes the invocation's one log line for a failed run.
func (h *Handler) logFailure(ctx context.Context, r *drift.Report, err error) {
	typ, _ := classify(err)
	h.log.LogAttrs(ctx, slog.LevelError, "driftcheck",
		slog.String("outcome", typ),
		slog.String("error", err.Error()),
		slog.Time("started_at", r.StartedAt))
}

// emit writes the run's metrics: one record with DriftChecks and
// DriftNonConformant, and one DriftFindings record per severity.
func (h *Handler) emit(ctx context.Context, r *drift.Report) {
	errs := []error{h.metrics.Emit(emf.Dimensions("driftcheck", h.cfg.FunctionName),
		emf.Value{Name: emf.DriftChecks, Unit: emf.Count, Value: float64(r.Checked)},
		emf.Value{Name: emf.DriftNonConformant, Unit: emf.Count, Value: float64(r.NonConformant)},
	)}
	counts := r.BySeverity()
	for _, sev := range []contract.Severity{contract.SeverityError, contract.SeverityWarning, contract.SeverityInfo} {
		dims := emf.Dimensions("driftcheck", h.cfg.FunctionName)
		dims["Severity"] = string(sev)
		errs = append(errs, h.metrics.Emit(dims,
			emf.Value{Name: emf.DriftFindings, Unit: emf.Count, Value: float64(counts[sev])}))
	}
	if err := errors.Join(errs...); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}

// randomSID returns a random version 4 UUID: a Call SID no call has.
func randomSID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
