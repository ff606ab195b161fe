package callback

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/callbackschema"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/webhook"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

// keySource reads the signing keys from the credentials secret.
// Credentials may serve a cached secret, or the last good one while Secrets
// Manager fails (the secret source's stale serving); Rotate reads it past
// the cache, at most once per refresh interval, and reports whether it
// differs from used. Errors wrap voice.ErrCredentials and, when Secrets
// Manager could not answer and nothing good could stand in, match
// secrets.ErrUnavailable with a *secrets.Error that says when to retry.
type keySource interface {
	Credentials(ctx context.Context) (signalwire.Credentials, error)
	Rotate(ctx context.Context, used signalwire.Credentials) (signalwire.Credentials, bool, error)
}

var _ keySource = (*signalwire.SecretCredentials)(nil)

// queueSender puts hints on the consumer's queue. It returns how many were
// sent, and an error when any was not.
type queueSender interface {
	Send(ctx context.Context, hints []pipeline.Hint) (int, error)
}

var _ queueSender = (*queue.Sender)(nil)

// sourceStats reports what the secret source did so far: the Secrets
// Manager calls it made, and the reads it answered with the last good
// secret past its TTL because Secrets Manager could not be read.
type sourceStats interface {
	Fetches() int64
	StaleServes() int64
}

var _ sourceStats = (*secrets.Source)(nil)

// Handler serves the status-callback Function URL. One handler lives per
// execution environment.
type Handler struct {
	keys            keySource
	queue           queueSender
	publicURL       string
	fetchOn         map[string]bool
	refreshInterval time.Duration
	secrets         sourceStats
	log             *slog.Logger
	metrics         *emf.Writer
	dims            map[string]string
	cold            atomic.Bool
}

// deps are what newHandler joins; main builds them from the environment.
type deps struct {
	cfg     config
	keys    keySource
	queue   queueSender
	secrets sourceStats
	log     *slog.Logger
	metrics *emf.Writer
}

func newHandlerFrom(d deps) *Handler {
	h := &Handler{
		keys:            d.keys,
		queue:           d.queue,
		publicURL:       d.cfg.publicURL,
		fetchOn:         d.cfg.fetchOn,
		refreshInterval: d.cfg.refreshInterval,
		secrets:         d.secrets,
		log:             d.log,
		metrics:         d.metrics,
		dims:            emf.Dimensions("callback", d.cfg.FunctionName),
	}
	h.cold.Store(true)
	return h
}

// Outcomes, as logged and as the error type of an error response.
const (
	resultQueued           = "queued"
	resultIgnored          = "ignored"
	resultMethodNotAllowed = "MethodNotAllowed"
	resultTooLarge         = "PayloadTooLarge"
	resultURITooLong       = "URITooLong"
	resultWrongAccount     = "WrongAccount"
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
	stale      bool // the source served the last good secret during a Secrets Manager outage
	findings   []contract.Finding
	err        error
}

// Handle is the Lambda entry point for Function URL requests. It always
// answers with an HTTP response; it never returns a function error.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	cold := h.cold.Swap(false)
	fetchesBefore, staleBefore := h.stats()
	out := outcome{method: strings.ToUpper(req.RequestContext.HTTP.Method)}
	resp := h.serve(ctx, &req, &out)
	out.status = resp.StatusCode
	fetches, stale := h.stats()
	out.stale = stale > staleBefore
	h.report(ctx, &out, cold, fetches-fetchesBefore)
	return resp, nil
}

// stats returns the source's Secrets Manager calls and stale serves so far.
// One request at a time runs in an execution environment, so the
// difference over a request is that request's.
func (h *Handler) stats() (fetches, stale int64) {
	if h.secrets == nil {
		return 0, 0
	}
	return h.secrets.Fetches(), h.secrets.StaleServes()
}

