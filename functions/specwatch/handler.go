// Package specwatch is the scheduled spec watch: it fetches SignalWire's
// published OpenAPI document, reports each change to what a reader of
// Retrieve a Call or List Calls sees once, as a "Spec Changed" EventBridge
// event (callwire.spec.changed.v1, checked before it is sent), metrics and
// one log line, and says for each change which document recent live calls
// follow. See README.md.
package specwatch

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/specdiff"
	"github.com/callwire/callwire/contract/specevent"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/signalwire"
)

// stateStore keeps the last published document seen.
type stateStore interface {
	// LoadSpec returns the item, or ok false on the first run.
	LoadSpec(ctx context.Context) (idempotency.SpecState, bool, error)
	// SaveSpec writes it on condition that it still holds prevSHA256;
	// idempotency.ErrSpecStateConflict otherwise.
	SaveSpec(ctx context.Context, st idempotency.SpecState, prevSHA256 string) error
}

var _ stateStore = (*idempotency.Store)(nil)

// eventPutter puts one event and returns its id.
type eventPutter interface {
	Put(ctx context.Context, detailType, detail string) (string, error)
}

var _ eventPutter = (*events.Bus)(nil)

// callSource lists and retrieves recent calls for the live sample.
type callSource interface {
	ListCallSIDs(ctx context.Context, n int) ([]string, error)
	GetCallRaw(ctx context.Context, sid string) (*signalwire.Response, error)
}

var _ callSource = (*signalwire.Client)(nil)

// Outcomes of a run.
const (
	OutcomeUnchanged = "unchanged"        // the document is the one last seen
	OutcomeNoChange  = "no-reader-change" // a new version, nothing a reader sees changed
	OutcomeChanged   = "changed"          // an event was sent
	OutcomeFailed    = "failed"           // see Failure
)

// Handler serves the spec watch's invocations.
type Handler struct {
	cfg     Config
	fetch   *fetcher
	state   stateStore
	bus     eventPutter
	calls   callSource
	log     *slog.Logger
	metrics *emf.Writer
	now     func() time.Time
}

// Deps are what NewFrom joins.
type Deps struct {
	Config    Config
	State     stateStore
	Bus       eventPutter
	Calls     callSource
	Transport http.RoundTripper // nil: a new one
	Log       *slog.Logger
	Metrics   *emf.Writer
}

// New loads the configuration through getenv and builds the clients from
// the Lambda environment with boot.Start, once per cold start, as every
// function does: metrics on stdout (SecretStaleServes counted), log lines
// bounded (logcap). It makes no request.
func New(_ context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	rt, err := boot.Start(getenv, "specwatch", cfg.Settings, Metrics)
	if err != nil {
		return nil, err
	}
	return NewFrom(Deps{
		Config:  cfg,
		State:   idempotency.New(rt.AWS, cfg.Table),
		Bus:     events.New(rt.AWS, cfg.Bus, cfg.Source),
		Calls:   boot.Client(rt.Secrets, cfg.Settings),
		Log:     rt.Log,
		Metrics: rt.Metrics,
	}), nil
}

// NewFrom builds a Handler from its dependencies.
func NewFrom(d Deps) *Handler {
	return &Handler{cfg: d.Config, fetch: newFetcher(d.Config, d.Transport), state: d.State, bus: d.Bus,
		calls: d.Calls, log: d.Log, metrics: d.Metrics, now: time.Now}
}

// Report is what a run returns and logs.
type Report struct {
	Outcome        string         `json:"outcome"`
	DocumentSHA256 string         `json:"document_sha256,omitempty"`
	Baseline       string         `json:"baseline,omitempty"`
	Breaking       int            `json:"breaking"`
	NonBreaking    int            `json:"non_breaking"`
	Info           int            `json:"info"`
	Vanished       []string       `json:"vanished,omitempty"`
	SampledCalls   int            `json:"sampled_calls"`
	EventID        string         `json:"event_id,omitempty"`
	Changes        []ChangeDetail `json:"changes,omitempty"`
	Failure        *Failure       `json:"failure,omitempty"`
}

