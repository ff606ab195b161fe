package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/sync/errgroup"

	"github.com/callwire/callwire/functions/internal/emf"
	eventbus "github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/voice"
)

// publishReserve is the part of the invocation kept for publishing, marking
// done and answering once the retrievals stop: a retrieval still running
// then is cancelled and its records come back through the queue. PutEvents
// gets the reserve minus markBudget (6 s), so a PutEvents that takes 5 s is
// waited for rather than cut off after EventBridge took the events.
const publishReserve = 8 * time.Second

// markBudget is the time kept after PutEvents for recording its outcome in
// the idempotency table (done, released or possibly published). Those
// writes run on a context of their own that the expiring invocation cannot
// cancel; it ends a tenth of the budget (200 ms) before the Lambda deadline
// at the latest.
const markBudget = 2 * time.Second

// callRetriever retrieves, checks and normalizes one call. Errors wrap the
// voice sentinels (see retrieve.Retriever.Get); the Outcome is filled as far
// as the retrieval got, also on failure.
type callRetriever interface {
	Get(ctx context.Context, sid string) (voice.Call, retrieve.Outcome, error)
}

var _ callRetriever = (*retrieve.Retriever)(nil)

// claimStore is the idempotency record of published event ids.
type claimStore interface {
	// Claim claims id until the given time; the Claim's State says whether
	// the caller must publish (Claimed), need not (Done) or must retry
	// later (Busy).
	Claim(ctx context.Context, id string, until time.Time) (idempotency.Claim, error)
	// Complete marks a claimed id published.
	Complete(ctx context.Context, c idempotency.Claim) error
	// Release gives up a claim whose publish failed.
	Release(ctx context.Context, c idempotency.Claim) error
	// MarkPossiblyPublished records that the publish under c may have gone
	// out; the next claim of the id is its last attempt (Claim.Again).
	MarkPossiblyPublished(ctx context.Context, c idempotency.Claim) error
	// Published reports which ids were published within the record's TTL.
	Published(ctx context.Context, ids []string) (map[string]bool, error)
}

var _ claimStore = (*idempotency.Store)(nil)

// deadLetterSender puts a record that can never be published on the
// callback dead-letter queue, with the reason as a message attribute.
type deadLetterSender interface {
	Send(ctx context.Context, body, reason string) error
}

var _ deadLetterSender = (*queue.DeadLetters)(nil)

// fetchCounter reports how many Secrets Manager calls were made so far.
type fetchCounter interface{ Fetches() int64 }