func (h *Handler) serve(ctx context.Context, req *events.LambdaFunctionURLRequest, out *outcome) events.LambdaFunctionURLResponse {
	if out.method != http.MethodPost && out.method != http.MethodGet {
		out.result = resultMethodNotAllowed
		resp := errorResponse(http.StatusMethodNotAllowed, resultMethodNotAllowed, "use POST (or GET) for status callbacks")
		resp.Headers["Allow"] = "GET, POST"
		return resp
	}
	// Every bound is checked before work proportional to the request: the
	// URL's parts before the URLs are built, the encoded body before it is
	// decoded, the decoded body and the field count before any HMAC.
	if len(req.RawPath)+len(req.RawQueryString)+len(req.RequestContext.DomainName)+len(h.publicURL) > webhook.MaxURL {
		return tooLarge(out, &webhook.LimitError{What: "URL", Limit: webhook.MaxURL})
	}
	wreq := webhook.Request{
		Method:      out.method,
		URLs:        signedURLs(h.publicURL, req),
		RawQuery:    req.RawQueryString,
		ContentType: header(req.Headers, "content-type"),
	}
	body, err := readBody(req)
	if err != nil {
		if errors.Is(err, webhook.ErrTooLarge) {
			return tooLarge(out, err)
		}
		out.result = resultMalformedBody
		return errorResponse(http.StatusBadRequest, resultMalformedBody, "the body is not valid base64")
	}
	wreq.Body = body
	if err := webhook.CheckLimits(wreq); err != nil {
		return tooLarge(out, err)
	}

	creds, resp, ok := h.credentials(ctx, out)
	if !ok {
		return resp
	}
	if creds.SigningKey == "" {
		// Perhaps the key was just added to the secret.
		creds = h.refresh(ctx, creds, out)
	}
	if creds.SigningKey == "" {
		out.result = resultNoSigningKey
		out.err = errors.New("the secret has no signing_key: callbacks cannot be verified; add the project's Signing Key (Dashboard, API Credentials) to the secret as signing_key")
		return errorResponse(http.StatusInternalServerError, "InternalError", "internal error")
	}

	sig := header(req.Headers, webhook.HeaderSignalWire)
	if sig == "" {
		sig = header(req.Headers, webhook.HeaderTwilio)
	}
	p, err := verify(wreq, sig, creds)
	if errors.Is(err, webhook.ErrSignature) && sig != "" {
		// A key reset may have reached the secret after this environment
		// cached it. Anyone can send a bad signature, so this happens at
		// most once per interval, counted when attempted.
		if fresh := h.refresh(ctx, creds, out); fresh != creds {
			creds = fresh
			p, err = verify(wreq, sig, creds)
		}
	}
	switch {
	case errors.Is(err, webhook.ErrSignature):
		out.result = resultForbidden
		return errorResponse(http.StatusForbidden, resultForbidden, "forbidden")
	case err != nil:
		out.result = resultMalformedBody
		out.findings = []contract.Finding{callbackschema.MalformedBody()}
		return errorResponse(http.StatusBadRequest, resultMalformedBody, "the body is not a well-formed form")
	}
	out.scheme, out.key = p.Scheme, "current"
	if p.Key == 1 {
		out.key = "previous"
	}

	// From here on only the covered payload is read.
	h.check(out, p)
	hint, result, problem := hintFrom(p.Fields, creds.ProjectID)
	out.sid, out.callStatus = hint.CallSID, hint.Status
	if problem != "" {
		out.result = result
		return errorResponse(http.StatusBadRequest, result, problem)
	}
	if !h.fetchOn[hint.Status] {
		out.result = resultIgnored
		return noContent()
	}
	if _, err := h.queue.Send(ctx, []pipeline.Hint{hint}); err != nil {
		out.result, out.err = resultQueue, fmt.Errorf("callback: queue callback for %s: %w", hint.CallSID, err)
		return unavailable(5 * time.Second)
	}
	out.result = resultQueued
	return noContent()
}

// tooLarge answers a request over a bound: 414 for the URL, 413 otherwise.
func tooLarge(out *outcome, err error) events.LambdaFunctionURLResponse {
	out.result = resultTooLarge
	if errors.Is(err, webhook.ErrURLTooLong) {
		out.result = resultURITooLong
		return errorResponse(http.StatusRequestURITooLong, resultURITooLong, "the URL is longer than 8 KiB")
	}
	var le *webhook.LimitError
	if errors.As(err, &le) && le.What == "fields" {
		return errorResponse(http.StatusRequestEntityTooLarge, resultTooLarge, "more than 200 fields")
	}
	return errorResponse(http.StatusRequestEntityTooLarge, resultTooLarge, "the body is larger than 64 KiB")
}

