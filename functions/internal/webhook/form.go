// Package webhook reads and verifies the HTTP requests SignalWire makes to a
// webhook URL, such as voice status callbacks: it decodes their form-encoded
// (or JSON) bodies and checks their X-SignalWire-Signature (or
// X-Twilio-Signature) with both of SignalWire's schemes, the URL's port
// variants and the bodySHA256 parameter, comparing in constant time. Verify
// returns the payload the signature covers, parsed by the one parser its
// scheme allows, and nothing else of the request. CheckLimits bounds a
// request before any of that work. It also signs, for tests and the local
// runner.
//
// The package never logs, and its errors never quote a body, a signature or
// a key.
package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
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

// ParseJSON decodes a JSON object of scalars into fields in order of
// arrival, repeated names included (as ParseForm keeps a form's): strings as
// they are, numbers as written, booleans as true or false. Any other
// document (nested values, null, text that is not UTF-8, data after the
// object) is an ErrBody that quotes nothing of it.
func ParseJSON(b []byte) ([]Field, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrBody)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrBody)
	}
	var out []Field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: not a JSON object", ErrBody)
		}
		name, _ := t.(string)
		if t, err = dec.Token(); err != nil {
			return nil, fmt.Errorf("%w: not a JSON object", ErrBody)
		}
		var s string
		switch x := t.(type) {
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
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrBody)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBody)
	}
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

// EncodeJSON encodes fields as a JSON object, in their order: the JSON body
// SignalWire documents for a callback.
func EncodeJSON(fields []Field) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		n, _ := json.Marshal(f.Name)
		v, _ := json.Marshal(f.Value)
		b.Write(n)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String()
}
