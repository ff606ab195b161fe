package contract_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/contract"
)

// FuzzParseDate feeds any string to ParseDate. It either fails with
// ErrDate or returns a time that reads back the same from its RFC 1123Z form
// (the layout SignalWire writes).
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
		"",
		strings.Repeat("Mon, ", 20),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := contract.ParseDate(s)
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
