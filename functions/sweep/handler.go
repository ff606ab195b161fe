package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// callLister pages through List Calls. Errors wrap the voice sentinels; a
// non-2xx answer is a *signalwire.APIError.
type callLister interface {
	ListCalls(ctx context.Context, q signalwire.CallsQuery) (*signalwire.CallsPage, error)
	NextCalls(ctx context.Context, p *signalwire.CallsPage) (*signalwire.CallsPage, error)
}

var _ callLister = (*signalwire.Client)(nil)

// publishedReader tells which event ids were published already.
type publishedReader interface {
	Published(ctx context.Context, eventIDs []string) (map[string]bool, error)
}

// hintSender puts hints on the consumer's queue and says how many it sent.
type hintSender interface {
	Send(ctx context.Context, hints []pipeline.Hint) (int, error)
}

// pageMargin is the time a page needs: no page is asked for with less left
// before the deadline, so the run always reports.
const pageMargin = 5 * time.Second

// Handler runs one sweep per invocation.
type Handler struct {
	cfg       config
	calls     callLister
	published publishedReader
	queue     hintSender
	validator func() (*contract.Validator, error)
	log       *slog.Logger
	metrics   *emf.Writer
	dims      map[string]string
	now       func() time.Time
}

// Report is what one run did; it is logged as one line and returned.
type Report struct {
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Pages       int       `json:"pages"`
	Listed      int       `json:"listed"`
	Finished    int       `json:"finished_calls"`
	Published   int       `json:"already_published"`
	Enqueued    int       `json:"enqueued"`
	// Repeated counts the listed calls seen earlier in the same run (a
	// call and status is queued at most once per run).
	Repeated int `json:"repeated"`
	// Findings counts the error findings of the listed calls against the
	// pinned call schema, plus the calls of another account and the pages
	// larger than asked (each one finding); Unreadable the list elements
	// that had no usable sid or status (they cannot be swept).
	Findings   int `json:"findings"`
	Unreadable int `json:"unreadable"`
	// Unclassified counts the calls whose status is none SignalWire
	// documents, even under the status rule (voice.MatchStatus): the sweep
	// cannot tell whether they ended, so it queues none of them.
	// StatusDrift counts the calls whose documented status was spelled
	// otherwise; they are swept in the documented spelling.
	Unclassified int `json:"unclassified"`
	StatusDrift  int `json:"status_drift"`
	// ForeignAccount counts the calls whose account_sid is not the
	// project's: findings, never queued.
	ForeignAccount int `json:"foreign_account"`
	// OversizedPages counts the pages holding more calls than asked for.
	OversizedPages int `json:"oversized_pages"`
	// Complete is false when the run stopped before the end of its window:
	// Stopped says why (page limit, deadline, SignalWire, or
	// pagination_loop with Loop naming the evidence).
	Complete bool   `json:"complete"`
	Stopped  string `json:"stopped,omitempty"`
	Loop     string `json:"loop,omitempty"`
}

// Stop reasons a report may carry besides the SignalWire and queue ones.
const (
	stopPaginationLoop = "pagination_loop"
	stopDeadline       = "deadline reached"
	stopDeadlineInPage = "deadline reached while reading a page"
)

// Handle runs one sweep over the window the input (or the configuration)
// gives. SignalWire failing mid-run ends the run with the report so far
// (Complete false) and a function error, so nothing is silent.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (*Report, error) {
	in, err := decodeInput(payload, h.cfg, h.now())
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "sweep", slog.String("outcome", fail.InvalidRequest), slog.String("error", err.Error()))
		return nil, functionError(err)
	}
	rep := &Report{WindowStart: in.end.Add(-in.window), WindowEnd: in.end}
	runErr := h.sweep(ctx, rep)
	h.emit(ctx, rep)
	attrs := []slog.Attr{slog.Any("report", rep)}
	level, outcome := slog.LevelInfo, "ok"
	if !rep.Complete {
		level, outcome = slog.LevelWarn, "window not finished"
	}
	if runErr != nil {
		level, outcome = slog.LevelError, classify(runErr).Type
		attrs = append(attrs, slog.String("error", runErr.Error()))
	}
	h.log.LogAttrs(ctx, level, "sweep", append([]slog.Attr{slog.String("outcome", outcome)}, attrs...)...)
	if runErr != nil {
		return rep, functionError(runErr)
	}
	return rep, nil
}

