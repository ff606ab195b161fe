// Package signalwire is the adapter for SignalWire's Compatibility (LaML)
// REST API: an HTTP client with Basic auth, bounded retries and typed errors,
// the credentials secret and its space_url guard, the wire structs, and the
// normalization of a wire call into a voice.Call.
package signalwire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/callwire/callwire/functions/voice"
)

const (
	userAgent = "callwire/1 (+go)"
	apiPrefix = "/api/laml/2010-04-01/Accounts/"
	// defaultMaxBodySize caps a Retrieve a Call body. A real one is about
	// 2 KB; 64 KiB leaves room for drift and refuses a body built to exhaust
	// memory or time.
	defaultMaxBodySize = 64 << 10
	// pageBodyPerCall is what a List Calls page may hold per call on top of
	// one call's cap: a page of PageSize calls may be PageSize times larger.
	pageBodyPerCall = 8 << 10
	maxPageSize     = 1000
)

// credentialsSource yields the credentials for each call.
type credentialsSource interface {
	// Credentials returns the current credentials, possibly cached. Errors
	// wrap voice.ErrCredentials.
	Credentials(ctx context.Context) (Credentials, error)
	// Rotate bypasses any cache after SignalWire refused used, the
	// credentials a request was made with, and reports whether the current
	// ones differ from used (not from whatever a cache holds by now: another
	// request may have rotated it already). Errors wrap voice.ErrCredentials.
	Rotate(ctx context.Context, used Credentials) (Credentials, bool, error)
}

var (
	_ credentialsSource = (*SecretCredentials)(nil)
	_ credentialsSource = (*StaticCredentials)(nil)
)

// Client calls the SignalWire Compatibility API. It is safe for concurrent
// use; build one per cold start and reuse it.
type Client struct {
	creds   credentialsSource
	hc      *http.Client
	retry   retryPolicy
	maxBody int64
	// loopback lets space_url name a loopback test server (WithLoopback).
	loopback bool
	now      func() time.Time
	// checkedCreds is the last credentials that passed checked, with their
	// base URL, so unchanged credentials are validated once.
	checkedCreds atomic.Pointer[checkedCredentials]
}

type checkedCredentials struct {
	creds Credentials
	base  string
}

// Option configures a Client.
type Option func(*Client)

// WithRetry sets the attempt budget (at least 1) and the backoff base and cap.
func WithRetry(maxAttempts int, base, max time.Duration) Option {
	return func(c *Client) {
		c.retry.maxAttempts = maxAttempts
		c.retry.base = base
		c.retry.max = max
	}
}

// WithDeadlineMargin sets how much time before the ctx deadline the client
// keeps free: no attempt runs and no backoff sleeps into it (default 300ms).
func WithDeadlineMargin(d time.Duration) Option {
	return func(c *Client) { c.retry.margin = d }
}

// WithMaxBodySize sets the largest Retrieve a Call body accepted (default
// 64 KiB); a List Calls page may be that plus 8 KiB per requested call.
func WithMaxBodySize(n int64) Option {
	return func(c *Client) { c.maxBody = n }
}

// WithLoopback lets the secret's space_url name a server on 127.0.0.1, ::1
// or localhost, over plain http: the local runner's and the tests' replay
// servers. Never set it in a deployed function: inside Lambda, loopback is
// the Runtime API, and a tampered secret alone must not send the Basic
// credentials there.
func WithLoopback() Option {
	return func(c *Client) { c.loopback = true }
}

// WithRand replaces the jitter source, a function returning values in
// [0, 1) that must be safe for concurrent use. Tests use it for determinism.
func WithRand(f func() float64) Option {
	return func(c *Client) { c.retry.rand = f }
}

