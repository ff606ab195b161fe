package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/callbackschema"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/webhook"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// maxBody is the largest callback body accepted; a real one is about 1 KB.
const maxBody = 64 << 10

// keySource reads the signing keys from the credentials secret.
// Credentials may serve a cached secret; Rotate reads it past the cache and
// reports whether it differs from used. Errors wrap voice.ErrCredentials.
type keySource interface {
	Credentials(ctx context.Context) (signalwire.Credentials, error)
	Rotate(ctx context.Context, used signalwire.Credentials) (signalwire.Credentials, bool, error)
}

var _ keySource = (*signalwire.SecretCredentials)(nil)

// queueSender puts one message on a queue.
type queueSender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ queueSender = (*sqs.Client)(nil)

// fetchCounter reports how many Secrets Manager calls were made so far.
type fetchCounter interface{ Fetches() int64 }

// handler serves the status-callback Function URL. One handler lives per
// execution environment.
type handler struct {
	keys            keySource
	queue           queueSender
	queueURL        string
	publicURL       string
	fetchOn         map[string]bool
	refreshInterval time.Duration
	secrets         fetchCounter
	log             *slog.Logger
	metrics         *emf.Writer
	dims            map[string]string
	now             func() time.Time
	lastRefresh     atomic.Int64 // unix nanoseconds of the last forced secret refresh
	cold            atomic.Bool
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	keys    keySource
	queue   queueSender
	secrets fetchCounter
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *handler {
	h := &handler{
		keys:            d.keys,
		queue:           d.queue,
		queueURL:        d.cfg.queueURL,
		publicURL:       d.cfg.publicURL,
		fetchOn:         d.cfg.fetchOn,
		refreshInterval: d.cfg.refreshInterval,
		secrets:         d.secrets,
		log:             d.log,
		metrics:         d.metrics,
		dims:            emf.Dimensions("callback", d.cfg.FunctionName),
		now:             time.Now,
	}
	// The first invocation fetches the secret anyway: count the interval
	// from the start of the execution environment.
	h.lastRefresh.Store(h.now().UnixNano())
	h.cold.Store(true)
	return h
}

// Outcomes, as logged and as the error type of an error response.
const (
	resultQueued           = "queued"
	resultIgnored          = "ignored"
	resultMethodNotAllowed = "MethodNotAllowed"
	resultTooLarge         = "PayloadTooLarge"
	resultForbidden        = "Forbidden"
	resultInvalidCallback  = "InvalidCallback"
	resultMalformedBody    = "MalformedBody"
	resultNoSigningKey     = "SigningKeyMissing"
	resultSecret           = "SecretUnavailable"
	resultQueue            = "QueueUnavailable"
)

// outcome collects what one request logs and measures. It never holds the
// body, a header, a key or any callback field but the SID and the status.
type outcome struct {
	method     string
	result     string
	status     int
	sid        string
	callStatus string
	scheme     webhook.Scheme
	key        string // "current" or "previous"
	refreshed  bool
	findings   []contract.Finding
	err        error
}

// Handle is the Lambda entry point for Function URL requests. It always
// answers with an HTTP response; it never returns a function error.
func (h *handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	cold := h.cold.Swap(false)
	fetchesBefore := h.fetches()
	out := outcome{method: strings.ToUpper(req.RequestContext.HTTP.Method)}
	resp := h.serve(ctx, &req, &out)
	out.status = resp.StatusCode
	h.report(ctx, &out, cold, h.fetches()-fetchesBefore)
	return resp, nil
}

func (h *handler) fetches() int64 {
	if h.secrets == nil {
		return 0
	}
	return h.secrets.Fetches()
}

func (h *handler) serve(ctx context.Context, req *events.LambdaFunctionURLRequest, out *outcome) events.LambdaFunctionURLResponse {
	if out.method != http.MethodPost && out.method != http.MethodGet {
		out.result = resultMethodNotAllowed
		resp := errorResponse(http.StatusMethodNotAllowed, resultMethodNotAllowed, "use POST (or GET) for status callbacks")
		resp.Headers["Allow"] = "GET, POST"
		return resp
	}
	body, status := readBody(req)
	if status != 0 {
		if status == http.StatusRequestEntityTooLarge {
			out.result = resultTooLarge
			return errorResponse(status, resultTooLarge, "the body is larger than 64 KiB")
		}
		out.result = resultMalformedBody
		return errorResponse(status, resultMalformedBody, "the body is not valid base64")
	}

	creds, err := h.keys.Credentials(ctx)
	if err == nil && creds.SigningKey == "" {
		// Perhaps the key was just added to the secret.
		creds, err = h.refresh(ctx, creds, out)
	}
	if err != nil {
		out.result, out.err = resultSecret, err
		return errorResponse(http.StatusInternalServerError, "InternalError", "internal error")
	}
	if creds.SigningKey == "" {
		out.result = resultNoSigningKey
		out.err = errors.New("the secret has no signing_key: callbacks cannot be verified; add the project's Signing Key (Dashboard, API Credentials) to the secret as signing_key")
		return errorResponse(http.StatusInternalServerError, "InternalError", "internal error")
	}

	isJSON := isJSONContent(header(req.Headers, "content-type"))
	var form []webhook.Field
	var formErr error
	if out.method == http.MethodPost && !isJSON {
		form, formErr = webhook.ParseForm(body)
	}
	sig := header(req.Headers, webhook.HeaderSignalWire)
	if sig == "" {
		sig = header(req.Headers, webhook.HeaderTwilio)
	}
	urls := signedURLs(h.publicURL, req)
	m, ok := verify(urls, body, form, sig, creds)
	if !ok && sig != "" {
		// A key reset may have reached the secret after this environment
		// cached it. Anyone can send a bad signature, so this happens at
		// most once per interval.
		if fresh, err := h.refresh(ctx, creds, out); err == nil && fresh != creds {
			m, ok = verify(urls, body, form, sig, fresh)
		}
	}
	if !ok {
		out.result = resultForbidden
		return errorResponse(http.StatusForbidden, resultForbidden, "forbidden")
	}
	out.scheme, out.key = m.Scheme, "current"
	if m.Key == 1 {
		out.key = "previous"
	}

	fields, ok := h.fields(req, out, body, isJSON, form, formErr)
	if !ok {
		out.result = resultMalformedBody
		return errorResponse(http.StatusBadRequest, resultMalformedBody, "the body is not a well-formed form")
	}
	hint, problem := hintFrom(fields)
	out.sid, out.callStatus = hint.CallSID, hint.Status
	if problem != "" {
		out.result = resultInvalidCallback
		return errorResponse(http.StatusBadRequest, resultInvalidCallback, problem)
	}
	if !h.fetchOn[hint.Status] {
		out.result = resultIgnored
		return noContent()
	}
	msg, err := json.Marshal(hint)
	if err != nil {
		out.result, out.err = resultQueue, err
		return errorResponse(http.StatusInternalServerError, "InternalError", "internal error")
	}
	if _, err := h.queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(h.queueURL), MessageBody: aws.String(string(msg))}); err != nil {
		out.result, out.err = resultQueue, fmt.Errorf("callback: queue callback for %s: %w", hint.CallSID, err)
		resp := errorResponse(http.StatusServiceUnavailable, "Unavailable", "try again later")
		resp.Headers["Retry-After"] = "5"
		return resp
	}
	out.result = resultQueued
	return noContent()
}

