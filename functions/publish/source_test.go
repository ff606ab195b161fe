package publish

import (
	"regexp"
	"strings"
	"testing"
)

// sourcePattern is EventBridge's rule for a source, the reference validSource
// is checked against (compiled here, in the test, never at a cold start).
var sourcePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$`)

func TestValidSourceMatchesPattern(t *testing.T) {
	t.Parallel()
	cases := []string{
		"", "callwire", "com.example.calls", "a", "A9", "9a", ".a", "-a", "_a", "/a", "a.b_c/d-e",
		"aws.calls", "a b", "a\n", "é", "a\x00", "a:b", "a*", strings.Repeat("a", 256), strings.Repeat("a", 257),
		"a" + strings.Repeat(".", 255), "a" + strings.Repeat(".", 256), "a\xff",
	}
	// Every one- and two-byte string.
	for c := range 256 {
		cases = append(cases, string([]byte{byte(c)}), string([]byte{'a', byte(c)}), string([]byte{byte(c), 'a'}))
	}
	for _, v := range cases {
		if got, want := validSource(v), sourcePattern.MatchString(v); got != want {
			t.Errorf("validSource(%q) = %t, pattern says %t", v, got, want)
		}
	}
}

func FuzzValidSource(f *testing.F) {
	for _, s := range []string{"callwire", "com.example.calls", ".x", strings.Repeat("a", 257)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := validSource(v), sourcePattern.MatchString(v); got != want {
			t.Errorf("validSource(%q) = %t, pattern says %t", v, got, want)
		}
	})
}
