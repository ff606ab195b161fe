package contract

import (
	"errors"
	"net/mail"
	"strings"
	"time"
)

// ErrDate reports a date that is not an RFC 2822 date-time.
var ErrDate = errors.New("not an RFC 2822 date-time")

// maxDateLen bounds the input a date parser looks at; real values are about 31 bytes.
const maxDateLen = 64

// ParseDate parses an RFC 2822 date-time as SignalWire writes it
// ("Mon, 02 Mar 2026 14:05:07 +0000"), also accepting the obsolete zone names
// such as GMT and a missing day of week, as RFC 2822 section 4.3 allows.
func ParseDate(s string) (time.Time, error) {
	// RFC 2822 has no fractional seconds, which time.Parse accepts after the
	// seconds field as ".5" or ",5": no valid date-time holds a dot, and its
	// only comma follows the day name.
	if s == "" || len(s) > maxDateLen || strings.ContainsAny(s, "().") {
		return time.Time{}, ErrDate
	}
	for i := 1; i < len(s); i++ {
		if s[i] == ',' && '0' <= s[i-1] && s[i-1] <= '9' {
			return time.Time{}, ErrDate
		}
	}
	// SignalWire's own layout first: it is what real responses carry, and it
	// costs a fraction of net/mail's search through the obsolete forms.
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t, nil
	}
	t, err := mail.ParseDate(s)
	if err != nil {
		return time.Time{}, ErrDate
	}
	return t, nil
}