// unavailable answers 503 with Retry-After, so SignalWire retries later.
func unavailable(after time.Duration) events.LambdaFunctionURLResponse {
	resp := errorResponse(http.StatusServiceUnavailable, "Unavailable", "try again later")
	resp.Headers["Retry-After"] = strconv.Itoa(max(1, int((after+time.Second-1)/time.Second)))
	return resp
}

// readBody returns the body, decoded once from base64 when the Function URL
// encoded it; its size is bounded before and after decoding. Errors are a
// *webhook.LimitError or ErrBase64.
func readBody(req *events.LambdaFunctionURLRequest) ([]byte, error) {
	tooLarge := &webhook.LimitError{What: "body", Limit: webhook.MaxBody}
	if !req.IsBase64Encoded {
		if len(req.Body) > webhook.MaxBody {
			return nil, tooLarge
		}
		return []byte(req.Body), nil
	}
	if len(req.Body) > base64.StdEncoding.EncodedLen(webhook.MaxBody) {
		return nil, tooLarge
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, errBase64
	}
	if len(b) > webhook.MaxBody {
		return nil, tooLarge
	}
	return b, nil
}

// errBase64 reports a Function URL body flagged base64 that is not.
var errBase64 = errors.New("callback: body is not valid base64")

// verify checks the signature with the current and the previous key.
func verify(req webhook.Request, sig string, creds signalwire.Credentials) (webhook.Payload, error) {
	if sig == "" {
		return webhook.Payload{}, webhook.ErrSignature
	}
	return webhook.Verify(req, sig, []string{creds.SigningKey, creds.PreviousSigningKey})
}

// credentials returns the signing keys. What happens while Secrets Manager
// fails is the secret source's to decide, as for every function: it serves
// the last good secret for SECRET_STALE_TTL and backs off between calls.
// When it has nothing good to serve (a cold start during an outage, or an
// outage past the stale TTL) the request is answered 503 with the source's
// Retry-After, so SignalWire retries once the source will call again. A
// secret that reads but cannot be used is a configuration error: 500.
func (h *Handler) credentials(ctx context.Context, out *outcome) (signalwire.Credentials, events.LambdaFunctionURLResponse, bool) {
	creds, err := h.keys.Credentials(ctx)
	if err == nil {
		return creds, events.LambdaFunctionURLResponse{}, true
	}
	out.err, out.result = err, resultSecret
	if errors.Is(err, secrets.ErrUnavailable) {
		return signalwire.Credentials{}, unavailable(retryAfter(err)), false
	}
	return signalwire.Credentials{}, errorResponse(http.StatusInternalServerError, "InternalError", "internal error"), false
}

