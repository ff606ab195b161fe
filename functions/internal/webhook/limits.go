package webhook

import (
	"bytes"
	"errors"
	"strconv"
)

// Bounds on one webhook request. A real status callback has a URL of about
// 100 bytes, a body of about 1 KB and about 30 fields.
const (
	// MaxURL is the longest URL accepted, query string included.
	MaxURL = 8 << 10
	// MaxBody is the largest body accepted, after any transport decoding.
	MaxBody = 64 << 10
	// MaxFields is the most fields accepted in a body or a query string.
	MaxFields = 200
)

// Sentinels of LimitError.
var (
	// ErrURLTooLong reports a URL over MaxURL: answer 414.
	ErrURLTooLong = errors.New("webhook: URL too long")
	// ErrTooLarge reports a body over MaxBody, or more than MaxFields
	// fields: answer 413.
	ErrTooLarge = errors.New("webhook: request too large")
)

// LimitError reports a request over one of the bounds. It names the bound,
// never the request's content, and unwraps to ErrURLTooLong or ErrTooLarge.
type LimitError struct {
	// What is "URL", "body" or "fields".
	What  string
	Limit int
}

// Error implements error.
func (e *LimitError) Error() string {
	unit := " bytes"
	if e.What == "fields" {
		unit = ""
	}
	return "webhook: " + e.What + " over " + strconv.Itoa(e.Limit) + unit
}

// Unwrap returns the sentinel of the bound.
func (e *LimitError) Unwrap() error {
	if e.What == "URL" {
		return ErrURLTooLong
	}
	return ErrTooLarge
}

// CheckLimits bounds req before any signature or parsing work: its longest
// URL (MaxURL), its body (MaxBody) and the fields of its query string and
// body (MaxFields each), counted without decoding them. The transport's
// encoding of the body (base64) is the caller's to bound before decoding.
func CheckLimits(req Request) error {
	for _, u := range req.URLs {
		if len(u) > MaxURL {
			return &LimitError{What: "URL", Limit: MaxURL}
		}
	}
	if len(req.Body) > MaxBody {
		return &LimitError{What: "body", Limit: MaxBody}
	}
	if countPairs([]byte(req.RawQuery)) > MaxFields {
		return &LimitError{What: "fields", Limit: MaxFields}
	}
	n := 0
	if mediaKind(req.ContentType) == kindJSON {
		n = countMembers(req.Body)
	} else {
		n = countPairs(req.Body)
	}
	if n > MaxFields {
		return &LimitError{What: "fields", Limit: MaxFields}
	}
	return nil
}

// countPairs counts the non-empty '&'-separated pairs of a form or query,
// as ParseForm would return them.
func countPairs(b []byte) int {
	n := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return n + 1
		}
		if i > 0 {
			n++
		}
		b = b[i+1:]
	}
	return n
}

// countMembers counts the ':' outside strings of a JSON text: the members
// of all its objects, an upper bound of what ParseJSON returns, in one pass
// without decoding.
func countMembers(b []byte) int {
	n := 0
	inString := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == ':':
			n++
		}
	}
	return n
}
