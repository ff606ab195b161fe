package voice

import (
	"fmt"
	"strings"

	"github.com/callwire/callwire/contract"
)

// maxEcho bounds how much of a rejected input an error message repeats.
const maxEcho = 36

// ParseSID checks that s is a canonical UUID (8-4-4-4-12 hex digits, either
// case) and returns it lowercased. Anything else yields an error wrapping
// ErrInvalidSID that repeats at most a short prefix of s, since SIDs arrive in
// request paths and may be arbitrarily long.
func ParseSID(s string) (string, error) {
	if !contract.IsUUID(s) {
		return "", invalidSID(s)
	}
	for i := range len(s) {
		if 'A' <= s[i] && s[i] <= 'F' {
			return strings.ToLower(s), nil
		}
	}
	return s, nil
}

func invalidSID(s string) error {
	if len(s) > maxEcho {
		return fmt.Errorf("%w: %q... (%d bytes, want a UUID)", ErrInvalidSID, s[:maxEcho], len(s))
	}
	return fmt.Errorf("%w: %q (want a UUID)", ErrInvalidSID, s)
}