// ChangeDetail is one change as the event and the report carry it.
type ChangeDetail struct {
	Operation string  `json:"operation"`
	Severity  string  `json:"severity"`
	Kind      string  `json:"kind"`
	Pointer   string  `json:"pointer"`
	Rule      string  `json:"rule"`
	Old       string  `json:"old,omitempty"`
	New       string  `json:"new,omitempty"`
	Message   string  `json:"message"`
	Reality   Reality `json:"reality"`
}

// Failure is a run that could not do its job. Lambda reports it with
// errorType Failure.
type Failure struct {
	// Stage is state, fetch, document, event or save.
	Stage  string `json:"stage"`
	Detail string `json:"detail"`
}

// Error says what failed.
func (f *Failure) Error() string { return "specwatch: " + f.Stage + ": " + f.Detail }

// Handle runs one watch. The input (a schedule's event) is not read. It
// returns the report, or a *Failure when the watch could not do its job:
// the failure is counted (SpecWatchFailures) and logged, never taken for
// "no change".
func (h *Handler) Handle(ctx context.Context, _ json.RawMessage) (*Report, error) {
	rep, fail := h.run(ctx)
	dims := emf.Dimensions("specwatch", h.cfg.FunctionName)
	values := []emf.Value{
		{Name: emf.SpecWatchFailures, Unit: emf.Count},
		{Name: emf.SpecChanges, Unit: emf.Count, Value: float64(rep.Breaking + rep.NonBreaking + rep.Info)},
		{Name: emf.SpecBreakingChanges, Unit: emf.Count, Value: float64(rep.Breaking)},
		{Name: emf.SpecOperationsVanished, Unit: emf.Count, Value: float64(len(rep.Vanished))},
	}
	if fail != nil {
		rep.Outcome, rep.Failure = OutcomeFailed, fail
		values[0].Value = 1
	} else {
		values = append(values, emf.Value{Name: emf.SpecChecks, Unit: emf.Count, Value: 1})
	}
	if err := h.metrics.Emit(dims, values...); err != nil {
		h.log.WarnContext(ctx, "specwatch: metrics not written", "error", err.Error())
	}
	h.logReport(ctx, rep)
	if fail != nil {
		return rep, fail
	}
	return rep, nil
}

// logReport writes the one log line of a run.
func (h *Handler) logReport(ctx context.Context, rep *Report) {
	attrs := []slog.Attr{slog.String("outcome", rep.Outcome), slog.Int("breaking", rep.Breaking),
		slog.Int("non_breaking", rep.NonBreaking), slog.Int("info", rep.Info), slog.Int("sampled_calls", rep.SampledCalls)}
	if rep.DocumentSHA256 != "" {
		attrs = append(attrs, slog.String("document_sha256", rep.DocumentSHA256), slog.String("baseline", rep.Baseline))
	}
	if len(rep.Vanished) > 0 {
		attrs = append(attrs, slog.Any("vanished", rep.Vanished))
	}
	if rep.EventID != "" {
		attrs = append(attrs, slog.String("event_id", rep.EventID))
	}
	if len(rep.Changes) > 0 {
		var lines []string
		for _, c := range rep.Changes[:min(len(rep.Changes), 20)] {
			lines = append(lines, c.Severity+" "+c.Operation+" "+c.Kind+" "+c.Pointer+" reality="+string(c.Reality))
		}
		attrs = append(attrs, slog.Any("changes", lines))
	}
	level := slog.LevelInfo
	if rep.Failure != nil {
		attrs = append(attrs, slog.String("stage", rep.Failure.Stage), slog.String("error", rep.Failure.Detail))
		level = slog.LevelError
	}
	h.log.LogAttrs(ctx, level, "specwatch", attrs...)
}

