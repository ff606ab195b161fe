package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// callFetcher retrieves one call exchange from SignalWire.
// GetCallRaw returns the final response for any HTTP status; errors wrap the
// voice sentinels (ErrInvalidSID, ErrUpstream, ErrCredentials).
type callFetcher interface {
	GetCallRaw(ctx context.Context, sid string) (*signalwire.Response, error)
}

var _ callFetcher = (*signalwire.Client)(nil)

// fetchCounter reports how many Secrets Manager calls were made so far.
type fetchCounter interface{ Fetches() int64 }

// handler serves getcall invocations. One handler lives per execution
// environment; its clients and caches are reused by warm invocations.
type handler struct {
	calls     callFetcher
	secrets   fetchCounter
	validator func() (*contract.Validator, error)
	mode      contractMode
	log       *slog.Logger
	metrics   *emf.Writer
	dims      map[string]string // the metrics' dimensions; read only
	now       func() time.Time
	cold      atomic.Bool
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	calls   callFetcher
	secrets fetchCounter
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *handler {
	h := &handler{
		calls:     d.calls,
		secrets:   d.secrets,
		mode:      d.cfg.mode,
		log:       d.log,
		metrics:   d.metrics,
		dims:      emf.Dimensions("getcall", d.cfg.FunctionName),
		now:       time.Now,
		validator: sync.OnceValues(contract.New),
	}
	if h.mode != modeOff {
		// Build the validator while the first invocation fetches the secret,
		// not in front of it.
		go func() { _, _ = h.validator() }()
	}
	h.cold.Store(true)
	return h
}

// outcome collects what one invocation logs and measures.
type outcome struct {
	sid            string
	event          string
	result         string
	upstreamStatus int
	attempts       int
	latency        time.Duration
	findings       []contract.Finding
	conformant     *bool
	err            error
}

// Handle is the Lambda entry point. It accepts a direct invoke, an EventBridge
// event or an HTTP API / Function URL event, and answers each in its own shape.
func (h *handler) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	cold := h.cold.Swap(false)
	fetchesBefore := h.fetches()
	var out outcome
	defer func() { h.report(ctx, &out, cold, h.fetches()-fetchesBefore) }()

	req, err := decodeEvent(payload)
	if err != nil {
		out.event, out.err = "unknown", err
		return nil, h.fail(&out, err)
	}
	switch req.kind {
	case kindHTTP:
		out.event = "http"
		return h.serveHTTP(ctx, req, &out), nil
	case kindEventBridge:
		out.event = "eventbridge"
	default:
		out.event = "direct"
	}
	call, err := h.getCall(ctx, req.sid, &out)
	if err != nil {
		return nil, h.fail(&out, err)
	}
	out.result = "ok"
	return call, nil
}

func (h *handler) fetches() int64 {
	if h.secrets == nil {
		return 0
	}
	return h.secrets.Fetches()
}

// fail records err and turns it into the function error callers match on.
func (h *handler) fail(out *outcome, err error) error {
	out.err = err
	c := classify(err)
	out.result = c.typ
	return functionError(c, errorDetail(c, err))
}

// errorDetail is the part of an error a caller may see: never credentials,
// never upstream bodies.
func errorDetail(c errorClass, err error) string {
	var fe *signalwire.FieldError
	var ce *contractError
	switch {
	case c.typ == typeInvalidRequest:
		return strings.TrimPrefix(err.Error(), errInvalidRequest.Error()+": ")
	case errors.As(err, &ce):
		return ce.detail
	case errors.As(err, &fe):
		return fe.Error()
	}
	return ""
}

// serveHTTP answers GET /calls/{sid}; errors become {"error": {"type", "message"}}.
func (h *handler) serveHTTP(ctx context.Context, req request, out *outcome) events.APIGatewayV2HTTPResponse {
	sid, status := route(req.method, req.path)
	switch status {
	case http.StatusNotFound:
		out.result = "NotFound"
		return jsonResponse(status, errorBody("NotFound", "no such route; use GET /calls/{sid}"))
	case http.StatusMethodNotAllowed:
		out.result = "MethodNotAllowed"
		resp := jsonResponse(status, errorBody("MethodNotAllowed", "only GET is allowed"))
		resp.Headers["Allow"] = "GET"
		return resp
	}
	call, err := h.getCall(ctx, sid, out)
	if err != nil {
		out.err = err
		c := classify(err)
		out.result = c.typ
		return jsonResponse(c.status, errorBody(c.typ, c.message))
	}
	out.result = "ok"
	body, err := json.Marshal(call)
	if err != nil {
		out.err = err
		return jsonResponse(http.StatusInternalServerError, errorBody(typeUpstreamUnavailable, "internal error"))
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(body),
	}
}

func errorBody(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]map[string]string{"error": {"type": typ, "message": msg}})
	return b
}

func jsonResponse(status int, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(body),
	}
}

// contractError is a ContractViolation with a caller-safe detail.
type contractError struct{ detail string }

