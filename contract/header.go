package contract

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Field names are case-insensitive (RFC 9110 section 5.1): an Exchange's
// Header may hold "content-type" as well as "Content-Type", from a recording,
// a HAR file or a caller that did not canonicalize, and the checks below read
// every spelling.

// singletonFields are the response fields RFC 9110 defines as a single value,
// with the severity of a finding when one is repeated: Content-Type decides
// how the body is read, so a repeated one is an error; the others do not
// change the verdict on the body, but say an intermediary is broken.
var singletonFields = [...]struct {
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

// headerFields reads h once, whatever the spelling of its names. It reports
// each singleton field that appears more than once (as several field lines,
// under one spelling or several; which comes first does not matter), and
// returns the values of Content-Type: the canonical spelling's first, then
// the others' in lexical order of the name as written.
func (c *checker) headerFields(h http.Header) []string {
	var count [len(singletonFields)]int
	var ctNames []string
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for i, f := range singletonFields {
			if ck == f.name {
				count[i] += len(vs)
				if i == 0 {
					ctNames = append(ctNames, k)
				}
				break
			}
		}
	}
	for i, f := range singletonFields {
		if n := count[i]; n > 1 {
			c.add(RuleHeaderRepeated, f.severity, "header:"+f.name, "one "+f.name+" field", fmt.Sprintf("%d fields", n),
				fmt.Sprintf("%s appears %d times; it is a singleton field and must appear once (RFC 9110 section 5.3)", f.name, n))
		}
	}
	switch len(ctNames) {
	case 0:
		return nil
	case 1:
		return h[ctNames[0]]
	}
	slices.SortFunc(ctNames, func(a, b string) int {
		switch {
		case a == "Content-Type":
			return -1
		case b == "Content-Type":
			return 1
		}
		return strings.Compare(a, b)
	})
	var vals []string
	for _, k := range ctNames {
		vals = append(vals, h[k]...)
	}
	return vals
}