// sweep reads the window page by page and queues the finished calls not yet
// published. Each page is handled before the next is asked for, so what was
// read is queued even when a later page fails. Pagination cannot loop: a
// next_page_uri naming a page already read (after normalising it), or a
// page holding no call not seen before, ends the window as pagination_loop.
func (h *Handler) sweep(ctx context.Context, rep *Report) error {
	v, err := h.validator()
	if err != nil {
		rep.Stopped = "internal error"
		return fmt.Errorf("%w: contract validator: %w", voice.ErrInternal, err)
	}
	r := &run{seen: map[string]bool{}, queued: map[string]bool{}, pages: map[string]bool{}}
	page, err := h.calls.ListCalls(ctx, signalwire.CallsQuery{
		PageSize: h.cfg.pageSize, EndedAfter: rep.WindowStart, EndedBefore: rep.WindowEnd,
	})
	for {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				// The page was cut by the deadline: the window is left
				// unread as at a deadline between pages, not because
				// SignalWire failed.
				rep.Stopped = stopDeadlineInPage
				return nil
			}
			rep.Stopped = "SignalWire: " + classify(err).Message
			return fmt.Errorf("sweep: list calls: %w", err)
		}
		rep.Pages++
		r.pages[page.Key] = true
		fresh, pageErr := h.sweepPage(ctx, v, page, rep, r)
		if pageErr != nil {
			rep.Stopped = "queue or idempotency table unavailable"
			return pageErr
		}
		if page.NextPageURI == "" {
			rep.Complete = true
			return nil
		}
		if next := page.NextKey(); r.pages[next] {
			rep.Stopped = stopPaginationLoop
			rep.Loop = fmt.Sprintf("page %d: next_page_uri names a page already read", rep.Pages)
			return nil
		}
		if fresh == 0 {
			rep.Stopped = stopPaginationLoop
			rep.Loop = fmt.Sprintf("page %d holds no call not already seen, yet names a next page", rep.Pages)
			return nil
		}
		if rep.Pages >= h.cfg.pageLimit {
			rep.Stopped = fmt.Sprintf("page limit (%d pages of %d) reached", h.cfg.pageLimit, h.cfg.pageSize)
			return nil
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < pageMargin {
			rep.Stopped = stopDeadline
			return nil
		}
		page, err = h.calls.NextCalls(ctx, page)
	}
}

// run is what one sweep has seen so far.
type run struct {
	seen   map[string]bool // calls listed (by sid, or by content when unreadable)
	queued map[string]bool // event ids queued or found published
	pages  map[string]bool // page keys read
}

