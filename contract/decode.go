package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxFastDepth bounds the nesting the fast decoder follows; deeper documents
// take the slow path, which applies encoding/json's own limit.
const maxFastDepth = 256

// decodeJSON decodes a JSON document into the values a json.Decoder with
// UseNumber produces (map[string]any, []any, string, json.Number, bool and
// nil), in half the time: one pass, no reflection. Input it does not accept as
// is (malformed JSON, deep nesting, escapes in keys it cannot copy) goes to
// decodeJSONSlow, so the result and every error are encoding/json's.
func decodeJSON(b []byte) (any, error) {
	d := fastDecoder{b: b, members: make([]member, 0, 48)}
	d.space()
	if v, ok := d.value(0); ok {
		d.space()
		if d.i == len(b) {
			return v, nil
		}
	}
	return decodeJSONSlow(b)
}

// decodeJSONSlow is jsonschema.UnmarshalJSON of github.com/pb33f/jsonschema
// (the reference validator's decoder): encoding/json with UseNumber, one
// top-level value and nothing after it.
func decodeJSONSlow(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailingData
	}
	return doc, nil
}

var errTrailingData = errors.New("invalid character after top-level value")

// fastDecoder is a recursive-descent JSON decoder over b. Each method reports
// false on anything it does not accept, leaving the error to the slow path.
type fastDecoder struct {
	b []byte
	i int
	// members holds the members of the objects being decoded, innermost
	// last, so that each map is made once at its final size.
	members []member
}

type member struct {
	key string
	val any
}

func (d *fastDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) value(depth int) (any, bool) {
	if d.i >= len(d.b) || depth > maxFastDepth {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.string()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *fastDecoder) literal(lit string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
		return false
	}
	d.i += len(lit)
	return true
}

func (d *fastDecoder) object(depth int) (any, bool) {
	d.i++ // {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return map[string]any{}, true
	}
	base := len(d.members) // on failure the whole decode is abandoned
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		if !d.colon() {
			return nil, false
		}
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.members = append(d.members, member{k.(string), v})
		more, ok := d.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			members := d.members[base:]
			m := make(map[string]any, len(members))
			for _, mb := range members {
				m[mb.key] = mb.val // a repeated key keeps its last value, as in encoding/json
			}
			clear(members) // drop the references
			d.members = d.members[:base]
			return m, true
		}
	}
}

// colon consumes the ':' after a member's key, with the space around it.
func (d *fastDecoder) colon() bool {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != ':' {
		return false
	}
	d.i++
	d.space()
	return true
}

// next consumes what follows a member or an element: a ',' and the space
// after it (more is true), or the closing bracket end. ok is false on
// anything else.
func (d *fastDecoder) next(end byte) (more, ok bool) {
	d.space()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		d.space()
		return true, true
	case end:
		d.i++
		return false, true
	}
	return false, false
}

func (d *fastDecoder) array(depth int) (any, bool) {
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		more, ok := d.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			return a, true
		}
	}
}

// string decodes the string starting at the opening quote. Plain strings are
// copied; those with escapes or non-ASCII bytes that are not valid UTF-8 are
// unquoted by encoding/json, which replaces invalid bytes as it always does.
func (d *fastDecoder) string() (any, bool) {
	start := d.i
	d.i++
	plain, ascii := true, true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			seg := d.b[start+1 : d.i]
			d.i++
			if plain && (ascii || utf8.Valid(seg)) {
				return string(seg), true
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return nil, false
			}
			return s, true
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return nil, false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			d.i++
		}
	}
	return nil, false
}

// number scans a JSON number and keeps its text, as json.Decoder.UseNumber does.
func (d *fastDecoder) number() (any, bool) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !d.digits() {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !d.digits() {
			return nil, false
		}
	}
	return json.Number(d.b[start:d.i]), true
}

// digits consumes one or more digits and reports whether there was one.
func (d *fastDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// skip checks the JSON value at d.i and moves past it without building it,
// accepting exactly what value accepts.
func (d *fastDecoder) skip(depth int) bool {
	if d.i >= len(d.b) || depth > maxFastDepth {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{', c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.i++
		d.space()
		if d.i < len(d.b) && d.b[d.i] == end {
			d.i++
			return true
		}
		for {
			if c == '{' {
				if d.i >= len(d.b) || d.b[d.i] != '"' || !d.skipString() || !d.colon() {
					return false
				}
			}
			if !d.skip(depth + 1) {
				return false
			}
			more, ok := d.next(end)
			if !ok || !more {
				return ok
			}
		}
	case c == '"':
		return d.skipString()
	case c == '-' || '0' <= c && c <= '9':
		_, ok := d.number()
		return ok
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	}
	return false
}

// skipString moves past the string at d.i, checking its escapes as
// encoding/json does; invalid UTF-8 is accepted, as encoding/json accepts it.
func (d *fastDecoder) skipString() bool {
	d.i++
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return true
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return false
			}
			switch d.b[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if d.i+6 > len(d.b) {
					return false
				}
				for _, h := range d.b[d.i+2 : d.i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				d.i += 6
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			d.i++
		}
	}
	return false
}

// DecodeJSON decodes a JSON document the way Check does: one value and
// nothing after it, objects as map[string]any, arrays as []any, numbers as
// json.Number (their literal text), and errors as encoding/json's.
func DecodeJSON(b []byte) (any, error) { return decodeJSON(b) }

// DescribeJSONError describes a JSON decoding error without quoting the input.
func DescribeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s must be %s (byte %d)", typ.Field, typ.Type, typ.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.EOF):
		return "empty file"
	}
	return "malformed"
}
