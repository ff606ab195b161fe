// Package live retrieves calls from SignalWire's Compatibility API for the
// swcontract CLI's live and record commands: a small HTTP client with Basic
// auth, bounded retries and a body cap, and the credentials it needs (from
// the environment or from the Lambda functions' Secrets Manager secret).
//
// It does not reuse functions/signalwire: Go's internal rule keeps
// that package visible to functions/... only, and package contract and its
// tools stay independent of the Lambda code. The CLI is a developer tool, so
// this client is deliberately smaller: no credentials rotation, no
// deadline-aware retry budget, no normalization.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
)

const (
	apiPrefix   = "/api/laml/2010-04-01/Accounts/"
	maxBodySize = 1 << 20
	maxPageSize = 1000
	maxAttempts = 3
	// maxRetryAfter caps the Retry-After the fetcher waits out.
	maxRetryAfter = 10 * time.Second
	userAgent     = "swcontract/1 (+go)"
)

// StatusError is a final non-2xx answer to a List Calls request, or a
// 401/403 to any request.
type StatusError struct {
	Op     string // "get call <sid>" or "list calls"
	Status int
}

// Error implements error.
func (e *StatusError) Error() string {
	return "live: " + e.Op + ": HTTP " + strconv.Itoa(e.Status)
}

// Fetcher retrieves exchanges from one SignalWire space. It is safe for
// concurrent use.
type Fetcher struct {
	creds   Credentials
	base    string
	hc      *http.Client
	backoff time.Duration
}

// NewFetcher checks c (every field set, a space URL that is https or
// loopback http) and returns a Fetcher using a copy of hc that never follows
// redirects. A nil hc gets a client with a 30s timeout.
func NewFetcher(c Credentials, hc *http.Client) (*Fetcher, error) {
	if c.ProjectID == "" || c.APIToken == "" || c.SpaceURL == "" {
		return nil, fmt.Errorf("live: %w: project ID, API token and space URL are all required", ErrNoCredentials)
	}
	if strings.ContainsAny(c.ProjectID, "/?#%") {
		return nil, errors.New("live: project ID must be a UUID")
	}
	base, err := baseURL(c.SpaceURL)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Fetcher{creds: c, base: base, hc: &cp, backoff: 200 * time.Millisecond}, nil
}

// GetCall retrieves GET {space}/api/laml/2010-04-01/Accounts/{project}/Calls/{sid}
// and returns the exchange for any final HTTP status, except 401 and 403,
// which are a *StatusError. It retries 429, 5xx and transport errors up to 3
// attempts in all; the exchange returned is the last one.
//
// SignalWire API docs: https://developer.signalwire.com/compatibility-api/rest/retrieve-a-call
func (f *Fetcher) GetCall(ctx context.Context, sid string) (contract.Exchange, error) {
	if !contract.IsUUID(sid) {
		return contract.Exchange{}, errors.New("live: get call: sid must be a UUID")
	}
	op := "get call " + sid
	ex, err := f.get(ctx, op, apiPrefix+url.PathEscape(f.creds.ProjectID)+"/Calls/"+sid)
	if err != nil {
		return contract.Exchange{}, err
	}
	if ex.Status == http.StatusUnauthorized || ex.Status == http.StatusForbidden {
		return contract.Exchange{}, &StatusError{Op: op, Status: ex.Status}
	}
	return ex, nil
}

// ListCallSIDs returns up to n (1 to 1000) recent call SIDs from the first
// List Calls page. A non-2xx answer is a *StatusError; a page that does not
// decode or holds a SID that is not a UUID is an error.
//
// SignalWire API docs: https://developer.signalwire.com/compatibility-api/rest/list-all-calls
func (f *Fetcher) ListCallSIDs(ctx context.Context, n int) ([]string, error) {
	if n < 1 || n > maxPageSize {
		return nil, fmt.Errorf("live: list calls: page size %d outside 1..%d", n, maxPageSize)
	}
	ex, err := f.get(ctx, "list calls", apiPrefix+url.PathEscape(f.creds.ProjectID)+"/Calls?PageSize="+strconv.Itoa(n))
	if err != nil {
		return nil, err
	}
	if ex.Status < 200 || ex.Status > 299 {
		return nil, &StatusError{Op: "list calls", Status: ex.Status}
	}
	var page struct {
		Calls *[]struct {
			SID string `json:"sid"`
		} `json:"calls"`
	}
	if err := json.Unmarshal(ex.Body, &page); err != nil || page.Calls == nil {
		return nil, errors.New("live: list calls: malformed page (no calls array)")
	}
	var sids []string
	for i, c := range *page.Calls {
		if len(sids) == n {
			break
		}
		if !contract.IsUUID(c.SID) {
			return nil, fmt.Errorf("live: list calls: malformed page: calls[%d].sid is not a UUID", i)
		}
		sids = append(sids, strings.ToLower(c.SID))
	}
	return sids, nil
}

// get sends GET base+path with up to maxAttempts attempts and returns the
// last exchange. Transport errors are returned once the attempts run out.
func (f *Fetcher) get(ctx context.Context, op, path string) (contract.Exchange, error) {
	var (
		ex  contract.Exchange
		err error
	)
	for attempt := 1; ; attempt++ {
		ex, err = f.attempt(ctx, path)
		retry := err != nil || ex.Status == http.StatusTooManyRequests || ex.Status >= 500
		if !retry || attempt == maxAttempts || ctx.Err() != nil {
			break
		}
		wait := f.backoff << (attempt - 1)
		if err == nil {
			if d, ok := retryAfter(ex.Header.Get("Retry-After")); ok {
				wait = min(d, maxRetryAfter)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return contract.Exchange{}, fmt.Errorf("live: %s: %w", op, ctx.Err())
		case <-t.C:
		}
	}
	if err != nil {
		return contract.Exchange{}, fmt.Errorf("live: %s: %w", op, err)
	}
	return ex, nil
}

// attempt sends one request and reads up to maxBodySize bytes of the body.
func (f *Fetcher) attempt(ctx context.Context, path string) (contract.Exchange, error) {
	u := f.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return contract.Exchange{}, errors.New("cannot build the request")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.SetBasicAuth(f.creds.ProjectID, f.creds.APIToken)
	resp, err := f.hc.Do(req)
	if err != nil {
		// A *url.Error names the URL, which holds no credentials (they go
		// in the Authorization header); keep the cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			return contract.Exchange{}, ue.Err
		}
		return contract.Exchange{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize+1))
	if err != nil {
		return contract.Exchange{}, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBodySize {
		return contract.Exchange{}, fmt.Errorf("response body larger than %d bytes", maxBodySize)
	}
	return contract.Exchange{
		Method: http.MethodGet,
		URL:    u,
		Status: resp.StatusCode,
		Header: resp.Header,
		Body:   body,
	}, nil
}

// retryAfter reads Retry-After as delay-seconds or an HTTP-date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(min(secs, 3600)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
