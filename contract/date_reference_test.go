package contract_test

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The reference for ParseDate: RFC 2822's date-time (section 3.3 with the
// obsolete forms of section 4.3) written out as a regular expression, with
// the section 3.3 and 4.3 rules on values applied to what it captures. A
// regular expression cannot nest without bound, so it knows comments nested
// at most three deep (refDateMaxDepth); folding white space is a run of SP,
// HTAB and CRLF followed by SP or HTAB. Go's regexp reads runes, so the
// value's octets are read as Latin-1 (see latin1).
const (
	rfcFWS     = `(?:[ \t]|\r\n[ \t])+`
	rfcCtext   = `[\x01-\x08\x0B\x0C\x0E-\x1F\x21-\x27\x2A-\x5B\x5D-\x7F]`
	rfcQPair   = `\\[\x00-\x7F]`
	rfcCAtom   = `(?:` + rfcFWS + `|` + rfcCtext + `|` + rfcQPair
	rfcComment = `\(` + rfcCAtom + `|\(` + rfcCAtom + `|\(` + rfcCAtom + `)*\))*\))*\)`
	rfcCFWS    = `(?:` + rfcFWS + `|` + rfcComment + `)+`
	rfcOptCFWS = `(?:` + rfcFWS + `|` + rfcComment + `)*`
	// [CFWS] FWS [CFWS]: white space outside comments somewhere in it.
	rfcHasFWS = rfcOptCFWS + rfcFWS + rfcOptCFWS
	// [CFWS] FWS: ending in white space.
	rfcEndsFWS = rfcOptCFWS + rfcFWS
	rfcDate    = `^` + rfcOptCFWS + `(?:([A-Za-z]{3})` + rfcOptCFWS + `,` + rfcOptCFWS + `)?` +
		`([0-9]{1,2})` + rfcCFWS + `([A-Za-z]{3})` + rfcCFWS + `([0-9]{2,})` + rfcHasFWS +
		`([0-9]{2})` + rfcOptCFWS + `:` + rfcOptCFWS + `([0-9]{2})` +
		`(?:` + rfcOptCFWS + `:` + rfcOptCFWS + `([0-9]{2}))?` + rfcEndsFWS +
		`([+-][0-9]{4}|[A-Za-z]+)` + rfcOptCFWS + `$`
	refDateMaxDepth = 3
)

var dateRE = regexp.MustCompile(rfcDate)

// commentDepth returns how deep comments nest in s (quoted-pairs skipped).
func commentDepth(s string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
			deepest = max(deepest, depth)
		case ')':
			depth--
		}
	}
	return deepest
}

var refZones = map[string]int{"UT": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}

// referenceDate returns the instant s names by RFC 2822 and true, or false
// when RFC 2822 does not allow it (or ParseDate's documented limits: 998
// bytes, an instant RFC 3339 can write).
func referenceDate(s string) (time.Time, bool) {
	if len(s) > 998 {
		return time.Time{}, false
	}
	m := dateRE.FindStringSubmatch(latin1(s))
	if m == nil {
		return time.Time{}, false
	}
	atoi := func(d string) int {
		if len(d) > 6 {
			return 1 << 30
		}
		n, _ := strconv.Atoi(d)
		return n
	}
	day, hour, minute, second := atoi(m[2]), atoi(m[5]), atoi(m[6]), 0
	if m[7] != "" {
		second = atoi(m[7])
	}
	month := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", strings.ToLower(m[3]))
	if month < 0 || month%3 != 0 {
		return time.Time{}, false
	}
	month = month/3 + 1
	year := atoi(m[4])
	switch len(m[4]) {
	case 2:
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	case 3:
		year += 1900
	}
	var offset int
	switch zone := strings.ToUpper(m[8]); {
	case zone[0] == '+' || zone[0] == '-':
		hh, mm := atoi(zone[1:3]), atoi(zone[3:5])
		if mm > 59 {
			return time.Time{}, false
		}
		offset = (hh*60 + mm) * 60
		if zone[0] == '-' {
			offset = -offset
		}
	case len(zone) == 1 && zone != "J":
		offset = 0 // military: -0000
	default:
		h, ok := refZones[zone]
		if !ok {
			return time.Time{}, false
		}
		offset = h * 3600
	}
	if year < 1900 || year > 9999 || hour > 23 || minute > 59 || second > 60 {
		return time.Time{}, false
	}
	date := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if day < 1 || date.Day() != day {
		return time.Time{}, false
	}
	if m[1] != "" {
		if !strings.EqualFold(m[1], date.Weekday().String()[:3]) {
			return time.Time{}, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.FixedZone("", offset))
	if t.UTC().Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}