// NewClient returns a Client that reads its credentials (and so the space's
// base URL) from creds on every call. hc should come from NewHTTPClient; a
// nil hc gets one. The Client uses a copy of hc that never follows redirects,
// so the credentials never reach another host, and that has a timeout even
// if hc has none.
func NewClient(creds credentialsSource, hc *http.Client, opts ...Option) *Client {
	if hc == nil {
		hc = NewHTTPClient()
	}
	hcCopy := *hc // do not change the caller's client
	hcCopy.CheckRedirect = noRedirect
	if hcCopy.Timeout <= 0 {
		hcCopy.Timeout = defaultTimeout // a ctx without deadline must not hang a call
	}
	c := &Client{
		creds: creds,
		hc:    &hcCopy,
		retry: retryPolicy{
			maxAttempts: defaultMaxAttempts,
			base:        defaultBackoffBase,
			max:         defaultBackoffMax,
			margin:      defaultDeadlineMargin,
			rand:        rand.Float64,
		},
		maxBody: defaultMaxBodySize,
		now:     time.Now,
	}
	for _, opt := range opts {
		opt(c)
	}
	c.retry.maxAttempts = max(c.retry.maxAttempts, 1)
	c.retry.base = max(c.retry.base, time.Millisecond)
	c.retry.max = max(c.retry.max, c.retry.base)
	c.retry.margin = max(c.retry.margin, 0)
	if c.maxBody <= 0 {
		c.maxBody = defaultMaxBodySize
	}
	return c
}

// Response is one upstream exchange, kept whole for contract checking.
type Response struct {
	Method     string
	URL        string // Request URL; never contains credentials.
	StatusCode int
	Header     http.Header
	Body       []byte
	Attempts   int           // Requests sent, including retries and a rotation retry.
	Latency    time.Duration // Of the last attempt, from sending to the end of the body.
	ProjectID  string        // Project the last attempt authenticated as.

	// echoes are the forms of the credentials the attempt sent (see Echoes).
	echoes [][]byte
}

// Echoes reports whether b holds the credentials this response was
// retrieved with: the API token or the Basic header value, as is, base64- or
// URL-encoded. Callers check a body before returning anything taken from it
// (and what they made of it), so an upstream that echoes the token cannot
// make callwire print it.
func (r *Response) Echoes(b []byte) bool {
	for _, form := range r.echoes {
		if bytes.Contains(b, form) {
			return true
		}
	}
	return false
}

// Err returns nil for a 2xx response and an *APIError decoded from the body
// otherwise.
func (r *Response) Err() error {
	if r.StatusCode >= 200 && r.StatusCode <= 299 {
		return nil
	}
	return newAPIError(r.StatusCode, r.Header, bytes.NewReader(r.Body), time.Now())
}

// GetCallRaw retrieves GET {base}/api/laml/2010-04-01/Accounts/{project_id}/Calls/{sid}
// with Basic auth. The SID is validated before anything goes on the wire; an
// invalid one yields an error wrapping voice.ErrInvalidSID.
//
// GetCallRaw returns the final response for any HTTP status, after retries
// and a credentials rotation on 401, with a nil error; callers check the
// status (Response.Err). Only failures without a final response return an
// error: transport failures and timeouts wrap voice.ErrUpstream (and
// context.DeadlineExceeded when the deadline ended the call), an oversized
// body is a *BodyTooLargeError, credentials problems wrap voice.ErrCredentials.
//
// SignalWire API docs: https://developer.signalwire.com/compatibility-api/rest/retrieve-a-call
func (c *Client) GetCallRaw(ctx context.Context, sid string) (*Response, error) {
	id, err := voice.ParseSID(sid)
	if err != nil {
		return nil, fmt.Errorf("signalwire: get call: %w", err)
	}
	resp, err := c.do(ctx, func(projectID string) string {
		return apiPrefix + url.PathEscape(projectID) + "/Calls/" + url.PathEscape(id)
	}, "", c.maxBody)
	if err != nil {
		return nil, fmt.Errorf("signalwire: get call %s: %w", id, err)
	}
	return resp, nil
}