// run does the watch and returns its report and failure.
func (h *Handler) run(ctx context.Context) (*Report, *Failure) {
	rep := &Report{Outcome: OutcomeUnchanged}
	prev, seen, err := h.state.LoadSpec(ctx)
	if err != nil {
		return rep, &Failure{Stage: "state", Detail: "the last version seen could not be read"}
	}
	var etag, lastModified string
	if seen {
		etag, lastModified = prev.ETag, prev.LastModified
	}
	doc, err := h.fetch.fetch(ctx, etag, lastModified)
	if errors.Is(err, errNotModified) {
		rep.DocumentSHA256 = prev.SHA256
		return rep, nil
	}
	if err != nil {
		return rep, &Failure{Stage: "fetch", Detail: err.Error()}
	}
	rep.DocumentSHA256 = doc.sha256
	if seen && doc.sha256 == prev.SHA256 {
		return rep, nil
	}
	published, err := specdiff.Load("the published document", doc.body)
	if err != nil {
		return rep, &Failure{Stage: "document", Detail: err.Error()}
	}
	changes, baseline, err := h.compare(prev, seen, published)
	if err != nil {
		return rep, &Failure{Stage: "document", Detail: err.Error()}
	}
	rep.Baseline = baseline
	for _, c := range changes {
		if c.change.Kind == specdiff.KindOperationRemoved {
			rep.Vanished = append(rep.Vanished, c.op.Name)
		}
	}
	next := idempotency.SpecState{SHA256: doc.sha256, ETag: doc.etag, LastModified: doc.lastModified,
		Document: doc.body, SeenAt: h.now().Unix()}
	if len(changes) == 0 {
		rep.Outcome = OutcomeNoChange
		if err := h.save(ctx, next, prev, seen); err != nil {
			return rep, err
		}
		return rep, nil
	}
	samples := h.sample(ctx, changes, rep)
	for _, c := range changes {
		d := ChangeDetail{Operation: c.op.Name, Severity: string(c.change.Severity), Kind: c.change.Kind,
			Pointer: c.change.Pointer, Rule: c.change.Rule, Old: clip(c.change.Old, 512), New: clip(c.change.New, 512),
			Message: clip(c.change.Message, 1024), Reality: RealityNotExercised}
		if c.op.Name == specdiff.RetrieveCall.Name && len(samples) > 0 {
			d.Reality = judge(c.change, newSide(c.old, c.op, c.change.Pointer), newSide(published, c.op, c.change.Pointer), samples)
		}
		rep.Changes = append(rep.Changes, d)
		switch c.change.Severity {
		case specdiff.SeverityBreaking:
			rep.Breaking++
		case specdiff.SeverityNonBreaking:
			rep.NonBreaking++
		default:
			rep.Info++
		}
	}
	id, fail := h.publish(ctx, rep, doc)
	if fail != nil {
		return rep, fail
	}
	rep.EventID, rep.Outcome = id, OutcomeChanged
	if err := h.save(ctx, next, prev, seen); err != nil {
		return rep, err
	}
	return rep, nil
}

// save records next as the last version seen.
func (h *Handler) save(ctx context.Context, next, prev idempotency.SpecState, seen bool) *Failure {
	prevSHA := ""
	if seen {
		prevSHA = prev.SHA256
	}
	if err := h.state.SaveSpec(ctx, next, prevSHA); err != nil {
		if errors.Is(err, idempotency.ErrSpecStateConflict) {
			return &Failure{Stage: "save", Detail: "another run recorded a version first"}
		}
		return &Failure{Stage: "save", Detail: "the version seen could not be recorded"}
	}
	return nil
}

// found is one change with the operation and the document it was judged against.
type found struct {
	op     specdiff.Operation
	old    *specdiff.Document
	change specdiff.Change
}

var severityRank = map[specdiff.Severity]int{specdiff.SeverityBreaking: 0, specdiff.SeverityNonBreaking: 1, specdiff.SeverityInfo: 2}

// compare lists the changes: on the first run Retrieve a Call against the
// pinned document; afterwards both operations against the last version
// seen (Retrieve a Call against the pinned one when the last version did
// not document it). Breaking first.
func (h *Handler) compare(prev idempotency.SpecState, seen bool, published *specdiff.Document) ([]found, string, error) {
	pinned, err := specdiff.Load("the pinned document", contract.Spec)
	if err != nil {
		return nil, "", fmt.Errorf("pinned document: %w", err)
	}
	baseline := "pinned"
	var last *specdiff.Document
	if seen {
		baseline = "last-seen"
		if last, err = specdiff.Load("the last version seen", prev.Document); err != nil {
			return nil, "", err
		}
	}
	var out []found
	for _, op := range []specdiff.Operation{specdiff.RetrieveCall, specdiff.ListCalls} {
		old := last
		if old == nil || !old.Has(op) {
			if op.Name != specdiff.RetrieveCall.Name {
				continue // nothing to compare List Calls with yet
			}
			old = pinned
		}
		rep, err := specdiff.Compare(op, old, published)
		if err != nil {
			return nil, "", err
		}
		for _, c := range rep.Changes {
			out = append(out, found{op: op, old: old, change: c})
		}
	}
	slices.SortStableFunc(out, func(a, b found) int {
		return cmp.Compare(severityRank[a.change.Severity], severityRank[b.change.Severity])
	})
	return out, baseline, nil
}