// readBody returns the raw body, or the status that refuses it.
func readBody(req *events.LambdaFunctionURLRequest) ([]byte, int) {
	if !req.IsBase64Encoded {
		if len(req.Body) > maxBody {
			return nil, http.StatusRequestEntityTooLarge
		}
		return []byte(req.Body), 0
	}
	if len(req.Body) > base64.StdEncoding.EncodedLen(maxBody) {
		return nil, http.StatusRequestEntityTooLarge
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, http.StatusBadRequest
	}
	if len(b) > maxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	return b, 0
}

// verify checks the signature against each URL SignalWire may have signed,
// with the current and the previous key.
func verify(urls []string, body []byte, form []webhook.Field, sig string, creds signalwire.Credentials) (webhook.Match, bool) {
	if sig == "" {
		return webhook.Match{}, false
	}
	keys := []string{creds.SigningKey, creds.PreviousSigningKey}
	for _, u := range urls {
		if m, ok := webhook.Verify(webhook.Request{URL: u, Body: body, Form: form}, sig, keys); ok {
			return m, true
		}
	}
	return webhook.Match{}, false
}

// refresh reads the secret past its cache, at most once per refresh
// interval; otherwise, or when the refresh fails, it returns creds.
func (h *handler) refresh(ctx context.Context, creds signalwire.Credentials, out *outcome) (signalwire.Credentials, error) {
	if h.refreshInterval <= 0 {
		return creds, nil
	}
	now := h.now().UnixNano()
	last := h.lastRefresh.Load()
	if now-last < int64(h.refreshInterval) || !h.lastRefresh.CompareAndSwap(last, now) {
		return creds, nil
	}
	fresh, _, err := h.keys.Rotate(ctx, creds)
	if err != nil {
		if creds.SigningKey == "" {
			return creds, err
		}
		return creds, nil // keep serving with the cached keys
	}
	out.refreshed = true
	return fresh, nil
}

// fields returns the verified request's callback fields and adds the
// payload check's findings to out; ok is false for a body that is not a
// form.
func (h *handler) fields(req *events.LambdaFunctionURLRequest, out *outcome, body []byte, isJSON bool,
	form []webhook.Field, formErr error) ([]webhook.Field, bool) {
	var extra []contract.Finding
	switch {
	case out.method == http.MethodGet:
		var err error
		if form, err = webhook.ParseForm([]byte(req.RawQueryString)); err != nil {
			out.findings = []contract.Finding{callbackschema.MalformedBody()}
			return nil, false
		}
	case isJSON:
		var err error
		if form, err = webhook.ParseJSON(body); err != nil {
			out.findings = []contract.Finding{callbackschema.MalformedBody()}
			return nil, false
		}
		extra = append(extra, callbackschema.JSONBody())
	case formErr != nil:
		out.findings = []contract.Finding{callbackschema.MalformedBody()}
		return nil, false
	}
	fs, err := callbackschema.Check(form)
	if err != nil {
		// The embedded schema compiled at start; this cannot happen.
		out.err = err
	}
	out.findings = append(fs, extra...)
	return form, true
}