// do sends a GET to path (built for the credentials' project) with retries,
// as decided by c.retry, and one more attempt after a 401 if rotating the
// credentials changed them. It returns the final response whatever its
// status; an error means there was none.
func (c *Client) do(ctx context.Context, path func(projectID string) string, rawQuery string, maxBody int64) (*Response, error) {
	// Every step, reading the secret, rotating it and every attempt with its
	// body, ends by stopAt, so the caller keeps the margin to answer before
	// its own deadline.
	deadline, hasDeadline := ctx.Deadline()
	stopAt := deadline.Add(-c.retry.margin)
	sctx := ctx
	if hasDeadline {
		var cancel context.CancelFunc
		sctx, cancel = context.WithDeadline(ctx, stopAt)
		defer cancel()
	}
	creds, base, err := c.credentials(sctx)
	if err != nil {
		return nil, err
	}

	var (
		attempts int  // requests sent
		tries    int  // attempts counted against the retry budget
		rotated  bool // the one rotation retry has been used
	)
	for {
		attempts++
		tries++
		u := base + path(creds.ProjectID)
		if rawQuery != "" {
			u += "?" + rawQuery
		}
		resp, err := c.attempt(ctx, hasDeadline, stopAt, u, creds, maxBody)
		if resp != nil {
			resp.Attempts = attempts
		}

		if err == nil && resp.StatusCode == http.StatusUnauthorized && !rotated {
			rotated = true
			next, nextBase, changed, err := c.rotate(sctx, creds)
			if err != nil {
				return nil, err
			}
			if !changed {
				return resp, nil
			}
			creds, base = next, nextBase
			tries-- // the rotation retry is extra, not part of the budget
			continue
		}

		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if !shouldRetry(status, err) || tries >= c.retry.maxAttempts {
			return resp, err
		}
		var retryAfter time.Duration
		var hasRetryAfter bool
		if resp != nil && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
			retryAfter, hasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
		}
		wait := c.retry.sleepTime(tries, retryAfter, hasRetryAfter)
		if !c.retry.canWait(ctx, c.now(), wait) {
			return resp, err
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w: %w", voice.ErrUpstream, err)
		}
	}
}

// attempt sends one request and reads the whole body (up to c.maxBody). A
// transport error is returned wrapping voice.ErrUpstream.
func (c *Client) attempt(ctx context.Context, hasDeadline bool, stopAt time.Time, u string, creds Credentials, maxBody int64) (*Response, error) {
	actx := ctx
	if hasDeadline {
		var cancel context.CancelFunc
		actx, cancel = context.WithDeadline(ctx, stopAt)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: build request: %w", voice.ErrUpstream, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.SetBasicAuth(creds.ProjectID, creds.APIToken)

	start := time.Now()
	hresp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", voice.ErrUpstream, redactURLError(err))
	}
	body, err := readBody(hresp.Body, maxBody)
	if err != nil {
		return nil, err
	}
	return &Response{
		Method:     http.MethodGet,
		URL:        req.URL.Redacted(),
		StatusCode: hresp.StatusCode,
		Header:     hresp.Header,
		Body:       body,
		Latency:    time.Since(start),
		ProjectID:  creds.ProjectID,
		echoes:     secretForms(creds),
	}, nil
}

// readBody reads at most limit bytes and closes rc. A body that ended is
// fully consumed, so its connection goes back to the pool; one past the limit
// is closed unread, which costs the connection but not the time to drain it.
func readBody(rc io.ReadCloser, limit int64) ([]byte, error) {
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %w", voice.ErrUpstream, err)
	}
	if int64(len(body)) > limit {
		return nil, &BodyTooLargeError{Limit: limit}
	}
	return body, nil
}

// redactURLError strips userinfo from the URL inside a *url.Error. The URLs
// built here never have any (credentials go in the Authorization header), so
// this guards against a future change rather than a present leak.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if p, perr := url.Parse(ue.URL); perr == nil && p.User != nil {
			p.User = nil
			ue.URL = p.String()
		}
	}
	return err
}

// credentials fetches and validates the credentials, returning them with the
// base URL they imply.
func (c *Client) credentials(ctx context.Context) (Credentials, string, error) {
	creds, err := c.creds.Credentials(ctx)
	if err != nil {
		return Credentials{}, "", credentialsErr(err)
	}
	if last := c.checkedCreds.Load(); last != nil && last.creds == creds {
		return creds, last.base, nil
	}
	base, err := checked(creds, c.loopback)
	if err == nil {
		c.checkedCreds.Store(&checkedCredentials{creds: creds, base: base})
	}
	return creds, base, err
}

// rotate asks the source for fresh credentials after used got a 401.
func (c *Client) rotate(ctx context.Context, used Credentials) (Credentials, string, bool, error) {
	creds, changed, err := c.creds.Rotate(ctx, used)
	if err != nil {
		return Credentials{}, "", false, credentialsErr(err)
	}
	if !changed {
		return creds, "", false, nil
	}
	base, err := checked(creds, c.loopback)
	return creds, base, true, err
}

