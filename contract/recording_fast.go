package contract

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// parseRecordingFast decodes a recording in its canonical shape (exact field
// names, each once, no nulls, an integer status) in one pass, without
// reflection. It reports false for anything else, and ParseRecording then
// decodes with encoding/json, whose result and errors are the reference.
// Both produce the same Recording for every input this accepts.
func parseRecordingFast(data []byte) (Recording, bool) {
	var r Recording
	d := fastDecoder{b: data}
	d.space()
	ok := d.fields(func(key string) bool {
		switch key {
		case "request":
			return d.fields(func(key string) bool {
				switch key {
				case "method":
					return d.str(&r.Request.Method)
				case "url":
					return d.str(&r.Request.URL)
				case "headers":
					return d.header(&r.Request.Headers)
				}
				return false
			})
		case "response":
			return d.fields(func(key string) bool {
				switch key {
				case "status":
					return d.int(&r.Response.Status)
				case "headers":
					return d.header(&r.Response.Headers)
				case "body":
					start := d.i
					if !d.skip(0) || data[start] == 'n' {
						return false // null leaves encoding/json's RawMessage "null"
					}
					r.Response.Body = json.RawMessage(append([]byte(nil), data[start:d.i]...))
					return true
				case "body_text":
					var s string
					if !d.str(&s) {
						return false
					}
					r.Response.BodyText = &s
					return true
				}
				return false
			})
		case "recorded_at":
			return d.str(&r.RecordedAt)
		case "source":
			return d.str(&r.Source)
		case "expect":
			r.Expect = &Expectation{}
			return d.fields(func(key string) bool {
				switch key {
				case "conformant":
					return d.bool(&r.Expect.Conformant)
				case "findings":
					return d.strings(&r.Expect.Findings)
				}
				return false
			})
		}
		return false
	})
	d.space()
	return r, ok && d.i == len(data)
}

// fields decodes an object, calling field for each key with the decoder at
// the value; field decodes the value or reports false. A repeated key is
// refused: encoding/json merges some repeated fields.
func (d *fastDecoder) fields(field func(key string) bool) bool {
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	var seen []string
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return false
		}
		k, ok := d.string()
		if !ok {
			return false
		}
		key := k.(string)
		for _, s := range seen {
			if s == key {
				return false
			}
		}
		seen = append(seen, key)
		if !d.colon() || !field(key) {
			return false
		}
		more, ok := d.next('}')
		if !ok || !more {
			return ok
		}
	}
}

func (d *fastDecoder) str(dst *string) bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	s, ok := d.string()
	if ok {
		*dst = s.(string)
	}
	return ok
}

func (d *fastDecoder) bool(dst *bool) bool {
	if d.i >= len(d.b) || (d.b[d.i] != 't' && d.b[d.i] != 'f') {
		return false
	}
	v, ok := d.value(0)
	if ok {
		*dst = v.(bool)
	}
	return ok
}

// int accepts an integer literal only; encoding/json rejects a fraction or
// an exponent for an int field.
func (d *fastDecoder) int(dst *int) bool {
	if d.i >= len(d.b) || (d.b[d.i] != '-' && (d.b[d.i] < '0' || d.b[d.i] > '9')) {
		return false
	}
	v, ok := d.number()
	if !ok {
		return false
	}
	n, err := strconv.Atoi(string(v.(json.Number)))
	if err != nil {
		return false
	}
	*dst = n
	return true
}

func (d *fastDecoder) strings(dst *[]string) bool {
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return false
	}
	d.i++
	out := []string{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		*dst = out
		return true
	}
	for {
		var s string
		if !d.str(&s) {
			return false
		}
		out = append(out, s)
		more, ok := d.next(']')
		if !ok {
			return false
		}
		if !more {
			*dst = out
			return true
		}
	}
}

// header decodes an object of string arrays; header names are kept as
// written, as encoding/json keeps them.
func (d *fastDecoder) header(dst *http.Header) bool {
	h := http.Header{}
	ok := d.fields(func(key string) bool {
		var vs []string
		if !d.strings(&vs) {
			return false
		}
		h[key] = vs
		return true
	})
	if ok {
		*dst = h
	}
	return ok
}
