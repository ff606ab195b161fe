package voice

import (
	"strings"
	"unicode"
)

// StatusInitiated is the status of a call's first status callback. Retrieve
// a Call's pinned enum does not list it, but SignalWire documents it for
// status callbacks, so it is one of the statuses MatchStatus knows.
const StatusInitiated Status = "initiated"

// documentedStatuses are the statuses SignalWire documents: the enum of the
// pinned Retrieve a Call response plus the status callbacks' initiated.
var documentedStatuses = []Status{
	StatusQueued, StatusInitiated, StatusRinging, StatusInProgress,
	StatusCanceled, StatusCompleted, StatusBusy, StatusFailed, StatusNoAnswer,
}

// DocumentedStatuses returns the statuses SignalWire documents, in their
// documented spelling.
func DocumentedStatuses() []Status {
	out := make([]Status, len(documentedStatuses))
	copy(out, documentedStatuses)
	return out
}

// maxStatusLen bounds the value MatchStatus looks at: a longer one cannot
// be a documented status however much space surrounds it.
const maxStatusLen = 256

// MatchStatus is the status rule for what callwire publishes: raw matches a
// documented status after trimming white space (every Unicode space, such as
// the no-break space), ignoring ASCII case and reading '_' as '-'. It
// returns the documented spelling and true, or "" and false when raw is no
// documented status. A match whose spelling differs from raw is drift the
// caller reports.
//
// Case is folded for ASCII letters only: a value that holds any other
// letter (such as the long s, which Unicode folds to s) is no status
// SignalWire documents.
func MatchStatus(raw string) (Status, bool) {
	if len(raw) > maxStatusLen {
		return "", false
	}
	s := strings.TrimFunc(raw, isSpace)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '_':
			c = '-'
		case c >= 0x80:
			return "", false
		}
		b = append(b, c)
	}
	for _, d := range documentedStatuses {
		if string(b) == string(d) {
			return d, true
		}
	}
	return "", false
}

// isSpace reports whether r is white space or a space separator.
func isSpace(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) }
