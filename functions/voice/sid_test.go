package voice_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

func TestParseSID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "lowercase", in: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10", want: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10"},
		{name: "uppercase", in: "7C1E9A52-3B4D-4F60-9A8B-0C2D4E6F8A10", want: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10"},
		{name: "mixed case", in: "7c1E9a52-3b4D-4f60-9A8b-0c2d4E6f8a10", want: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10"},
		{name: "all zero", in: "00000000-0000-0000-0000-000000000000", want: "00000000-0000-0000-0000-000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := voice.ParseSID(tt.in)
			if err != nil {
				t.Fatalf("ParseSID(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseSID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSIDInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "no hyphens", in: "7c1e9a523b4d4f609a8b0c2d4e6f8a10"},
		{name: "braced", in: "{7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10}"},
		{name: "urn", in: "urn:uuid:7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10"},
		{name: "hyphen moved", in: "7c1e9a523-b4d-4f60-9a8b-0c2d4e6f8a10"},
		{name: "non hex", in: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a1g"},
		{name: "trailing newline", in: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a1\n"},
		{name: "too long", in: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a100"},
		{name: "twilio style", in: "CA0123456789abcdef0123456789abcdef"},
		{name: "path traversal", in: "../../../../etc/passwd-0000-0000-000"},
		{name: "multibyte", in: "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8aé"},
		{name: "huge", in: strings.Repeat("a", 10<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := voice.ParseSID(tt.in)
			if !errors.Is(err, voice.ErrInvalidSID) {
				t.Fatalf("ParseSID(%q) = %q, %v; want ErrInvalidSID", clipForLog(tt.in), got, err)
			}
			if got != "" {
				t.Errorf("ParseSID returned %q with an error", got)
			}
			if n := len(err.Error()); n > 120 {
				t.Errorf("error message is %d bytes, want it bounded: %.80s", n, err)
			}
		})
	}
}

// TestParseSIDAllocs is not parallel: AllocsPerRun counts allocations of the
// whole process.
func TestParseSIDAllocs(t *testing.T) { //nolint:paralleltest // see above
	lower := "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10"
	if n := testing.AllocsPerRun(100, func() {
		if _, err := voice.ParseSID(lower); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ParseSID(lowercase) allocates %v times, want 0", n)
	}
}

func clipForLog(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
