package contract

import (
	"mime"
	"strings"
	"testing"
)

// FuzzParseMediaType compares parseMediaType with mime.ParseMediaType: on a
// value without empty parameters they agree, and empty parameters added
// anywhere among the parameters change nothing.
func FuzzParseMediaType(f *testing.F) {
	for _, s := range []string{
		"application/json", "application/json; charset=utf-8", `application/json; x="a;b"`, `text/plain; x="\";"`,
		"application/json; charset", "application/json, text/html", "a/b;c=d;e=f", `a/b; c="`,
	} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, v string, at uint8) {
		parts := splitParameters(v)
		for _, p := range parts[1:] {
			if strings.Trim(p, " \t") == "" {
				return // already has an empty parameter
			}
		}
		want, _, err := mime.ParseMediaType(v)
		if err != nil {
			want = ""
		}
		got, gotErr := parseMediaType(v)
		if got != want || (gotErr == nil) != (err == nil) {
			t.Fatalf("parseMediaType(%q) = %q, %v; mime says %q, %v", v, got, gotErr, want, err)
		}
		// Insert an empty element after parameter at (the first is the type).
		i := 1 + int(at)%len(parts)
		withEmpty := strings.Join(parts[:i], ";") + "; ;" + strings.Join(parts[i:], ";")
		if got2, err2 := parseMediaType(withEmpty); got2 != got || (err2 == nil) != (gotErr == nil) {
			t.Fatalf("parseMediaType(%q) = %q, %v; without the empty element %q, %v", withEmpty, got2, err2, got, gotErr)
		}
	})
}
