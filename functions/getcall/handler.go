package getcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// callRetriever retrieves, checks and normalizes one call. Errors wrap the
// voice sentinels (see retrieve.Retriever.Get); the Outcome is filled as far
// as the retrieval got, also on failure.
type callRetriever interface {
	Get(ctx context.Context, sid string) (voice.Call, retrieve.Outcome, error)
}

var _ callRetriever = (*retrieve.Retriever)(nil)

// fetchCounter reports how many Secrets Manager calls were made so far.
type fetchCounter interface{ Fetches() int64 }

// Handler serves getcall invocations. One handler lives per execution
// environment; its clients and caches are reused by warm invocations.
type Handler struct {
	calls   callRetriever
	secrets fetchCounter
	log     *slog.Logger
	metrics *emf.Writer
	dims    map[string]string // the metrics' dimensions; read only
	cold    atomic.Bool
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	calls   callRetriever
	secrets fetchCounter
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *Handler {
	h := &Handler{
		calls:   d.calls,
		secrets: d.secrets,
		log:     d.log,
		metrics: d.metrics,
		dims:    emf.Dimensions("getcall", d.cfg.FunctionName),
	}
	h.cold.Store(true)
	return h
}

// outcome collects what one invocation logs and measures.
type outcome struct {
	retrieve.Outcome
	event  string
	result string
	err    error
}

// Invoke is the Lambda entry point (lambda.Handler): it reads the payload
// itself, so an event that is not even JSON (or nested deeper than the
// runtime's decoder allows) is an InvalidRequest like any other bad event,
// never a runtime error of another type.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res, err := h.Handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	b, err := marshalJSON(res)
	if err != nil {
		return nil, functionError(classify(fmt.Errorf("%w: encode response: %w", voice.ErrInternal, err)), "")
	}
	return b, nil
}

// Handle serves one event: a direct invoke, an EventBridge event or an HTTP
// API / Function URL event, each answered in its own shape.
func (h *Handler) Handle(ctx context.Context, payload []byte) (any, error) {
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

// getCall retrieves one call through the retriever, keeping its outcome.
func (h *Handler) getCall(ctx context.Context, sid string, out *outcome) (voice.Call, error) {
	call, o, err := h.calls.Get(ctx, sid)
	out.Outcome = o
	return call, err
}

func (h *Handler) fetches() int64 {
	if h.secrets == nil {
		return 0
	}
	return h.secrets.Fetches()
}

// fail records err and turns it into the function error callers match on.
func (h *Handler) fail(out *outcome, err error) error {
	out.err = err
	c := classify(err)
	out.result = c.Type
	return functionError(c, errorDetail(c, err))
}

// errorDetail is the part of an error a caller may see: never credentials,
// never upstream bodies.
func errorDetail(c fail.Class, err error) string {
	var fe *signalwire.FieldError
	var ce *retrieve.ContractError
	switch {
	case c.Type == fail.InvalidRequest:
		return strings.TrimPrefix(err.Error(), errInvalidRequest.Error()+": ")
	case errors.As(err, &ce):
		return ce.Detail
	case errors.As(err, &fe):
		return fe.Error()
	}
	return ""
}

// serveHTTP answers GET /calls/{sid}; errors become {"error": {"type", "message"}}.
func (h *Handler) serveHTTP(ctx context.Context, req request, out *outcome) events.APIGatewayV2HTTPResponse {
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
		out.result = c.Type
		return jsonResponse(c.Status, errorBody(c.Type, c.Message))
	}
	out.result = "ok"
	body, err := marshalJSON(call)
	if err != nil {
		out.err = err
		out.result = fail.Internal
		return jsonResponse(http.StatusInternalServerError, errorBody(fail.Internal, "internal error"))
	}
	return jsonResponse(http.StatusOK, body)
}

func errorBody(typ, msg string) []byte {
	b, _ := marshalJSON(map[string]map[string]string{"error": {"type": typ, "message": msg}})
	return b
}

// marshalJSON encodes v as json.Marshal does but leaves <, > and & as they
// are: the body is JSON, never embedded in HTML.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func jsonResponse(status int, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(body),
	}
}

// report writes the invocation's one log line and its metrics.
func (h *Handler) report(ctx context.Context, out *outcome, cold bool, secretFetches int64) {
	errs := 0
	type loggedFinding struct {
		Rule        string `json:"rule"`
		Pointer     string `json:"pointer"`
		Severity    string `json:"severity"`
		Fingerprint string `json:"fingerprint"`
	}
	// The line stays bounded whatever the response: at most maxLogged
	// findings, errors first, and the total.
	logged := make([]loggedFinding, 0, min(len(out.Findings), maxLogged))
	for _, sev := range []contract.Severity{contract.SeverityError, contract.SeverityWarning, contract.SeverityInfo} {
		for _, f := range out.Findings {
			if f.Severity != sev {
				continue
			}
			if sev == contract.SeverityError {
				errs++
			}
			if len(logged) < maxLogged {
				logged = append(logged, loggedFinding{f.Rule, f.Pointer, string(f.Severity), f.Fingerprint})
			}
		}
	}
	attrs := []slog.Attr{
		slog.String("sid", out.SID),
		slog.String("event", out.event),
		slog.String("outcome", out.result),
		slog.Int("upstream_status", out.UpstreamStatus),
		slog.Int("attempts", out.Attempts),
		slog.Float64("upstream_latency_ms", ms(out.Latency)),
		slog.Bool("cold_start", cold),
		slog.Int64("secret_fetches", secretFetches),
	}
	if out.Conformant != nil {
		attrs = append(attrs, slog.Bool("conformant", *out.Conformant), slog.Int("findings_total", len(out.Findings)), slog.Any("findings", logged))
	}
	level := slog.LevelInfo
	if out.Conformant != nil && !*out.Conformant {
		level = slog.LevelWarn // drift worth a look, even when the call was served
	}
	if out.err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", out.err.Error()))
	}
	h.log.LogAttrs(ctx, level, "getcall", attrs...)

	retries := 0
	if out.Attempts > 1 {
		retries = out.Attempts - 1
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
	if out.Attempts > 0 {
		values = append(values, emf.Value{Name: emf.UpstreamLatency, Unit: emf.Milliseconds, Value: ms(out.Latency)})
	}
	if out.Conformant != nil {
		values = append(values, emf.Value{Name: emf.ContractFindings, Unit: emf.Count, Value: float64(errs)})
	}
	if err := h.metrics.Emit(h.dims, values...); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}

// maxLogged bounds the findings one log line lists.
const maxLogged = 20

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