func (e *contractError) Error() string { return "contract violation: " + e.detail }
func (e *contractError) Unwrap() error { return voice.ErrContract }

// getCall retrieves, checks and normalizes one call.
func (h *handler) getCall(ctx context.Context, rawSID string, out *outcome) (voice.Call, error) {
	sid, err := voice.ParseSID(rawSID)
	if err != nil {
		return voice.Call{}, err
	}
	out.sid = sid
	resp, err := h.calls.GetCallRaw(ctx, sid)
	if err != nil {
		return voice.Call{}, err
	}
	out.upstreamStatus, out.attempts, out.latency = resp.StatusCode, resp.Attempts, resp.Latency

	var res *contract.Result
	var doc any // the body as the check decoded it
	if h.mode != modeOff {
		v, err := h.validator()
		if err != nil {
			return voice.Call{}, fmt.Errorf("getcall: contract validator: %w", err)
		}
		var r contract.Result
		r, doc = v.CheckDecoded(contract.Exchange{Method: resp.Method, URL: resp.URL, Status: resp.StatusCode, Header: resp.Header, Body: resp.Body})
		res = &r
		out.findings = r.Findings
		out.conformant = &r.Conformant
	}
	if err := resp.Err(); err != nil {
		return voice.Call{}, fmt.Errorf("getcall: call %s: %w", sid, err)
	}
	if res != nil && h.mode == modeStrict && !res.Conformant {
		return voice.Call{}, &contractError{detail: describeErrors(res.Findings)}
	}
	var call voice.Call
	if doc != nil {
		call, err = signalwire.NormalizeDocument(doc, h.now())
	} else {
		call, err = signalwire.Normalize(resp.Body, h.now())
	}
	if err != nil {
		return voice.Call{}, fmt.Errorf("getcall: call %s: %w", sid, err)
	}
	if !strings.EqualFold(call.SID, sid) {
		return voice.Call{}, &contractError{detail: "the response is for another call (body sid differs from the requested sid)"}
	}
	if res != nil {
		call.Contract = &voice.ContractSummary{Conformant: res.Conformant, Findings: res.Errors()}
	}
	return call, nil
}

// describeErrors names the error findings by rule and pointer, never by value.
func describeErrors(fs []contract.Finding) string {
	var parts []string
	for _, f := range fs {
		if f.Severity == contract.SeverityError {
			parts = append(parts, f.Rule+" "+f.Pointer)
		}
	}
	const maxListed = 8
	n, extra := len(parts), ""
	if n > maxListed {
		extra = fmt.Sprintf(" and %d more", n-maxListed)
		parts = parts[:maxListed]
	}
	return fmt.Sprintf("%d error findings: %s%s", n, strings.Join(parts, ", "), extra)
}

// report writes the invocation's one log line and its metrics.
func (h *handler) report(ctx context.Context, out *outcome, cold bool, secretFetches int64) {
	errs := 0
	type loggedFinding struct {
		Rule        string `json:"rule"`
		Pointer     string `json:"pointer"`
		Severity    string `json:"severity"`
		Fingerprint string `json:"fingerprint"`
	}
	var logged []loggedFinding
	for _, f := range out.findings {
		if f.Severity == contract.SeverityError {
			errs++
		}
		logged = append(logged, loggedFinding{f.Rule, f.Pointer, string(f.Severity), f.Fingerprint})
	}
	attrs := []slog.Attr{
		slog.String("sid", out.sid),
		slog.String("event", out.event),
		slog.String("outcome", out.result),
		slog.Int("upstream_status", out.upstreamStatus),
		slog.Int("attempts", out.attempts),
		slog.Float64("upstream_latency_ms", ms(out.latency)),
		slog.Bool("cold_start", cold),
		slog.Int64("secret_fetches", secretFetches),
	}
	if out.conformant != nil {
		attrs = append(attrs, slog.Bool("conformant", *out.conformant), slog.Any("findings", logged))
	}
	level := slog.LevelInfo
	if out.err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", out.err.Error()))
	}
	h.log.LogAttrs(ctx, level, "getcall", attrs...)

	retries := 0
	if out.attempts > 1 {
		retries = out.attempts - 1
	}
	coldValue := 0.0
	if cold {
		coldValue = 1
	}
	values := []emf.Value{
		{Name: emf.Retries, Unit: emf.Count, Value: float64(retries)},
		{Name: emf.SecretFetches, Unit: emf.Count, Value: float64(secretFetches)},
		{Name: emf.ColdStart, Unit: emf.Count, Value: coldValue},
	}
	if out.attempts > 0 {
		values = append(values, emf.Value{Name: emf.UpstreamLatency, Unit: emf.Milliseconds, Value: ms(out.latency)})
	}
	if out.conformant != nil {
		values = append(values, emf.Value{Name: emf.ContractFindings, Unit: emf.Count, Value: float64(errs)})
	}
	if err := h.metrics.Emit(h.dims, values...); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