// retryAfter is how long the secret source will not call Secrets Manager
// after err; a failure without a backoff (the invocation's own deadline)
// is worth retrying at once, which Retry-After states as one second.
func retryAfter(err error) time.Duration {
	var se *secrets.Error
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// refresh reads the secret past its cache. The source bounds these forced
// reads: one per SIGNING_KEY_REFRESH_INTERVAL per execution environment,
// counted when attempted whatever Secrets Manager answers; within the
// interval it reads like Credentials. An interval of 0 turns refreshes off.
// When the refresh fails, it returns creds.
func (h *Handler) refresh(ctx context.Context, creds signalwire.Credentials, out *outcome) signalwire.Credentials {
	if h.refreshInterval <= 0 {
		return creds
	}
	before, _ := h.stats()
	fresh, _, err := h.keys.Rotate(ctx, creds)
	if err != nil {
		if out.err == nil {
			out.err = err
		}
		return creds // keep serving with the keys at hand
	}
	after, _ := h.stats()
	out.refreshed = after > before // not when the interval held it back
	return fresh
}

// check adds the covered payload's findings to out.
func (h *Handler) check(out *outcome, p webhook.Payload) {
	fs, err := callbackschema.Check(p.Fields)
	if err != nil {
		// The embedded schema compiled at start; this cannot happen.
		out.err = err
	}
	if p.JSON {
		fs = append(fs, callbackschema.JSONBody())
	}
	out.findings = fs
}

// hintFields are the fields a hint is made of. Field boundaries inside the
// form scheme are not signed (name+value pairs are concatenated), so each
// is validated strictly, and none may arrive twice.
var hintFields = []string{"AccountSid", "CallSid", "CallStatus", "SequenceNumber", "Timestamp"}

// hintFrom builds the queue message of a verified callback of project, or
// says why the callback is refused (the result and a message that quotes
// nothing of the request).
func hintFrom(fields []webhook.Field, project string) (pipeline.Hint, string, string) {
	var hint pipeline.Hint
	for _, name := range hintFields {
		if countField(fields, name) > 1 {
			return hint, resultInvalidCallback, name + " is sent more than once"
		}
	}
	raw, ok := webhook.Get(fields, "CallSid")
	if !ok || raw == "" {
		return hint, resultInvalidCallback, "CallSid is missing"
	}
	sid, err := voice.ParseSID(raw)
	if err != nil {
		return hint, resultInvalidCallback, "CallSid is not a UUID"
	}
	hint.CallSID = sid
	status, _ := webhook.Get(fields, "CallStatus")
	if status == "" {
		return hint, resultInvalidCallback, "CallStatus is missing"
	}
	if !slices.Contains(callbackStatuses, status) {
		return hint, resultInvalidCallback, "CallStatus is not a documented call status"
	}
	hint.Status = status
	if v, ok := webhook.Get(fields, "SequenceNumber"); ok {
		n, ok := parseSequence(v)
		if !ok {
			return hint, resultInvalidCallback, "SequenceNumber is not a non-negative integer"
		}
		hint.Sequence = &n
	}
	if v, ok := webhook.Get(fields, "Timestamp"); ok {
		if len(v) > maxTimestamp {
			return hint, resultInvalidCallback, "Timestamp is longer than 64 bytes"
		}
		if _, err := contract.ParseDate(v); err != nil {
			return hint, resultInvalidCallback, "Timestamp is not an RFC 2822 date-time"
		}
		hint.Timestamp = v
	}
	account, _ := webhook.Get(fields, "AccountSid")
	switch {
	case account == "":
		return hint, resultInvalidCallback, "AccountSid is missing"
	case !contract.IsUUID(account):
		return hint, resultInvalidCallback, "AccountSid is not a UUID"
	case !strings.EqualFold(account, project):
		return hint, resultWrongAccount, "AccountSid is not this project"
	}
	hint.Source = pipeline.SourceCallback
	return hint, "", ""
}

// maxTimestamp bounds a callback's Timestamp; a real one is 31 bytes.
const maxTimestamp = 64

// parseSequence reads a SequenceNumber: decimal digits only (no sign, no
// space, no exponent) that fit an int64.
func parseSequence(v string) (int64, bool) {
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

func countField(fields []webhook.Field, name string) int {
	n := 0
	for _, f := range fields {
		if f.Name == name {
			n++
		}
	}
	return n
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
func (h *Handler) report(ctx context.Context, out *outcome, cold bool, secretFetches int64) {
	type loggedFinding struct {
		Rule        string `json:"rule"`
		Pointer     string `json:"pointer"`
		Severity    string `json:"severity"`
		Fingerprint string `json:"fingerprint"`
		Message     string `json:"message"`
	}
	logged := make([]loggedFinding, 0, len(out.findings))
	for _, f := range out.findings {
		logged = append(logged, loggedFinding{f.Rule, f.Pointer, string(f.Severity), f.Fingerprint, f.Message})
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
	if out.stale {
		attrs = append(attrs, slog.Bool("secret_stale", true))
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
		{Name: emf.CallbacksRejected, Unit: emf.Count, Value: flag(out.status == http.StatusBadRequest)},
		{Name: emf.CallbacksForeignAccount, Unit: emf.Count, Value: flag(out.result == resultWrongAccount)},
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
