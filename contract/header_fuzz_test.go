package contract_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
)

// The reference for ParseMediaType: RFC 9110's ABNF written out as a regular
// expression, rule by rule. Go's regexp matches runes, so the value's octets
// are read as Latin-1 (each byte one rune 0-255) and the octet ranges of the
// ABNF become rune ranges.
const (
	abnfOWS      = `[ \t]*`
	abnfTchar    = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]"
	abnfToken    = abnfTchar + `+`
	abnfQdtext   = `[\t \x21\x23-\x5B\x5D-\x7E\x{80}-\x{FF}]`
	abnfQPair    = `\\[\t \x21-\x7E\x{80}-\x{FF}]`
	abnfQuoted   = `"(?:` + abnfQdtext + `|` + abnfQPair + `)*"`
	abnfParam    = `(` + abnfToken + `)=(?:` + abnfToken + `|` + abnfQuoted + `)`
	abnfElement  = abnfOWS + `;` + abnfOWS + `(?:` + abnfParam + `)?`
	abnfMediaTyp = `^` + abnfOWS + `(` + abnfToken + `/` + abnfToken + `)((?:` + abnfElement + `)*)` + abnfOWS + `$`
)

var (
	mediaTypeRE = regexp.MustCompile(abnfMediaTyp)
	elementRE   = regexp.MustCompile(abnfElement)
)

// latin1 maps each byte of s to the rune of the same value.
func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// referenceMediaType is ParseMediaType's reference: the media type in lower
// case when v matches the grammar and names no parameter twice, else "".
func referenceMediaType(v string) string {
	m := mediaTypeRE.FindStringSubmatch(latin1(v))
	if m == nil {
		return ""
	}
	seen := map[string]bool{}
	for _, e := range elementRE.FindAllStringSubmatch(m[2], -1) {
		if e[1] == "" {
			continue
		}
		name := strings.ToLower(e[1])
		if seen[name] {
			return ""
		}
		seen[name] = true
	}
	return strings.ToLower(m[1])
}

// FuzzParseMediaType compares ParseMediaType with the grammar-derived
// reference: both accept the same values and give the same media type.
func FuzzParseMediaType(f *testing.F) {
	for _, s := range []string{
		"application/json", "application/json; charset=utf-8", `application/json; x="a;b"`, `text/plain; x="\";"`,
		"application/json; charset", "application/json, text/html", "a/b;c=d;e=f", `a/b; c="`,
		"application/json; charset =utf-8", "application/json;\u00a0charset=utf-8", "application/json\r\n",
		"application/json; x={a}", "application/json; x=\"\x7f\"", "application/json; x=\"\xe9\\\xff\"",
		" application/json ;  ; charset=utf-8\t", "application/json; a=1; A=2", "application/json;\v",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := referenceMediaType(v)
		got, params, err := contract.ParseMediaType(v)
		if err != nil {
			if _, ok := errors.AsType[*contract.MediaTypeError](err); !ok || !errors.Is(err, contract.ErrMediaType) {
				t.Fatalf("ParseMediaType(%q) error %v is not a *MediaTypeError wrapping ErrMediaType", v, err)
			}
			if got != "" || params != nil {
				t.Fatalf("ParseMediaType(%q) = %q, %v with an error", v, got, params)
			}
		}
		if got != want {
			t.Fatalf("ParseMediaType(%q) = %q, %v; the RFC 9110 grammar says %q", v, got, err, want)
		}
	})
}
