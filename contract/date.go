package contract

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrDate reports a date that is not an RFC 2822 date-time.
var ErrDate = errors.New("not an RFC 2822 date-time")

// DateError says where and why a value is not an RFC 2822 date-time: the
// byte offset (counted from 0) and the rule it breaks. It never quotes the
// value. It wraps ErrDate.
type DateError struct {
	Offset int
	Reason string
}

func (e *DateError) Error() string {
	return fmt.Sprintf("%v: %s at byte %d", ErrDate, e.Reason, e.Offset)
}

// Unwrap returns ErrDate.
func (e *DateError) Unwrap() error { return ErrDate }

// maxDateLen bounds the input the parser looks at: RFC 2822's limit on a
// line (section 2.1.1). Real values are about 31 bytes.
const maxDateLen = 998

// obsZones are the zone names of RFC 2822 section 4.3 with their offsets in
// hours. The military zones (one letter other than J) are read as -0000,
// as section 4.3 says, since their meaning was never agreed.
var obsZones = map[string]int{
	"UT": 0, "GMT": 0,
	"EST": -5, "EDT": -4,
	"CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6,
	"PST": -8, "PDT": -7,
}

var dayNames = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// ParseDate parses an RFC 2822 date-time (section 3.3, with the obsolete
// forms of section 4.3) and returns it in the offset it states:
//
//	date-time = [ day-of-week "," ] date FWS time [CFWS]
//	date      = day month year          time = hour ":" minute [ ":" second ] FWS zone
//
// Comments and folding whitespace (CFWS) may stand around every item the
// obsolete syntax allows them around; folding is CRLF followed by SP or HTAB,
// and no other byte is whitespace. Day, month and zone names are
// case-insensitive. The day of week, when given, must be the date's. The
// day has one or two digits, hour, minute and second two. A two-digit year
// 00-49 is 20xx, 50-99 is 19xx, a three-digit year is added to 1900; the
// year must then be 1900 or later. The zone is +hhmm or -hhmm (mm 00-59),
// or one of UT GMT EST EDT CST CDT MST MDT PST PDT with its offset, or a
// military letter, read as -0000; nothing but CFWS may follow it. Seconds
// run to 60: a leap second 23:59:60 is returned as the following instant,
// 00:00:00 of the next day (time.Time has no leap seconds), so it orders
// after 23:59:59 and a duration across it counts it. The instant must lie
// before year 10000 in UTC, the range RFC 3339 (callwire.call.v1) can write.
// Anything else is a *DateError wrapping ErrDate.
func ParseDate(s string) (time.Time, error) {
	if len(s) > maxDateLen {
		return time.Time{}, &DateError{Offset: maxDateLen, Reason: fmt.Sprintf("longer than %d bytes", maxDateLen)}
	}
	p := dateParser{s: s}
	t, err := p.parse()
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// dateParser reads one date-time from s; i is the next byte.
type dateParser struct {
	s string
	i int
}

func (p *dateParser) fail(reason string) error {
	return &DateError{Offset: p.i, Reason: reason}
}

func (p *dateParser) parse() (time.Time, error) {
	fail := func(err error) (time.Time, error) { return time.Time{}, err }
	if _, _, err := p.cfws(); err != nil {
		return fail(err)
	}
	weekday := -1
	if p.i < len(p.s) && isAlpha(p.s[p.i]) {
		name := p.word()
		weekday = indexFold(dayNames[:], name)
		if weekday < 0 {
			return fail(&DateError{Offset: p.i - len(name), Reason: "expected a day name (Mon-Sun)"})
		}
		if _, _, err := p.cfws(); err != nil {
			return fail(err)
		}
		if !p.take(',') {
			return fail(p.fail(`expected "," after the day name`))
		}
		if _, _, err := p.cfws(); err != nil {
			return fail(err)
		}
	}
	day, n := p.digits()
	if n < 1 || n > 2 {
		return fail(p.fail("expected a day of one or two digits"))
	}
	if err := p.separator("before the month"); err != nil {
		return fail(err)
	}
	name := p.word()
	month := indexFold(monthNames[:], name) + 1
	if month == 0 {
		return fail(&DateError{Offset: p.i - len(name), Reason: "expected a month name (Jan-Dec)"})
	}
	if err := p.separator("before the year"); err != nil {
		return fail(err)
	}
	yearAt := p.i
	year, n := p.digits()
	switch {
	case n < 2:
		return fail(p.fail("expected a year of two or more digits"))
	case n == 2 && year < 50:
		year += 2000
	case n == 2 || n == 3:
		year += 1900
	}
	if year < 1900 {
		return fail(&DateError{Offset: yearAt, Reason: "year before 1900"})
	}
	if year > 9999 {
		return fail(&DateError{Offset: yearAt, Reason: "year after 9999"})
	}
	if day < 1 || day > daysIn(time.Month(month), year) {
		return fail(p.fail("no such day in the month"))
	}
	// date FWS time: at least one folding white space between them.
	if _, fws, err := p.cfws(); err != nil {
		return fail(err)
	} else if !fws {
		return fail(p.fail("expected white space before the time"))
	}
	hour, err := p.twoDigits("hour", 23)
	if err != nil {
		return fail(err)
	}
	if err := p.colon(); err != nil {
		return fail(err)
	}
	minute, err := p.twoDigits("minute", 59)
	if err != nil {
		return fail(err)
	}
	second := 0
	// time-of-day FWS zone: the zone follows white space, never a comment.
	_, fws, err := p.cfws()
	if err != nil {
		return fail(err)
	}
	if p.take(':') {
		if _, _, err := p.cfws(); err != nil {
			return fail(err)
		}
		if second, err = p.twoDigits("second", 60); err != nil {
			return fail(err)
		}
		if _, fws, err = p.cfws(); err != nil {
			return fail(err)
		}
	}
	if !fws || !isWSP(p.s[p.i-1]) {
		return fail(p.fail("expected white space before the zone"))
	}
	offset, err := p.zone()
	if err != nil {
		return fail(err)
	}
	if _, _, err := p.cfws(); err != nil {
		return fail(err)
	}
	if p.i != len(p.s) {
		return fail(p.fail("text after the zone"))
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, loc)
	if weekday >= 0 && time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Weekday() != time.Weekday(weekday) {
		return fail(&DateError{Offset: 0, Reason: "the day of week is not the date's"})
	}
	if t.UTC().Year() > 9999 {
		return fail(&DateError{Offset: yearAt, Reason: "the instant is after year 9999 in UTC"})
	}
	return t, nil
}

// cfws skips comments and folding white space (RFC 2822 section 3.2.3). It
// reports whether it skipped anything and whether that held white space
// outside comments.
func (p *dateParser) cfws() (skipped, fws bool, err error) {
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case ' ', '\t':
			fws = true
			p.i++
		case '\r', '\n':
			if err := p.fold(); err != nil {
				return false, false, err
			}
			fws = true
		case '(':
			if err := p.comment(); err != nil {
				return false, false, err
			}
		default:
			return p.i > start, fws, nil
		}
	}
	return p.i > start, fws, nil
}

