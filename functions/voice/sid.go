package voice

import (
	"fmt"
	"strings"
)

// sidLen is the length of a canonical UUID: 32 hex digits and 4 hyphens.
const sidLen = 36

// maxEcho bounds how much of a rejected input an error message repeats.
const maxEcho = 36

// ParseSID checks that s is a canonical UUID (8-4-4-4-12 hex digits, either
// case) and returns it lowercased. Anything else yields an error wrapping
// ErrInvalidSID that repeats at most a short prefix of s, since SIDs arrive in
// request paths and may be arbitrarily long.
func ParseSID(s string) (string, error) {
	if len(s) != sidLen {
		return "", invalidSID(s)
	}
	upper := false
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", invalidSID(s)
			}
			continue
		}
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", invalidSID(s)
		}
	}
	if !upper {
		return s, nil
	}
	return strings.ToLower(s), nil
}

func invalidSID(s string) error {
	if len(s) > maxEcho {
		return fmt.Errorf("%w: %q... (%d bytes, want a UUID)", ErrInvalidSID, s[:maxEcho], len(s))
	}
	return fmt.Errorf("%w: %q (want a UUID)", ErrInvalidSID, s)
}
