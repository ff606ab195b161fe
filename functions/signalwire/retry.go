package signalwire

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Retry defaults. Three attempts with a 100ms base fit well inside an API
// Gateway-fronted Lambda's budget; the deadline in ctx has the last word.
const (
	defaultMaxAttempts    = 3
	defaultBackoffBase    = 100 * time.Millisecond
	defaultBackoffMax     = 2 * time.Second
	defaultDeadlineMargin = 300 * time.Millisecond

	// maxRetryAfter is the longest Retry-After the client waits out even when
	// ctx has no deadline; a longer one ends the call with the 429.
	maxRetryAfter = 20 * time.Second
)

// retryPolicy is everything that decides whether and when to try again. Its
// two methods below are the only place retry behaviour is defined.
type retryPolicy struct {
	maxAttempts int
	base, max   time.Duration
	margin      time.Duration  // time kept free before the ctx deadline
	rand        func() float64 // in [0, 1); full jitter
}

// shouldRetry reports whether an attempt that ended with status (0 when
// there is no response) or err is worth repeating. Only idempotent GETs go
// through the client, so repeating is safe.
//
// Retried: 429, 500, 502, 503, 504, and transport failures such as a reset
// or closed connection. Not retried: other statuses (the caller decides),
// context cancellation or deadline, TLS and other errors.
func shouldRetry(status int, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		var tooLarge *BodyTooLargeError
		if errors.As(err, &tooLarge) {
			return false
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
			errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
			return true
		}
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	switch status {
	case http.StatusTooManyRequests,
		http.StatusInternalServerError,
		http.StatusBadGateway,
		http.StatusServiceUnavailable,
		http.StatusGatewayTimeout:
		return true
	}
	return false
}

// sleepTime returns the wait before retry n (1 for the first retry). A
// Retry-After from the server wins; otherwise it is full jitter over a capped
// exponential backoff: rand * min(max, base * 2^(n-1)).
func (p retryPolicy) sleepTime(n int, retryAfter time.Duration, hasRetryAfter bool) time.Duration {
	if hasRetryAfter {
		return retryAfter
	}
	d := p.max
	if n < 1 {
		n = 1
	}
	if shift := n - 1; shift < 30 && p.base<<shift < p.max && p.base<<shift > 0 {
		d = p.base << shift
	}
	return time.Duration(p.rand() * float64(d))
}

// canWait reports whether sleeping d from now still leaves the margin before
// the ctx deadline (and, without a deadline, whether d is reasonable at all).
func (p retryPolicy) canWait(ctx context.Context, now time.Time, d time.Duration) bool {
	if d > maxRetryAfter {
		return false
	}
	deadline, ok := ctx.Deadline()
	return !ok || !now.Add(d).Add(p.margin).After(deadline)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3). A date in the past means no wait. It returns the
// wait the server asked for, whatever its length: each caller decides what
// fits its own deadline (the Client waits up to maxRetryAfter, and never past
// the ctx deadline less its margin).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Past about 290 years a Duration overflows; no caller waits that long.
		const maxSecs = int64(math.MaxInt64 / int64(time.Second))
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