// fold skips a CRLF that folds a line: it must be followed by SP or HTAB.
func (p *dateParser) fold() error {
	if strings.HasPrefix(p.s[p.i:], "\r\n") && p.i+2 < len(p.s) && isWSP(p.s[p.i+2]) {
		p.i += 2
		return nil
	}
	return p.fail("CR or LF that does not fold a line (CRLF followed by SP or HTAB)")
}

// comment skips a comment, nested comments and quoted-pairs included; its
// text is US-ASCII other than NUL, and CR and LF only as a fold.
func (p *dateParser) comment() error {
	depth := 0
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '(':
			depth++
			p.i++
		case c == ')':
			depth--
			p.i++
			if depth == 0 {
				return nil
			}
		case c == '\\':
			if p.i+1 == len(p.s) || p.s[p.i+1] > 127 {
				return p.fail("quoted-pair in a comment without a US-ASCII character")
			}
			p.i += 2
		case c == '\r' || c == '\n':
			if err := p.fold(); err != nil {
				return err
			}
		case c == 0 || c > 127:
			return p.fail("a byte a comment cannot hold (NUL or not US-ASCII)")
		default:
			p.i++
		}
	}
	return p.fail("unclosed comment")
}

// separator skips the CFWS that must separate the items of the date.
func (p *dateParser) separator(where string) error {
	skipped, _, err := p.cfws()
	if err != nil {
		return err
	}
	if !skipped {
		return p.fail("expected white space or a comment " + where)
	}
	return nil
}

func (p *dateParser) colon() error {
	if _, _, err := p.cfws(); err != nil {
		return err
	}
	if !p.take(':') {
		return p.fail(`expected ":"`)
	}
	_, _, err := p.cfws()
	return err
}

func (p *dateParser) take(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// word reads a run of ASCII letters.
func (p *dateParser) word() string {
	start := p.i
	for p.i < len(p.s) && isAlpha(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// digits reads a run of digits and returns its value (capped, so it never
// overflows) and its length.
func (p *dateParser) digits() (value, n int) {
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		if value < 1e6 {
			value = value*10 + int(p.s[p.i]-'0')
		}
		p.i++
		n++
	}
	return value, n
}

// twoDigits reads exactly two digits no greater than maxValue.
func (p *dateParser) twoDigits(what string, maxValue int) (int, error) {
	start := p.i
	v, n := p.digits()
	if n != 2 {
		p.i = start
		return 0, p.fail("expected a two-digit " + what)
	}
	if v > maxValue {
		p.i = start
		return 0, p.fail(fmt.Sprintf("%s past %02d", what, maxValue))
	}
	return v, nil
}

// zone reads the zone and returns its offset in seconds east of UTC.
func (p *dateParser) zone() (int, error) {
	start := p.i
	if p.take('+') || p.take('-') {
		sign := 1
		if p.s[start] == '-' {
			sign = -1
		}
		v, n := p.digits()
		if n != 4 {
			p.i = start
			return 0, p.fail("expected a zone of four digits after the sign")
		}
		if v%100 > 59 {
			p.i = start
			return 0, p.fail("zone minutes past 59")
		}
		return sign * (v/100*3600 + v%100*60), nil
	}
	name := strings.ToUpper(p.word())
	if h, ok := obsZones[name]; ok {
		return h * 3600, nil
	}
	if len(name) == 1 && name != "J" {
		return 0, nil
	}
	p.i = start
	return 0, p.fail("expected a zone: +hhmm, -hhmm, UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT or a military letter")
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func indexFold(names []string, s string) int {
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i
		}
	}
	return -1
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isWSP(c byte) bool { return c == ' ' || c == '\t' }
