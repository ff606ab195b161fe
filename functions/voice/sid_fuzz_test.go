package voice_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

// FuzzParseSID checks that ParseSID accepts exactly the canonical UUIDs,
// returns them lower-cased, and otherwise fails with ErrInvalidSID and a
// bounded message.
func FuzzParseSID(f *testing.F) {
	for _, s := range []string{
		"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1",
		"C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1",
		"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
		"CA47b862ce3b99a6d79939320a9aa54a02",
		"c0c0ca11000104a1e08b0b01ba0c0111ed1",
		"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed",
		"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1\n",
		"../Messages",
		"",
		"c0c0ca11-0001-4a1e-8b0b-1ba0c0111eé",
		strings.Repeat("a", 10<<10),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := voice.ParseSID(s)
		if err != nil {
			if !errors.Is(err, voice.ErrInvalidSID) {
				t.Fatalf("ParseSID(%q) error %v does not wrap ErrInvalidSID", s, err)
			}
			if got != "" {
				t.Errorf("ParseSID(%q) = %q with an error", s, got)
			}
			// The message repeats at most a short, quoted prefix of the input.
			if n := len(err.Error()); n > 256 {
				t.Errorf("error message of %d bytes for a %d-byte input", n, len(s))
			}
			if isUUID(s) {
				t.Errorf("ParseSID(%q) refused a canonical UUID: %v", s, err)
			}
			return
		}
		if !isUUID(s) {
			t.Fatalf("ParseSID(%q) accepted a non-UUID", s)
		}
		if len(got) != 36 || got != strings.ToLower(s) {
			t.Fatalf("ParseSID(%q) = %q, want the 36-byte lower-case form", s, got)
		}
		again, err := voice.ParseSID(got)
		if err != nil || again != got {
			t.Fatalf("ParseSID is not idempotent: %q -> %q, %v", got, again, err)
		}
	})
}

// isUUID is an independent statement of the canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) != 5 {
		return false
	}
	for i, n := range []int{8, 4, 4, 4, 12} {
		if len(parts[i]) != n || strings.Trim(parts[i], "0123456789abcdefABCDEF") != "" {
			return false
		}
	}
	return true
}
