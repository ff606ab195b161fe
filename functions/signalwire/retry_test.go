package signalwire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestShouldRetry(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1/x", Err: err} }
	tests := []struct {
		name   string
		status int
		err    error
		want   bool
	}{
		{"200", 200, nil, false},
		{"301", 301, nil, false},
		{"400", 400, nil, false},
		{"401", 401, nil, false},
		{"403", 403, nil, false},
		{"404", 404, nil, false},
		{"429", 429, nil, true},
		{"500", 500, nil, true},
		{"501", 501, nil, false},
		{"502", 502, nil, true},
		{"503", 503, nil, true},
		{"504", 504, nil, true},
		{"EOF", 0, urlErr(io.EOF), true},
		{"unexpected EOF reading body", 0, fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{"connection reset", 0, urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"connection refused", 0, urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{"broken pipe", 0, urlErr(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), true},
		{"dial timeout", 0, urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}), true},
		{"context canceled", 0, urlErr(context.Canceled), false},
		{"context deadline", 0, urlErr(context.DeadlineExceeded), false},
		{"body too large", 0, &BodyTooLargeError{Limit: 10}, false},
		{"tls or other", 0, urlErr(errors.New("tls: failed to verify certificate")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := shouldRetry(tt.status, tt.err); got != tt.want {
				t.Errorf("shouldRetry(%d, %v) = %t, want %t", tt.status, tt.err, got, tt.want)
			}
		})
	}
}

func TestSleepTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		rand          float64
		n             int
		retryAfter    time.Duration
		hasRetryAfter bool
		want          time.Duration
	}{
		{"first retry", 0.5, 1, 0, false, 50 * time.Millisecond},
		{"second retry doubles", 0.5, 2, 0, false, 100 * time.Millisecond},
		{"third retry doubles again", 0.5, 3, 0, false, 200 * time.Millisecond},
		{"capped", 0.5, 10, 0, false, 500 * time.Millisecond},
		{"huge n does not overflow", 0.5, 200, 0, false, 500 * time.Millisecond},
		{"jitter can be zero", 0, 3, 0, false, 0},
		{"retry-after wins", 0.5, 1, 3 * time.Second, true, 3 * time.Second},
		{"retry-after zero", 0.5, 1, 0, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := retryPolicy{maxAttempts: 3, base: 100 * time.Millisecond, max: time.Second, rand: func() float64 { return tt.rand }}
			if got := p.sleepTime(tt.n, tt.retryAfter, tt.hasRetryAfter); got != tt.want {
				t.Errorf("sleepTime(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestCanWait(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := retryPolicy{margin: 300 * time.Millisecond}
	tests := []struct {
		name     string
		deadline time.Duration // from now; 0 means none
		wait     time.Duration
		want     bool
	}{
		{"no deadline", 0, time.Second, true},
		{"no deadline, retry-after too long", 0, maxRetryAfter + time.Second, false},
		{"fits", 2 * time.Second, time.Second, true},
		{"exactly fits", 1300 * time.Millisecond, time.Second, true},
		{"eats the margin", 1200 * time.Millisecond, time.Second, false},
		{"past the deadline", 500 * time.Millisecond, 5 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, now.Add(tt.deadline))
				defer cancel()
			}
			if got := p.canWait(ctx, now, tt.wait); got != tt.want {
				t.Errorf("canWait(%v) = %t, want %t", tt.wait, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"999999999", 999999999 * time.Second, true},
		{"99999999999999999999", 0, false}, // not an int64: unparseable, not a huge wait
		{"9223372036854775807", time.Duration(math.MaxInt64/int64(time.Second)) * time.Second, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0, true},
		{"Monday, 02-Mar-26 14:08:11 GMT", 30 * time.Second, true}, // RFC 850, still accepted by http.ParseTime
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