// sample retrieves up to SampleCalls recent calls when a Retrieve a Call
// change has a pointer to judge. A failure leaves the verdicts
// not-exercised and is logged: the changes are still reported.
func (h *Handler) sample(ctx context.Context, changes []found, rep *Report) []sample {
	if h.cfg.SampleCalls == 0 || h.calls == nil || !slices.ContainsFunc(changes, func(f found) bool {
		return f.op.Name == specdiff.RetrieveCall.Name && f.change.Pointer != ""
	}) {
		return nil
	}
	sids, err := h.calls.ListCallSIDs(ctx, h.cfg.SampleCalls)
	if err != nil {
		h.log.WarnContext(ctx, "specwatch: no live sample: list calls failed", "error", sampleError(err))
		return nil
	}
	var out []sample
	for _, sid := range sids[:min(len(sids), h.cfg.SampleCalls)] {
		resp, err := h.calls.GetCallRaw(ctx, sid)
		if err != nil {
			h.log.WarnContext(ctx, "specwatch: a sampled call could not be retrieved", "call_sid", sid, "error", sampleError(err))
			continue
		}
		body, err := contract.DecodeJSON(resp.Body)
		if err != nil {
			continue
		}
		out = append(out, sample{status: resp.StatusCode, body: body})
	}
	rep.SampledCalls = len(out)
	return out
}

// sampleError is what the log may say of a sampling failure: the HTTP
// status of an API error, else its kind, never upstream text.
func sampleError(err error) string {
	var ae *signalwire.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("HTTP %d", ae.StatusCode)
	}
	return "the request failed"
}

// detail is the Spec Changed event detail, callwire.spec.changed.v1.
type detail struct {
	Schema         string         `json:"schema"`
	SourceURL      string         `json:"source_url"`
	DocumentSHA256 string         `json:"document_sha256"`
	ETag           *string        `json:"etag"`
	Baseline       string         `json:"baseline"`
	Breaking       int            `json:"breaking"`
	NonBreaking    int            `json:"non_breaking"`
	Info           int            `json:"info"`
	ChangesOmitted int            `json:"changes_omitted"`
	SampledCalls   int            `json:"sampled_calls"`
	Changes        []ChangeDetail `json:"changes"`
}

// publish checks the detail against its schema and sends it.
func (h *Handler) publish(ctx context.Context, rep *Report, doc document) (string, *Failure) {
	u := *h.cfg.URL
	u.RawQuery, u.Fragment = "", ""
	d := detail{Schema: specevent.Name, SourceURL: u.String(), DocumentSHA256: doc.sha256, Baseline: rep.Baseline,
		Breaking: rep.Breaking, NonBreaking: rep.NonBreaking, Info: rep.Info, SampledCalls: rep.SampledCalls,
		Changes: rep.Changes[:min(len(rep.Changes), specevent.MaxChanges)]}
	d.ChangesOmitted = len(rep.Changes) - len(d.Changes)
	if doc.etag != "" {
		d.ETag = &doc.etag
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", &Failure{Stage: "event", Detail: "the event could not be encoded"}
	}
	if err := specevent.Validate(b); err != nil {
		return "", &Failure{Stage: "event", Detail: err.Error()}
	}
	id, err := h.bus.Put(ctx, specevent.DetailType, string(b))
	if err != nil {
		return "", &Failure{Stage: "event", Detail: "the event was not accepted: " + eventError(err)}
	}
	return id, nil
}

// eventError names an EventBridge failure without its request details.
func eventError(err error) string {
	var rej *events.Rejected
	switch {
	case errors.As(err, &rej):
		return rej.Code
	case errors.Is(err, events.ErrTooLarge):
		return "too large"
	default:
		return "the request failed"
	}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
