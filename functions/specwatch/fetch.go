package specwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// maxRedirects bounds the redirects a fetch follows, each through checkURL.
const maxRedirects = 3

// document is what a fetch brought back.
type document struct {
	body         []byte
	sha256       string
	etag         string
	lastModified string
}

// fetcher gets the published document over HTTPS with a conditional
// request, a size cap, a timeout and the host guard.
type fetcher struct {
	hc       *http.Client
	url      *url.URL
	maxBytes int
}

// newFetcher returns a fetcher for cfg over hc's transport (nil: a new
// one); the client it uses gets cfg's timeout and the host guard on
// redirects.
func newFetcher(cfg Config, rt http.RoundTripper) *fetcher {
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
	}
	hc := &http.Client{
		Transport: rt,
		Timeout:   cfg.FetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if err := checkURL(req.URL, cfg.AllowedHosts, cfg.AllowLoopback); err != nil {
				return fmt.Errorf("redirect refused: %w", err)
			}
			return nil
		},
	}
	return &fetcher{hc: hc, url: cfg.URL, maxBytes: cfg.MaxBytes}
}

// errNotModified reports that the server answered 304 to the conditional
// request: the document is the one last seen.
var errNotModified = errors.New("not modified")

// fetch gets the document, sending If-None-Match and If-Modified-Since
// from what was last seen. It returns errNotModified on a 304 and a
// *FetchError on any failure.
func (f *fetcher) fetch(ctx context.Context, etag, lastModified string) (document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url.String(), nil)
	if err != nil {
		return document{}, &FetchError{Problem: "cannot build the request", Err: err}
	}
	req.Header.Set("Accept", "application/yaml, application/json;q=0.9, text/plain;q=0.5, */*;q=0.1")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return document{}, &FetchError{Problem: "request failed", Err: err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && (etag != "" || lastModified != ""):
		return document{}, errNotModified
	case resp.StatusCode != http.StatusOK:
		return document{}, &FetchError{Problem: "answered HTTP " + strconv.Itoa(resp.StatusCode), Status: resp.StatusCode}
	case resp.ContentLength > int64(f.maxBytes):
		return document{}, &FetchError{Problem: fmt.Sprintf("is larger than %d bytes (Content-Length %d)", f.maxBytes, resp.ContentLength)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(f.maxBytes)+1))
	if err != nil {
		return document{}, &FetchError{Problem: "body could not be read", Err: err}
	}
	if len(body) > f.maxBytes {
		return document{}, &FetchError{Problem: fmt.Sprintf("is larger than %d bytes", f.maxBytes)}
	}
	sum := sha256.Sum256(body)
	return document{
		body:         body,
		sha256:       hex.EncodeToString(sum[:]),
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

// FetchError reports a fetch of the published document that failed.
type FetchError struct {
	// Problem says what went wrong: "answered HTTP 503", "request failed".
	Problem string
	// Status is the HTTP status, when there was an answer.
	Status int
	Err    error
}

// Error names the failure; the URL is the configured one, which carries no
// credentials (loadConfig refuses them).
func (e *FetchError) Error() string {
	if e.Err != nil {
		return "specwatch: fetch the published document: " + e.Problem + ": " + e.Err.Error()
	}
	return "specwatch: fetch the published document: " + e.Problem
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }
