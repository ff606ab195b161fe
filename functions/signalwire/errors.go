package signalwire

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/voice"
)

// maxErrorBodySize bounds how much of an error body is decoded; SignalWire's
// error documents are a few hundred bytes.
const maxErrorBodySize = 64 << 10

// APIError is a non-2xx response from SignalWire, decoded from its error body
// {"code", "message", "more_info", "status"}.
//
// Unwrap maps the status to a voice sentinel, so callers can branch with
// errors.Is(err, voice.ErrNotFound) and still reach the details with errors.As.
type APIError struct {
	StatusCode int           // HTTP status of the response.
	Code       int           // SignalWire error code such as 20404; 0 if the body had none.
	Message    string        // Human-readable message from the body, as sent.
	MoreInfo   string        // Documentation link from the body, as sent.
	RetryAfter time.Duration // Parsed Retry-After header; 0 if absent.
}

// Error implements error. It names the status and code only: the message is
// upstream text and stays in the Message field.
func (e *APIError) Error() string {
	s := "signalwire: HTTP " + strconv.Itoa(e.StatusCode)
	if e.Code != 0 {
		s += ": code " + strconv.Itoa(e.Code)
	}
	return s
}

// Unwrap returns the voice sentinel for the status: 404 is voice.ErrNotFound,
// 401 and 403 are voice.ErrUnauthorized, 429 is voice.ErrRateLimited and any
// other status is voice.ErrUpstream.
func (e *APIError) Unwrap() error {
	switch e.StatusCode {
	case http.StatusNotFound:
		return voice.ErrNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return voice.ErrUnauthorized
	case http.StatusTooManyRequests:
		return voice.ErrRateLimited
	default:
		return voice.ErrUpstream
	}
}

// newAPIError decodes an error response. A body that is not SignalWire's
// error document (HTML from a proxy, truncated JSON) still yields an
// *APIError, with only StatusCode and RetryAfter set.
func newAPIError(status int, header http.Header, body io.Reader, now time.Time) *APIError {
	e := &APIError{StatusCode: status}
	if d, ok := ParseRetryAfter(header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	var doc struct {
		Code     json.RawMessage `json:"code"`
		Message  string          `json:"message"`
		MoreInfo string          `json:"more_info"`
	}
	if err := json.NewDecoder(io.LimitReader(body, maxErrorBodySize)).Decode(&doc); err != nil {
		return e
	}
	e.Code = parseCode(doc.Code)
	e.Message = doc.Message
	e.MoreInfo = doc.MoreInfo
	return e
}

// parseCode accepts the code as a JSON number (20404) or, as some SignalWire
// endpoints send it, a string ("21717"). Anything else is 0.
func parseCode(raw json.RawMessage) int {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0
		}
	} else {
		s = string(raw)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// BodyTooLargeError reports a response body longer than the client's limit.
// It unwraps to voice.ErrUpstream.
type BodyTooLargeError struct {
	Limit int64 // The limit in bytes that the body exceeded.
}

// Error implements error.
func (e *BodyTooLargeError) Error() string {
	return "signalwire: response body larger than " + strconv.FormatInt(e.Limit, 10) + " bytes"
}

// Unwrap returns voice.ErrUpstream.
func (e *BodyTooLargeError) Unwrap() error { return voice.ErrUpstream }
