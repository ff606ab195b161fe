package signalwire

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/voice"
)

func TestNewAPIError(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   APIError
	}{
		{
			name:   "numeric code",
			status: 404,
			body:   `{"code":20404,"message":"The requested resource was not found","more_info":"https://developer.signalwire.com/compatibility-api/reference/error-codes","status":404}`,
			want:   APIError{StatusCode: 404, Code: 20404, Message: "The requested resource was not found", MoreInfo: "https://developer.signalwire.com/compatibility-api/reference/error-codes"},
		},
		{
			name:   "string code",
			status: 400,
			body:   `{"code":"21717","message":"bad request","status":"400"}`,
			want:   APIError{StatusCode: 400, Code: 21717, Message: "bad request"},
		},
		{
			name:   "code not a number",
			status: 400,
			body:   `{"code":"abc","message":"m"}`,
			want:   APIError{StatusCode: 400, Message: "m"},
		},
		{
			name:   "null code",
			status: 500,
			body:   `{"code":null}`,
			want:   APIError{StatusCode: 500},
		},
		{
			name:   "html body",
			status: 502,
			body:   `<html><body>Bad Gateway</body></html>`,
			want:   APIError{StatusCode: 502},
		},
		{
			name:   "truncated json",
			status: 503,
			body:   `{"code":20503,"mess`,
			want:   APIError{StatusCode: 503},
		},
		{
			name:   "empty body",
			status: 401,
			want:   APIError{StatusCode: 401},
		},
		{
			name:   "retry after seconds",
			status: 429,
			header: http.Header{"Retry-After": {"7"}},
			body:   `{"code":20429,"message":"Too Many Requests"}`,
			want:   APIError{StatusCode: 429, Code: 20429, Message: "Too Many Requests", RetryAfter: 7 * time.Second},
		},
		{
			name:   "retry after date",
			status: 429,
			header: http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}},
			want:   APIError{StatusCode: 429, RetryAfter: 90 * time.Second},
		},
		{
			name:   "oversized body is not read past the limit",
			status: 500,
			body:   `{"message":"` + strings.Repeat("x", maxErrorBodySize) + `"}`,
			want:   APIError{StatusCode: 500},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := newAPIError(tt.status, tt.header, strings.NewReader(tt.body), now)
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("newAPIError mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIErrorUnwrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   error
	}{
		{404, voice.ErrNotFound},
		{401, voice.ErrUnauthorized},
		{403, voice.ErrUnauthorized},
		{429, voice.ErrRateLimited},
		{500, voice.ErrUpstream},
		{503, voice.ErrUpstream},
		{400, voice.ErrUpstream},
		{302, voice.ErrUpstream},
	}
	all := []error{voice.ErrNotFound, voice.ErrUnauthorized, voice.ErrRateLimited, voice.ErrUpstream}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			var err error = &APIError{StatusCode: tt.status}
			for _, sentinel := range all {
				if got, want := errors.Is(err, sentinel), sentinel == tt.want; got != want {
					t.Errorf("errors.Is(HTTP %d, %v) = %t, want %t", tt.status, sentinel, got, want)
				}
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Errorf("errors.As lost the *APIError")
			}
		})
	}
}

func TestAPIErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{StatusCode: 404, Code: 20404, Message: "not found"}, "signalwire: HTTP 404: code 20404"},
		{&APIError{StatusCode: 502}, "signalwire: HTTP 502"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestResponseErr(t *testing.T) {
	t.Parallel()
	ok := &Response{StatusCode: 200, Body: []byte(`{}`)}
	if err := ok.Err(); err != nil {
		t.Errorf("200: Err() = %v, want nil", err)
	}
	notFound := &Response{StatusCode: 404, Body: []byte(`{"code":20404}`)}
	var apiErr *APIError
	if err := notFound.Err(); !errors.As(err, &apiErr) || apiErr.Code != 20404 || !errors.Is(err, voice.ErrNotFound) {
		t.Errorf("404: Err() = %v, want *APIError code 20404 wrapping voice.ErrNotFound", err)
	}
}

func TestBodyTooLargeError(t *testing.T) {
	t.Parallel()
	var err error = &BodyTooLargeError{Limit: 1 << 20}
	if !errors.Is(err, voice.ErrUpstream) {
		t.Errorf("errors.Is(%v, voice.ErrUpstream) = false", err)
	}
	if got, want := err.Error(), "signalwire: response body larger than 1048576 bytes"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
