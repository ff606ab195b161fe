package contract_test

import (
	"errors"
	"testing"
	"time"

	"github.com/callwire/callwire/contract"
)

// TestParseDateValid: RFC 2822 section 3.3 with its comments and folding
// whitespace, and the obsolete forms of section 4.3. want is the instant in
// UTC and the offset the date states.
func TestParseDateValid(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
		offset         int // seconds east of UTC
	}{
		{"SignalWire's layout", "Mon, 02 Mar 2026 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"negative offset", "Mon, 02 Mar 2026 14:05:07 -0800", "2026-03-02T22:05:07Z", -8 * 3600},
		{"offset with minutes", "Mon, 02 Mar 2026 14:05:07 +0530", "2026-03-02T08:35:07Z", 5*3600 + 30*60},
		{"no day of week", "02 Mar 2026 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"one-digit day", "Mon, 2 Mar 2026 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"no seconds", "Mon, 02 Mar 2026 14:05 +0000", "2026-03-02T14:05:00Z", 0},
		{"no space after the comma", "Mon,02 Mar 2026 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"tabs", "Mon,\t02\tMar\t2026\t14:05:07\t+0000", "2026-03-02T14:05:07Z", 0},
		{"several spaces", "  Mon,  02  Mar  2026  14:05:07  +0000  ", "2026-03-02T14:05:07Z", 0},
		{"folded", "Mon, 02 Mar 2026\r\n 14:05:07\r\n\t+0000", "2026-03-02T14:05:07Z", 0},
		{"trailing comment", "Mon, 02 Mar 2026 14:05:07 +0000 (UTC)", "2026-03-02T14:05:07Z", 0},
		{"trailing comment without space", "Mon, 02 Mar 2026 14:05:07 +0000(UTC)", "2026-03-02T14:05:07Z", 0},
		{"nested comment, quoted-pair", `Mon, 02 Mar 2026 14:05:07 -0800 (Pacific (\) Standard) Time)`, "2026-03-02T22:05:07Z", -8 * 3600},
		{"comments everywhere", "(a)Mon(b),(c)02(d)Mar(e)2026 (f)14(g):(h)05(i):(j)07 +0000(k)", "2026-03-02T14:05:07Z", 0},
		{"space around colons", "Mon, 02 Mar 2026 14 : 05 : 07 +0000", "2026-03-02T14:05:07Z", 0},
		{"lower-case names", "mon, 02 mar 2026 14:05:07 gmt", "2026-03-02T14:05:07Z", 0},
		{"upper-case names", "MON, 02 MAR 2026 14:05:07 EST", "2026-03-02T19:05:07Z", -5 * 3600},
		{"UT", "Mon, 02 Mar 2026 14:05:07 UT", "2026-03-02T14:05:07Z", 0},
		{"GMT", "Mon, 02 Mar 2026 14:05:07 GMT", "2026-03-02T14:05:07Z", 0},
		{"EST", "Mon, 02 Mar 2026 14:05:07 EST", "2026-03-02T19:05:07Z", -5 * 3600},
		{"EDT", "Mon, 02 Mar 2026 14:05:07 EDT", "2026-03-02T18:05:07Z", -4 * 3600},
		{"CST", "Mon, 02 Mar 2026 14:05:07 CST", "2026-03-02T20:05:07Z", -6 * 3600},
		{"CDT", "Mon, 02 Mar 2026 14:05:07 CDT", "2026-03-02T19:05:07Z", -5 * 3600},
		{"MST", "Mon, 02 Mar 2026 14:05:07 MST", "2026-03-02T21:05:07Z", -7 * 3600},
		{"MDT", "Mon, 02 Mar 2026 14:05:07 MDT", "2026-03-02T20:05:07Z", -6 * 3600},
		{"PST", "Mon, 02 Mar 2026 14:05:07 PST", "2026-03-02T22:05:07Z", -8 * 3600},
		{"PDT", "Mon, 02 Mar 2026 14:05:07 pdt", "2026-03-02T21:05:07Z", -7 * 3600},
		{"military Z is -0000", "Mon, 02 Mar 2026 14:05:07 Z", "2026-03-02T14:05:07Z", 0},
		{"military A is -0000", "Mon, 02 Mar 2026 14:05:07 A", "2026-03-02T14:05:07Z", 0},
		{"military lower case", "Mon, 02 Mar 2026 14:05:07 k", "2026-03-02T14:05:07Z", 0},
		{"-0000", "Mon, 02 Mar 2026 14:05:07 -0000", "2026-03-02T14:05:07Z", 0},
		{"two-digit year 26 is 2026", "Mon, 02 Mar 26 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"two-digit year 49 is 2049", "Tue, 02 Mar 49 14:05:07 +0000", "2049-03-02T14:05:07Z", 0},
		{"two-digit year 50 is 1950", "Thu, 02 Mar 50 14:05:07 +0000", "1950-03-02T14:05:07Z", 0},
		{"two-digit year 55 is 1955", "Wed, 02 Mar 55 14:05:07 +0000", "1955-03-02T14:05:07Z", 0},
		{"two-digit year 68 is 1968", "Sat, 02 Mar 68 14:05:07 +0000", "1968-03-02T14:05:07Z", 0},
		{"three-digit year 126 is 2026", "Mon, 02 Mar 126 14:05:07 +0000", "2026-03-02T14:05:07Z", 0},
		{"three-digit year 099 is 1999", "Tue, 02 Mar 099 14:05:07 +0000", "1999-03-02T14:05:07Z", 0},
		{"year 1900", "Mon, 01 Jan 1900 00:00:00 +0000", "1900-01-01T00:00:00Z", 0},
		{"leap day", "Sat, 29 Feb 2020 12:00:00 +0000", "2020-02-29T12:00:00Z", 0},
		{"leap second is the next second", "Wed, 31 Dec 2025 23:59:60 +0000", "2026-01-01T00:00:00Z", 0},
		{"leap second in a local time", "Wed, 31 Dec 2025 15:59:60 -0800", "2026-01-01T00:00:00Z", -8 * 3600},
		{"largest offset", "Mon, 02 Mar 2026 14:05:07 +9959", "2026-02-26T10:06:07Z", 99*3600 + 59*60},
		{"last second of 9999", "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z", 0},
	} {
		got, err := contract.ParseDate(tt.in)
		if err != nil {
			t.Errorf("%s: ParseDate(%q): %v", tt.name, tt.in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339); s != tt.want {
			t.Errorf("%s: ParseDate(%q) = %s, want %s", tt.name, tt.in, s, tt.want)
		}
		if _, off := got.Zone(); off != tt.offset {
			t.Errorf("%s: ParseDate(%q) offset %d s, want %d s", tt.name, tt.in, off, tt.offset)
		}
		if ref, ok := referenceDate(tt.in); !ok || !ref.Equal(got) {
			t.Errorf("%s: the grammar-derived reference says %v, %t", tt.name, ref, ok)
		}
	}
}

// TestParseDateInvalid: what RFC 2822 does not allow is ErrDate.
func TestParseDateInvalid(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in string }{
		{"empty", ""},
		{"ISO 8601", "2026-03-02T14:05:07Z"},
		{"weekday does not match", "Tue, 02 Mar 2026 14:05:07 +0000"},
		{"weekday does not match a two-digit year", "Mon, 02 Mar 55 14:05:07 +0000"},
		{"one-digit hour", "Mon, 02 Mar 2026 4:05:07 +0000"},
		{"one-digit minute", "Mon, 02 Mar 2026 14:5:07 +0000"},
		{"one-digit second", "Mon, 02 Mar 2026 14:05:7 +0000"},
		{"three-digit day", "Mon, 002 Mar 2026 14:05:07 +0000"},
		{"one-digit year", "Mon, 02 Mar 6 14:05:07 +0000"},
		{"UTC", "Mon, 02 Mar 2026 14:05:07 UTC"},
		{"CET", "Mon, 02 Mar 2026 14:05:07 CET"},
		{"GMT+1", "Mon, 02 Mar 2026 14:05:07 GMT+1"},
		{"military J", "Mon, 02 Mar 2026 14:05:07 J"},
		{"text after the zone", "Mon, 02 Mar 2026 14:05:07 +0000 UTC"},
		{"a second zone", "Mon, 02 Mar 2026 14:05:07 +0000 +0000"},
		{"garbage after the zone", "Mon, 02 Mar 2026 14:05:07 +0000x"},
		{"short numeric zone", "Mon, 02 Mar 2026 14:05:07 +00"},
		{"three-digit zone", "Mon, 02 Mar 2026 14:05:07 +100"},
		{"five-digit zone", "Mon, 02 Mar 2026 14:05:07 +01000"},
		{"zone with colon", "Mon, 02 Mar 2026 14:05:07 +01:00"},
		{"zone minutes past 59", "Mon, 02 Mar 2026 14:05:07 +0060"},
		{"no zone", "Mon, 02 Mar 2026 14:05:07"},
		{"no space before the zone", "Mon, 02 Mar 2026 14:05:07+0000"},
		{"a comment right before the zone", "Mon, 02 Mar 2026 14:05:07 (c)+0000"},
		{"no space before the time", "Mon, 02 Mar 2026(c)14:05:07 +0000"},
		{"no space before the month", "Mon, 02Mar 2026 14:05:07 +0000"},
		{"year before 1900", "Sun, 31 Dec 1899 23:59:59 +0000"},
		{"four-digit year 0026", "Mon, 02 Mar 0026 14:05:07 +0000"},
		{"year after 9999 in UTC", "Fri, 31 Dec 9999 23:59:59 -0001"},
		{"leap second after 9999", "Fri, 31 Dec 9999 23:59:60 +0000"},
		{"hour 24", "Mon, 02 Mar 2026 24:00:00 +0000"},
		{"minute 60", "Mon, 02 Mar 2026 14:60:00 +0000"},
		{"second 61", "Mon, 02 Mar 2026 14:05:61 +0000"},
		{"29 February of a common year", "Sun, 29 Feb 2026 14:05:07 +0000"},
		{"31 April", "Fri, 31 Apr 2026 14:05:07 +0000"},
		{"day 0", "00 Mar 2026 14:05:07 +0000"},
		{"fractional seconds", "Mon, 02 Mar 2026 14:05:07.123 +0000"},
		{"fractional seconds after a comma", "Mon, 02 Mar 2026 14:05:07,000 +0000"},
		{"full month name", "Mon, 02 March 2026 14:05:07 +0000"},
		{"full day name", "Monday, 02 Mar 2026 14:05:07 +0000"},
		{"day name without comma", "Mon 02 Mar 2026 14:05:07 +0000"},
		{"unclosed comment", "Mon, 02 Mar 2026 14:05:07 +0000 (UTC"},
		{"unopened comment", "Mon, 02 Mar 2026 14:05:07 +0000 UTC)"},
		{"bare LF", "Mon, 02 Mar 2026\n14:05:07 +0000"},
		{"bare CR", "Mon, 02 Mar 2026\r14:05:07 +0000"},
		{"CRLF not followed by space", "Mon, 02 Mar 2026 14:05:07 +0000\r\n"},
		{"no-break space", "Mon, 02 Mar 2026\u00a014:05:07 +0000"},
		{"non-ASCII in a comment", "Mon, 02 Mar 2026 14:05:07 +0000 (\u00e9)"},
		{"NUL in a comment", "Mon, 02 Mar 2026 14:05:07 +0000 (\x00)"},
		{"vertical tab as space", "Mon, 02 Mar 2026\v14:05:07 +0000"},
		{"no minutes", "Mon, 02 Mar 2026 14 +0000"},
		{"a colon without seconds", "Mon, 02 Mar 2026 14:05: +0000"},
	} {
		if ref, ok := referenceDate(tt.in); ok {
			t.Errorf("%s: the grammar-derived reference accepts %q as %v", tt.name, tt.in, ref)
		}
		got, err := contract.ParseDate(tt.in)
		if err == nil {
			t.Errorf("%s: ParseDate(%q) = %v, want an error", tt.name, tt.in, got)
			continue
		}
		if !errors.Is(err, contract.ErrDate) {
			t.Errorf("%s: ParseDate(%q) error %v does not wrap ErrDate", tt.name, tt.in, err)
		}
		if _, ok := errors.AsType[*contract.DateError](err); !ok {
			t.Errorf("%s: ParseDate(%q) error %T is not a *DateError", tt.name, tt.in, err)
		}
	}
}
