package contract_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/contract"
)

// FuzzParseDate compares ParseDate with the grammar-derived reference
// (referenceDate): both accept the same values, at the same instant and
// offset. It either fails with a *DateError wrapping ErrDate or returns a
// time that reads back the same from its RFC 1123Z form (the layout
// SignalWire writes).
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Mon, 02 Mar 2026 14:05:07 +0000",
		"Mon, 02 Mar 2026 14:05:07 -0800",
		"02 Mar 2026 14:05:07 +0000",
		"Mon, 2 Mar 2026 14:05 GMT",
		"Mon, 02 Mar 2026 14:05:07 EST",
		"Mon, 02 Mar 2026 14:05:07 UT",
		"Mon, 02 Mar 26 14:05:07 +0000",
		"Tue, 02 Mar 2026 14:05:07 +0000",
		"Mon, 02 Mar 2026 14:05:60 +0000",
		"Mon, 02 Mar 2026 24:00:00 +0000",
		"Mon, 29 Feb 2026 14:05:07 +0000",
		"Sat, 01 Jan 0000 00:00:00 +0100",
		"Fri, 31 Dec 9999 23:59:59 -2359",
		"Mon, 02 Mar 2026 14:05:07 +9999",
		"Mon, 02 Mar 2026 14:05:07 +0000 (UTC)",
		"2026-03-02T14:05:07Z",
		"Mon, 02 Mar 2026 14:05:07.123 +0000",
		"1 MAY 00 0:00:00,1 +00", // fractional seconds after a comma (found by fuzzing)
		"Mon, 02 Mar 2026 14:05:07,000 +0000",
		"  Mon, 02 Mar 2026 14:05:07 +0000  ",
		"Mon,02 Mar 2026 14:05:07 +0000",
		"(a)Mon(b),(c)02(d)Mar(e)2026 (f)14(g):(h)05(i):(j)07 +0000(k)",
		"mon, 02 mar 68 14 : 05 -0800 (Pacific (\\) Standard) Time)",
		"Mon, 02 Mar 2026\r\n 14:05:07\r\n\t+0000",
		"Mon, 02 Mar 2026 14:05:07 (c)+0000",
		"Wed, 31 Dec 2025 23:59:60 z",
		"Fri, 31 Dec 9999 23:59:59 -0001",
		"Mon, 02 Mar 126 14:05:07 GMT+1",
		"Sun, 31 Dec 1899 23:59:59 +0000",
		"((((x)))) 02 Mar 2026 14:05 +0000",
		"",
		strings.Repeat("Mon, ", 20),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := contract.ParseDate(s)
		if commentDepth(s) <= refDateMaxDepth {
			want, ok := referenceDate(s)
			if ok != (err == nil) {
				t.Fatalf("ParseDate(%q) = %v, %v; the RFC 2822 grammar says valid %t (%v)", s, got, err, ok, want)
			}
			_, gotOff := got.Zone()
			if _, wantOff := want.Zone(); ok && (!got.Equal(want) || gotOff != wantOff) {
				t.Fatalf("ParseDate(%q) = %v; the RFC 2822 grammar says %v", s, got, want)
			}
		}
		if err != nil {
			if !errors.Is(err, contract.ErrDate) {
				t.Fatalf("ParseDate(%q) error %v does not wrap ErrDate", s, err)
			}
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) = %v with an error", s, got)
			}
			return
		}
		if len(s) > 998 {
			t.Fatalf("ParseDate accepted %d bytes", len(s))
		}
		formatted := got.Format(time.RFC1123Z)
		back, err := contract.ParseDate(formatted)
		if err != nil {
			t.Fatalf("ParseDate(%q) = %v, whose RFC 1123Z form %q does not parse: %v", s, got, formatted, err)
		}
		if !back.Equal(got) || back.Format(time.RFC1123Z) != formatted {
			t.Fatalf("ParseDate(%q) = %v does not round-trip: %q reads back as %v", s, got, formatted, back)
		}
	})
}
