package suggest

import "testing"

func TestClosest(t *testing.T) {
	t.Parallel()
	functions := []string{"callback", "driftcheck", "getcall", "publish", "sweep"}
	commands := []string{"check", "diff", "live", "record", "version"}
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"getcal", functions, "getcall"},
		{"gtecall", functions, "getcall"},
		{"GetCall", functions, "getcall"},
		{"swep", functions, "sweep"},
		{"publsih", functions, "publish"},
		{"callbacks", functions, "callback"},
		{"drift", functions, ""},
		{"nosuch", functions, ""},
		{"getcall", functions, ""},
		{"chek", commands, "check"},
		{"recrod", commands, "record"},
		{"lives", commands, "live"},
		{"x", commands, ""},
		{"", commands, ""},
		{"verison", commands, "version"},
		{"checkchec", commands, ""},
		{"ünïcödé", commands, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Closest(tt.name, tt.candidates); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestClosestLongInput(t *testing.T) {
	t.Parallel()
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'a'
	}
	if got := Closest(string(long), []string{"check"}); got != "" {
		t.Errorf("Closest(10,000 bytes) = %q, want none", got)
	}
}
