package contract

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// Field names are case-insensitive (RFC 9110 section 5.1): an Exchange's
// Header may hold "content-type" as well as "Content-Type", from a recording,
// a HAR file or a caller that did not canonicalize, and the checks below read
// every spelling.

// headerValues returns the values of the field name in h under any spelling
// of the name: the canonical key's first, then the other spellings' in
// lexical order of the key.
func headerValues(h http.Header, name string) []string {
	canonical := http.CanonicalHeaderKey(name)
	vals := h[canonical]
	var others []string
	for k := range h {
		if k != canonical && strings.EqualFold(k, name) {
			others = append(others, k)
		}
	}
	if len(others) == 0 {
		return vals
	}
	slices.Sort(others)
	vals = slices.Clone(vals)
	for _, k := range others {
		vals = append(vals, h[k]...)
	}
	return vals
}

// singletonFields are the response fields RFC 9110 defines as a single value,
// with the severity of a finding when one is repeated: Content-Type decides
// how the body is read, so a repeated one is an error; the others do not
// change the verdict on the body, but say an intermediary is broken.
var singletonFields = []struct {
	name     string
	severity Severity
}{
	{"Content-Type", SeverityError},
	{"Content-Length", SeverityWarning},
	{"Content-Location", SeverityWarning},
	{"Date", SeverityWarning},
	{"ETag", SeverityWarning},
	{"Expires", SeverityWarning},
	{"Last-Modified", SeverityWarning},
	{"Location", SeverityWarning},
	{"Retry-After", SeverityWarning},
	{"Age", SeverityWarning},
}

// repeatedSingletons reports each singleton field that appears more than
// once: as several field lines, under one spelling of its name or several.
// Which one comes first does not matter.
func (c *checker) repeatedSingletons(h http.Header) {
	for _, f := range singletonFields {
		if n := len(headerValues(h, f.name)); n > 1 {
			c.add(RuleHeaderRepeated, f.severity, "header:"+f.name, "one "+f.name+" field", fmt.Sprintf("%d fields", n),
				fmt.Sprintf("%s appears %d times; it is a singleton field and must appear once (RFC 9110 section 5.3)", f.name, n))
		}
	}
}

// parseMediaType returns the media type of a Content-Type value, lower case,
// without its parameters. RFC 9110 (section 5.6.1) allows empty list
// elements, so "application/json;  ; charset=utf-8" is application/json;
// every parameter that is not empty must be well formed.
func parseMediaType(v string) (string, error) {
	var kept []string
	for _, p := range splitParameters(v) {
		if strings.Trim(p, " \t") != "" || len(kept) == 0 {
			kept = append(kept, p)
		}
	}
	mt, _, err := mime.ParseMediaType(strings.Join(kept, ";"))
	if err != nil {
		return "", err
	}
	return mt, nil
}

// splitParameters splits v at each ';' outside a quoted string.
func splitParameters(v string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++ // a quoted-pair: the next byte is literal
		case c == '"':
			quoted = !quoted
		case !quoted && c == ';':
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}