func checked(creds Credentials, loopback bool) (string, error) {
	if err := creds.validate(loopback); err != nil {
		return "", err // *CredentialsError values wrap voice.ErrCredentials
	}
	return spaceBaseURL(creds.SpaceURL, loopback)
}

func credentialsErr(err error) error {
	if errors.Is(err, voice.ErrCredentials) {
		return err
	}
	return fmt.Errorf("%w: %w", voice.ErrCredentials, err)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// secretReader is the part of the secrets adapter SecretCredentials needs;
// *secrets.Source satisfies it, and main joins the two.
type secretReader interface {
	// Value returns the secret string, possibly from a cache.
	Value(ctx context.Context, secretID string) (string, error)
	// Refresh reads the secret past any cache, at most once per interval
	// whatever the answer; within the interval it reads like Value.
	Refresh(ctx context.Context, secretID string) (string, error)
}

// SecretCredentials reads the credentials from a secret holding the JSON
// document that ParseCredentials accepts. It remembers the last secret string
// it parsed (the string r returned, not a copy) and the result, so an
// unchanged secret is parsed once.
type SecretCredentials struct {
	r        secretReader
	secretID string
	parsed   atomic.Pointer[parsedSecret]
}

type parsedSecret struct {
	raw   string
	creds Credentials
	err   error
}

// NewSecretCredentials returns credentials read from secret secretID through r.
func NewSecretCredentials(r secretReader, secretID string) *SecretCredentials {
	return &SecretCredentials{r: r, secretID: secretID}
}

// Credentials reads (through r's cache) and parses the secret. Errors wrap
// voice.ErrCredentials.
func (s *SecretCredentials) Credentials(ctx context.Context) (Credentials, error) {
	v, err := s.r.Value(ctx, s.secretID)
	if err != nil {
		return Credentials{}, fmt.Errorf("signalwire: read secret %s: %w: %w", s.secretID, voice.ErrCredentials, err)
	}
	return s.parse(v)
}

// parse parses v, or returns the result for v of the previous call.
func (s *SecretCredentials) parse(v string) (Credentials, error) {
	if p := s.parsed.Load(); p != nil && p.raw == v {
		return p.creds, p.err
	}
	creds, err := ParseCredentials([]byte(v))
	s.parsed.Store(&parsedSecret{raw: v, creds: creds, err: err})
	return creds, err
}

// Rotate re-reads the secret past the cache and reports whether it now holds
// credentials other than used. The re-read is the source's Refresh, bounded
// to one Secrets Manager call per interval whatever it answers: a 401 that
// persists, with Secrets Manager failing or not, costs no call per request.
// Errors wrap voice.ErrCredentials.
func (s *SecretCredentials) Rotate(ctx context.Context, used Credentials) (Credentials, bool, error) {
	v, err := s.r.Refresh(ctx, s.secretID)
	if err != nil {
		return Credentials{}, false, fmt.Errorf("signalwire: refresh secret %s: %w: %w", s.secretID, voice.ErrCredentials, err)
	}
	creds, err := s.parse(v)
	if err != nil {
		return Credentials{}, false, err
	}
	return creds, creds != used, nil
}

// StaticCredentials are fixed credentials, for the CLI and tests. Like
// Credentials, they print without the API token.
type StaticCredentials struct {
	c Credentials
}

// NewStaticCredentials returns c as a credentials source.
func NewStaticCredentials(c Credentials) *StaticCredentials {
	return &StaticCredentials{c: c}
}

// Credentials returns the fixed credentials; validation happens in the Client.
func (s StaticCredentials) Credentials(context.Context) (Credentials, error) { return s.c, nil }

// Rotate returns the fixed credentials; they changed only if used were others.
func (s StaticCredentials) Rotate(_ context.Context, used Credentials) (Credentials, bool, error) {
	return s.c, s.c != used, nil
}

// String returns the redacted form of the credentials.
func (s StaticCredentials) String() string { return s.c.String() }

// Format prints the redacted form of the credentials for every verb.
func (s StaticCredentials) Format(f fmt.State, verb rune) { s.c.Format(f, verb) }

// LogValue logs the project ID and the space only.
func (s StaticCredentials) LogValue() slog.Value { return s.c.LogValue() }