// Handler serves the publish function's invocations: SQS batches of hints.
// One handler lives per execution environment.
type Handler struct {
	calls       callRetriever
	store       claimStore
	bus         eventPutter
	deadLetters deadLetterSender // nil: such records are item failures
	source      string
	concurrency int
	reserve     time.Duration
	markBudget  time.Duration // of reserve, kept for recording PutEvents' outcome
	secrets     fetchCounter
	log         *slog.Logger
	metrics     *emf.Writer
	dims        map[string]string // the metrics' dimensions; read only
	cold        atomic.Bool
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	calls   callRetriever
	store   claimStore
	bus     eventPutter
	dlq     deadLetterSender
	secrets fetchCounter
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *Handler {
	h := &Handler{
		calls:       d.calls,
		store:       d.store,
		bus:         d.bus,
		deadLetters: d.dlq,
		source:      d.cfg.source,
		concurrency: max(d.cfg.concurrency, 1),
		reserve:     publishReserve,
		markBudget:  markBudget,
		secrets:     d.secrets,
		log:         d.log,
		metrics:     d.metrics,
		dims:        emf.Dimensions("publish", d.cfg.FunctionName),
	}
	h.cold.Store(true)
	return h
}

// reason is why a hint's records go back to the queue.
type reason string

// Reasons for an item failure.
const (
	reasonMalformed    reason = "malformed"         // not a hint; it reaches the DLQ after maxReceiveCount
	reasonDeadline     reason = "deadline"          // not retrieved before the batch deadline
	reasonNotFound     reason = "not_found"         // SignalWire does not know the call (yet)
	reasonRateLimited  reason = "rate_limited"      // SignalWire answered 429
	reasonUpstream     reason = "upstream"          // 5xx, transport failure or timeout
	reasonUnauthorized reason = "unauthorized"      // SignalWire refused the credentials
	reasonCredentials  reason = "credentials"       // the secret could not be read or used
	reasonContract     reason = "contract"          // the response cannot be trusted
	reasonNotFinal     reason = "not_final"         // the hint says terminal, SignalWire not yet
	reasonBusy         reason = "claimed_elsewhere" // another invocation is publishing the event
	reasonIdempotency  reason = "idempotency"       // the idempotency table failed
	reasonPublish      reason = "publish"           // EventBridge did not take the event
	// reasonPublishUnknown: PutEvents timed out or failed in a way that
	// may have delivered the event; the id is marked possibly published.
	reasonPublishUnknown reason = "publish_unknown"
	reasonInternal       reason = "internal"
	// The reasons of records sent to the dead-letter queue at once: no
	// retry can publish them.
	reasonUnknownStatus reason = "unknown_status" // SignalWire's status is none it documents
	reasonInvalidEvent  reason = "invalid_event"  // the event would break callwire.call.event.v1
)

// reasons is publish's view of fail.Classes: a retrieval stopped by the
// batch's deadline or its cancellation is "deadline" whatever else it wraps.
var reasons = fail.Table{Overrides: []fail.Class{
	{Sentinel: context.DeadlineExceeded, Reason: string(reasonDeadline)},
	{Sentinel: context.Canceled, Reason: string(reasonDeadline)},
}}

// classify names the reason of a retrieval error.
func classify(err error) reason { return reason(reasons.Classify(err).Reason) }

// Results of a call group.
const (
	resultPending          = ""
	resultPublished        = "published"
	resultAlreadyPublished = "already_published"
	resultRetry            = "retry"
	resultDeadLettered     = "dead_lettered"
	// resultLastAttempt: the last attempt of a possibly published id had
	// an unknown outcome too; the id is marked done and the records
	// acknowledged, since it may have gone out twice already.
	resultLastAttempt = "last_attempt_unconfirmed"
)

// group is the records of one batch that name the same call: it is
// retrieved, claimed and published once, and its records share the outcome.
type group struct {
	sid     string
	records []int // indices into the batch
	hints   []pipeline.Hint
	// terminal is set when a hint says the call reached a terminal status.
	terminal bool

	outcome   retrieve.Outcome
	call      voice.Call
	eventID   string
	claim     idempotency.Claim
	entry     entry
	busID     string // EventBridge's id of the published event
	result    string
	reason    reason
	err       error
	skipped   bool  // known published before retrieval
	markError error // Complete failed after the publish
	// drift is SignalWire's spelling of the status when the status rule
	// respelled it.
	drift string
	// possibly is set when the PutEvents outcome was unknown and the id
	// was marked possibly published.
	possibly bool
}

func (g *group) fail(r reason, err error) {
	g.result, g.reason, g.err = resultRetry, r, err
}

// deadLetter gives up on the group's records: no retry can publish them.
func (g *group) deadLetter(r reason, err error) {
	g.result, g.reason, g.err = resultDeadLettered, r, err
}

// hintFor returns the hint the event carries: the one that reported the
// retrieved status, or else the first.
func (g *group) hintFor(status voice.Status) pipeline.Hint {
	for _, h := range g.hints {
		if s, _ := voice.MatchStatus(h.Status); s == status {
			return h
		}
	}
	return g.hints[0]
}

// batch is one invocation's work.
type batch struct {
	records   []events.SQSMessage
	failed    []bool
	malformed []error // per record, set for a message that is not a hint
	// deadLettered is set per record sent to the dead-letter queue.
	deadLettered []bool
	groups       []*group
	requests     int // PutEvents requests
}

// Handle serves one SQS batch. It answers with the records to retry (all
// others are deleted from the queue); it never fails as a whole, so one bad
// record cannot hold back the others.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	start := time.Now()
	cold := h.cold.Swap(false)
	fetchesBefore := h.fetches()
	until, _ := ctx.Deadline()
	cutoff := time.Time{}
	if !until.IsZero() {
		cutoff = until.Add(-h.reserve)
	}

	b := h.parse(ev.Records)
	h.skipPublished(ctx, b)
	h.retrieveAndClaim(ctx, b, cutoff, until)
	h.publish(ctx, b, until)
	h.sendDeadLetters(ctx, b)

	var resp events.SQSEventResponse
	for _, g := range b.groups {
		if g.result == resultRetry {
			for _, i := range g.records {
				b.failed[i] = true
			}
		}
	}
	for i, r := range b.records {
		if b.failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	h.report(ctx, b, cold, h.fetches()-fetchesBefore, time.Since(start))
	return resp, nil
}

func (h *Handler) fetches() int64 {
	if h.secrets == nil {
		return 0
	}
	return h.secrets.Fetches()
}

// parse reads each record's hint and groups the records by call.
func (h *Handler) parse(records []events.SQSMessage) *batch {
	b := &batch{records: records, failed: make([]bool, len(records)), malformed: make([]error, len(records)),
		deadLettered: make([]bool, len(records))}
	bySID := map[string]*group{}
	for i, r := range records {
		hint, err := pipeline.ParseHint([]byte(r.Body))
		if err == nil && hint.Source != pipeline.SourceCallback && hint.Source != pipeline.SourceSweep {
			err = fmt.Errorf("%w: source %q is neither %s nor %s", pipeline.ErrMessage, clip(hint.Source), pipeline.SourceCallback, pipeline.SourceSweep)
		}
		if err != nil {
			b.failed[i], b.malformed[i] = true, err
			continue
		}
		g := bySID[hint.CallSID]
		if g == nil {
			g = &group{sid: hint.CallSID}
			bySID[hint.CallSID] = g
			b.groups = append(b.groups, g)
		}
		g.records = append(g.records, i)
		g.hints = append(g.hints, hint)
		g.terminal = g.terminal || isTerminal(hintStatus(hint))
	}
	return b
}

func isTerminal(s voice.Status) bool { return slices.Contains(pipeline.TerminalStatuses, s) }

// hintStatus is the hint's status under the status rule, or "" when it
// names no documented status.
func hintStatus(h pipeline.Hint) voice.Status {
	s, _ := voice.MatchStatus(h.Status)
	return s
}

// clip shortens a value echoed in an error.
func clip(s string) string {
	const maxEcho = 32
	if len(s) > maxEcho {
		return s[:maxEcho] + "..."
	}
	return s
}

// skipPublished acknowledges, without retrieving them, the calls whose
// hints name a terminal status already published: a terminal status is
// final, so the event id the hint predicts is the one a retrieval would
// produce. A failed lookup only costs the retrievals.
func (h *Handler) skipPublished(ctx context.Context, b *batch) {
	var ids []string
	for _, g := range b.groups {
		for _, hint := range g.hints {
			if s := hintStatus(hint); isTerminal(s) {
				ids = append(ids, pipeline.EventID(g.sid, s))
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	published, err := h.store.Published(ctx, ids)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "publish: idempotency lookup failed; retrieving every call", slog.String("error", err.Error()))
		return
	}
	for _, g := range b.groups {
		for _, hint := range g.hints {
			if s := hintStatus(hint); s == "" {
				continue
			} else if id := pipeline.EventID(g.sid, s); published[id] {
				g.result, g.eventID, g.skipped = resultAlreadyPublished, id, true
				break
			}
		}
	}
}

// retrieveAndClaim retrieves the calls of the batch, at most h.concurrency
// at once, and claims the event id of each confirmed call. Retrievals stop
// at cutoff; claims last until the invocation's deadline.
func (h *Handler) retrieveAndClaim(ctx context.Context, b *batch, cutoff, until time.Time) {
	rctx := ctx
	if !cutoff.IsZero() {
		var cancel context.CancelFunc
		rctx, cancel = context.WithDeadline(ctx, cutoff)
		defer cancel()
	}
	var eg errgroup.Group
	eg.SetLimit(h.concurrency)
	for _, g := range b.groups {
		if g.result != resultPending {
			continue
		}
		eg.Go(func() error {
			h.retrieveOne(ctx, rctx, g, until)
			return nil
		})
	}
	_ = eg.Wait()
}

func (h *Handler) retrieveOne(ctx, rctx context.Context, g *group, until time.Time) {
	if rctx.Err() != nil {
		g.fail(reasonDeadline, errors.New("not retrieved: the batch deadline came first"))
		return
	}
	call, out, err := h.calls.Get(rctx, g.sid)
	g.outcome = out
	if err != nil {
		g.fail(classify(err), err)
		return
	}
	// The status rule: a documented status in another spelling is
	// published in the documented one (and reported as drift); any other
	// status is never published, since no retry changes what SignalWire
	// answered for it.
	status, ok := voice.MatchStatus(string(call.Status))
	if !ok {
		g.deadLetter(reasonUnknownStatus, fmt.Errorf("SignalWire answered status %q, which it does not document", clip(string(call.Status))))
		return
	}
	if status != call.Status {
		g.drift, call.Status = string(call.Status), status
	}
	if g.terminal && !isTerminal(call.Status) {
		g.fail(reasonNotFinal, fmt.Errorf("a hint says the call ended, SignalWire still says %s", call.Status))
		return
	}
	g.call = call
	g.eventID = pipeline.EventID(g.sid, call.Status)
	c, err := h.store.Claim(ctx, g.eventID, until)
	if err != nil {
		g.fail(reasonIdempotency, err)
		return
	}
	switch c.State {
	case idempotency.Done:
		g.result = resultAlreadyPublished
	case idempotency.Busy:
		g.fail(reasonBusy, fmt.Errorf("event %s is claimed by another invocation until %s", g.eventID, c.Until.UTC().Format(time.RFC3339)))
	default:
		g.claim = c
	}
}

// markContext returns the context the outcome of PutEvents is recorded on:
// its own budget, not cancelled with the invocation, and ending before the
// invocation's deadline (until, zero when there is none).
func markContext(ctx context.Context, budget time.Duration, until time.Time) (context.Context, context.CancelFunc) {
	end := time.Now().Add(budget)
	if margin := budget / 10; !until.IsZero() && until.Add(-margin).Before(end) {
		end = until.Add(-margin)
	}
	return context.WithDeadline(context.WithoutCancel(ctx), end)
}

// publish puts the events of the claimed calls, on a context that ends
// markBudget before the invocation's deadline (until), then records each
// outcome on a context of its own (markContext): a published event is
// marked done; a refused one releases its claim; one whose outcome is
// unknown marks its id possibly published, and on the last attempt
// (Claim.Again) marks it done, so that no id goes out more than twice.
func (h *Handler) publish(ctx context.Context, b *batch, until time.Time) {
	var pending []*group
	var entries []eventbus.Entry
	for _, g := range b.groups {
		if g.result != resultPending {
			continue
		}
		e, err := newEntry(h.source, newDetail(g.sid, g.call, g.hintFor(g.call.Status)))
		if errors.Is(err, errInvalidEvent) {
			g.deadLetter(reasonInvalidEvent, err)
			continue
		}
		if err != nil {
			g.fail(reasonInternal, err)
			continue
		}
		g.entry = e
		pending = append(pending, g)
		entries = append(entries, e.Entry)
	}
	var results []eventbus.Result
	if len(entries) > 0 {
		pctx := ctx
		if !until.IsZero() {
			var cancel context.CancelFunc
			pctx, cancel = context.WithDeadline(ctx, until.Add(-h.markBudget))
			defer cancel()
		}
		results, b.requests = h.bus.PutAll(pctx, entries)
	}
	for i, g := range pending {
		r := results[i]
		switch {
		case r.Err == nil:
			g.result, g.busID = resultPublished, r.EventID
		case r.Unknown && g.claim.Again:
			g.result, g.reason, g.err, g.possibly = resultLastAttempt, reasonPublishUnknown, r.Err, true
		case r.Unknown:
			g.fail(reasonPublishUnknown, r.Err)
			g.possibly = true
		default:
			g.fail(reasonPublish, r.Err)
		}
	}
	mctx, cancel := markContext(ctx, h.markBudget, until)
	defer cancel()
	var eg errgroup.Group
	eg.SetLimit(h.concurrency)
	for _, g := range b.groups {
		if g.claim.State != idempotency.Claimed {
			continue
		}
		eg.Go(func() error {
			switch {
			case g.result == resultPublished || g.result == resultLastAttempt:
				// The event is out (or may be, for the second time): a
				// failure here is logged and counted, and the records are
				// still acknowledged. The claim then expires, and a later
				// hint for the call publishes it again.
				g.markError = h.store.Complete(mctx, g.claim)
			case g.possibly:
				g.markError = h.store.MarkPossiblyPublished(mctx, g.claim)
			default:
				if err := h.store.Release(mctx, g.claim); err != nil {
					h.log.LogAttrs(ctx, slog.LevelWarn, "publish: claim not released; it expires by itself",
						slog.String("event_id", g.eventID), slog.String("error", err.Error()))
				}
			}
			return nil
		})
	}
	_ = eg.Wait()
}

// sendDeadLetters puts the records of the groups that can never be
// published on the dead-letter queue, each with its reason, and
// acknowledges them. A record that cannot be sent (or every such record,
// without a dead-letter queue) is an item failure instead, and the queue's
// redrive policy moves it after its receives.
func (h *Handler) sendDeadLetters(ctx context.Context, b *batch) {
	for _, g := range b.groups {
		if g.result != resultDeadLettered {
			continue
		}
		for _, i := range g.records {
			if h.deadLetters == nil {
				b.failed[i] = true
				continue
			}
			if err := h.deadLetters.Send(ctx, b.records[i].Body, string(g.reason)); err != nil {
				b.failed[i] = true
				h.log.LogAttrs(ctx, slog.LevelWarn, "publish: record not sent to the dead-letter queue; it comes back through the queue",
					slog.String("message_id", b.records[i].MessageId), slog.String("reason", string(g.reason)), slog.String("error", err.Error()))
				continue
			}
			b.deadLettered[i] = true
		}
	}
}