// hintFrom builds the queue message of a verified callback, or says why the
// callback is unusable.
func hintFrom(fields []webhook.Field) (pipeline.Hint, string) {
	var hint pipeline.Hint
	raw, ok := webhook.Get(fields, "CallSid")
	if !ok || raw == "" {
		return hint, "CallSid is missing"
	}
	sid, err := voice.ParseSID(raw)
	if err != nil {
		return hint, "CallSid is not a UUID"
	}
	hint.CallSID = sid
	status, _ := webhook.Get(fields, "CallStatus")
	hint.Status = strings.ToLower(status)
	if hint.Status == "" {
		return hint, "CallStatus is missing"
	}
	if v, ok := webhook.Get(fields, "SequenceNumber"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			hint.Sequence = &n
		}
	}
	hint.Timestamp, _ = webhook.Get(fields, "Timestamp")
	hint.Source = pipeline.SourceCallback
	return hint, ""
}

// header returns the value of the header named name (lower case), matching
// names in any case.
func header(headers map[string]string, name string) string {
	if v, ok := headers[name]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func isJSONContent(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func noContent() events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{StatusCode: http.StatusNoContent, Headers: map[string]string{"Cache-Control": "no-store"}}
}

// errorResponse answers {"error": {"type", "message"}}; message never holds
// anything of the request.
func errorResponse(status int, typ, msg string) events.LambdaFunctionURLResponse {
	type detail struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	b, _ := json.Marshal(struct {
		Error detail `json:"error"`
	}{detail{msg, typ}})
	return events.LambdaFunctionURLResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(b),
	}
}

// report writes the request's one log line and its metrics.
func (h *handler) report(ctx context.Context, out *outcome, cold bool, secretFetches int64) {
	type loggedFinding struct {
		Rule        string `json:"rule"`
		Pointer     string `json:"pointer"`
		Severity    string `json:"severity"`
		Fingerprint string `json:"fingerprint"`
	}
	logged := make([]loggedFinding, 0, len(out.findings))
	for _, f := range out.findings {
		logged = append(logged, loggedFinding{f.Rule, f.Pointer, string(f.Severity), f.Fingerprint})
	}
	contractErrors := callbackschema.Errors(out.findings)
	attrs := make([]slog.Attr, 0, 14)
	attrs = append(attrs,
		slog.String("method", out.method),
		slog.String("outcome", out.result),
		slog.Int("status", out.status),
		slog.Bool("cold_start", cold),
		slog.Int64("secret_fetches", secretFetches),
	)
	if out.scheme != "" {
		attrs = append(attrs, slog.String("signature_scheme", string(out.scheme)), slog.String("signing_key", out.key))
	}
	if out.refreshed {
		attrs = append(attrs, slog.Bool("secret_refreshed", true))
	}
	if out.sid != "" {
		attrs = append(attrs, slog.String("call_sid", out.sid))
	}
	if out.callStatus != "" {
		attrs = append(attrs, slog.String("call_status", out.callStatus))
	}
	if out.findings != nil {
		attrs = append(attrs, slog.Int("contract_errors", contractErrors), slog.Any("findings", logged))
	}
	level := slog.LevelInfo
	switch {
	case out.status >= 500:
		level = slog.LevelError
	case out.status >= 400:
		level = slog.LevelWarn
	}
	if out.err != nil {
		attrs = append(attrs, slog.String("error", out.err.Error()))
	}
	h.log.LogAttrs(ctx, level, "callback", attrs...)

	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	values := []emf.Value{
		{Name: emf.CallbacksReceived, Unit: emf.Count, Value: 1},
		{Name: emf.CallbackSignatureFailures, Unit: emf.Count, Value: flag(out.result == resultForbidden)},
		{Name: emf.CallbacksQueued, Unit: emf.Count, Value: flag(out.result == resultQueued)},
		{Name: emf.CallbacksIgnored, Unit: emf.Count, Value: flag(out.result == resultIgnored)},
		{Name: emf.CallbackContractFindings, Unit: emf.Count, Value: float64(contractErrors)},
		{Name: emf.SigningKeyMissing, Unit: emf.Count, Value: flag(out.result == resultNoSigningKey)},
		{Name: emf.CallbacksFailed, Unit: emf.Count, Value: flag(out.result == resultSecret || out.result == resultQueue)},
		{Name: emf.SecretFetches, Unit: emf.Count, Value: float64(secretFetches)},
		{Name: emf.ColdStart, Unit: emf.Count, Value: flag(cold)},
	}
	if err := h.metrics.Emit(h.dims, values...); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}