// sweepPage checks each call of one page against the pinned call schema,
// keeps those of the project in a terminal status, drops those already
// published or already handled in this run, and queues the rest. It returns
// how many of the page's calls had not been seen before in the run.
func (h *Handler) sweepPage(ctx context.Context, v *contract.Validator, page *signalwire.CallsPage, rep *Report, r *run) (int, error) {
	rep.Listed += len(page.Calls)
	if len(page.Calls) > page.PageSize {
		rep.OversizedPages++
		rep.Findings++
	}
	project := strings.ToLower(page.Response.ProjectID)
	fresh := 0
	var hints []pipeline.Hint
	var ids []string
	for _, elem := range page.Calls {
		obj, _ := elem.(map[string]any)
		rawSID, _ := obj["sid"].(string)
		status, _ := obj["status"].(string)
		key := callKey(rawSID, elem)
		if r.seen[key] {
			rep.Repeated++
		} else {
			r.seen[key] = true
			fresh++
		}
		rep.Findings += h.check(v, page.Response, rawSID, elem)
		sid, err := voice.ParseSID(rawSID)
		if err != nil || status == "" {
			rep.Unreadable++
			continue
		}
		if account, _ := obj["account_sid"].(string); strings.ToLower(account) != project {
			rep.ForeignAccount++
			rep.Findings++
			continue
		}
		st, ok := voice.MatchStatus(status)
		if !ok {
			rep.Unclassified++
			continue
		}
		if string(st) != status {
			rep.StatusDrift++
		}
		if !slices.Contains(pipeline.TerminalStatuses, st) {
			continue
		}
		id := pipeline.EventID(sid, st)
		if r.queued[id] {
			continue
		}
		r.queued[id] = true
		rep.Finished++
		hints = append(hints, pipeline.Hint{CallSID: sid, Status: string(st), Source: pipeline.SourceSweep})
		ids = append(ids, id)
	}
	if len(hints) == 0 {
		return fresh, nil
	}
	done, err := h.published.Published(ctx, ids)
	if err != nil {
		return fresh, fmt.Errorf("sweep: read published events: %w", err)
	}
	todo := hints[:0]
	for i, hint := range hints {
		if done[ids[i]] {
			rep.Published++
			continue
		}
		todo = append(todo, hint)
	}
	n, err := h.queue.Send(ctx, todo)
	rep.Enqueued += n
	if err != nil {
		return fresh, fmt.Errorf("sweep: enqueue: %w", err)
	}
	return fresh, nil
}

// callKey identifies a listed call within a run: its sid when it is one,
// otherwise a digest of the element, so repeated unreadable elements are
// seen as repeated too.
func callKey(rawSID string, elem any) string {
	if sid, err := voice.ParseSID(rawSID); err == nil {
		return "sid:" + sid
	}
	b, _ := json.Marshal(elem)
	sum := sha256.Sum256(b)
	return "raw:" + hex.EncodeToString(sum[:])
}

// check validates one list element as the body of Retrieve a Call (the list
// element has the call's shape) and returns its error findings. A drifted
// element still yields its call when its sid and status are usable.
func (h *Handler) check(v *contract.Validator, resp *signalwire.Response, sid string, elem any) int {
	body, err := json.Marshal(elem)
	if err != nil {
		return 1
	}
	ex := contract.Exchange{
		Method: http.MethodGet,
		URL:    "/api/laml/2010-04-01/Accounts/" + resp.ProjectID + "/Calls/" + sid,
		Status: http.StatusOK,
		Header: resp.Header,
		Body:   body,
	}
	return v.Check(ex).Errors()
}

// emit writes the run's metrics.
func (h *Handler) emit(ctx context.Context, rep *Report) {
	unfinished, loops := 0.0, 0.0
	if !rep.Complete {
		unfinished = 1
	}
	if rep.Stopped == stopPaginationLoop {
		loops = 1
	}
	err := h.metrics.Emit(h.dims,
		emf.Value{Name: emf.SweepCallsListed, Unit: emf.Count, Value: float64(rep.Listed)},
		emf.Value{Name: emf.SweepAlreadyPublished, Unit: emf.Count, Value: float64(rep.Published)},
		emf.Value{Name: emf.SweepEnqueued, Unit: emf.Count, Value: float64(rep.Enqueued)},
		emf.Value{Name: emf.SweepPages, Unit: emf.Count, Value: float64(rep.Pages)},
		emf.Value{Name: emf.SweepWindowsNotFinished, Unit: emf.Count, Value: unfinished},
		emf.Value{Name: emf.SweepFindings, Unit: emf.Count, Value: float64(rep.Findings)},
		emf.Value{Name: emf.SweepCallsUnclassified, Unit: emf.Count, Value: float64(rep.Unclassified)},
		emf.Value{Name: emf.SweepPaginationLoops, Unit: emf.Count, Value: loops},
	)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}

// errInvalidRequest marks an input the sweep cannot run.
var errInvalidRequest = fail.ErrInvalidRequest
