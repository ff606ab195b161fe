// Package webhook reads and verifies the HTTP requests SignalWire makes to a
// webhook URL, such as voice status callbacks: it decodes their form-encoded
// (or JSON) bodies and checks their X-SignalWire-Signature (or
// X-Twilio-Signature) with both of SignalWire's schemes, the URL's port
// variants and the bodySHA256 parameter, comparing in constant time. It also
// signs, for tests and the local runner.
//
// The package never logs, and its errors never quote a body, a signature or
// a key.
package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Field is one parameter of a webhook request, decoded.
type Field struct {
	Name  string
	Value string
}

// ErrBody reports a body that is not a well-formed form (or JSON object).
var ErrBody = errors.New("webhook: malformed body")

// ParseForm decodes an application/x-www-form-urlencoded body: pairs
// separated by '&', the name and value split at the first '=', '+' and
// percent escapes decoded. The fields keep their order of arrival, repeated
// names included; empty pairs are skipped, as net/url does. A bad percent
// escape is an ErrBody that names the pair's position, never its content.
func ParseForm(b []byte) ([]Field, error) {
	var out []Field
	s := string(b)
	for i := 1; s != ""; i++ {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			return nil, fmt.Errorf("%w: bad percent escape in the name of pair %d", ErrBody, i)
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			return nil, fmt.Errorf("%w: bad percent escape in the value of pair %d", ErrBody, i)
		}
		out = append(out, Field{Name: n, Value: v})
	}
	return out, nil
}

// ParseJSON decodes a JSON object of scalars into fields sorted by name:
// strings as they are, numbers as written, booleans as true or false. Any
// other document (nested values and null included) is an ErrBody that
// quotes nothing of it.
func ParseJSON(b []byte) ([]Field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrBody)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBody)
	}
	out := make([]Field, 0, len(doc))
	for name, v := range doc {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			return nil, fmt.Errorf("%w: a member of the JSON object is not a string, number or boolean", ErrBody)
		}
		out = append(out, Field{Name: name, Value: s})
	}
	slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Get returns the value of the first field named name.
func Get(fields []Field, name string) (string, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// EncodeForm encodes fields as an application/x-www-form-urlencoded body,
// in their order, as SignalWire sends a callback.
func EncodeForm(fields []Field) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.Value))
	}
	return b.String()
}
