package voice_test

import (
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

func TestMatchStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want voice.Status
		ok   bool
	}{
		{"documented", "completed", voice.StatusCompleted, true},
		{"callback status", "initiated", voice.StatusInitiated, true},
		{"capitalised", "Completed", voice.StatusCompleted, true},
		{"upper case", "NO-ANSWER", voice.StatusNoAnswer, true},
		{"underscore", "in_progress", voice.StatusInProgress, true},
		{"underscore and case", "No_Answer", voice.StatusNoAnswer, true},
		{"trailing no-break space", "completed\u00a0", voice.StatusCompleted, true},
		{"leading ideographic space", "\u3000busy", voice.StatusBusy, true},
		{"narrow no-break space", "failed\u202f", voice.StatusFailed, true},
		{"tabs and newlines", "\t ringing\r\n", voice.StatusRinging, true},
		{"space inside", "in progress", "", false},
		{"unknown", "answered", "", false},
		{"empty", "", "", false},
		{"only space", " \u00a0 ", "", false},
		{"prefix", "complete", "", false},
		{"long s folds in Unicode only", "bu\u017fy", "", false},
		{"kelvin sign", "\u212aueued", "", false},
		{"zero-width space inside", "comp\u200bleted", "", false},
		{"huge", string(make([]byte, 4096)) + "completed", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := voice.MatchStatus(tt.raw)
			if got != tt.want || ok != tt.ok {
				t.Errorf("MatchStatus(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestMatchStatusDocumented checks that every documented status matches
// itself and nothing it matches is spelled otherwise.
func TestMatchStatusDocumented(t *testing.T) {
	t.Parallel()
	for _, s := range voice.DocumentedStatuses() {
		if got, ok := voice.MatchStatus(string(s)); !ok || got != s {
			t.Errorf("MatchStatus(%q) = %q, %v", s, got, ok)
		}
	}
}
