package recording

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// harText is the text of a HAR response's content, unquoted byte for byte:
// a byte that is not UTF-8 stays as the file has it, where encoding/json
// would replace it with U+FFFD, so the contract check sees the body as
// captured and reports it (RFC 8259 requires UTF-8). It is held once, as
// bytes, not as a string and then a copy.
type harText []byte

// UnmarshalJSON unquotes a JSON string; encoding/json has already checked
// its syntax. null leaves the text empty, as for a string field.
func (t *harText) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		if string(b) == "null" {
			return nil
		}
		return &json.UnmarshalTypeError{Value: jsonKind(b[0]), Type: reflect.TypeFor[string]()}
	}
	*t = unquote(b[1 : len(b)-1])
	return nil
}

// jsonKind names the kind of JSON value that starts with c, as encoding/json
// names it in an UnmarshalTypeError.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// unquote decodes the escapes of a JSON string's content s as encoding/json
// does (\uXXXX pairs to one rune, a lone surrogate to U+FFFD) and copies
// every other byte as it is.
func unquote(s []byte) []byte {
	if bytes.IndexByte(s, '\\') < 0 {
		return bytes.Clone(s)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+7 <= len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					r2 = hex4(s[i+3 : i+7])
				}
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					r = dec
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, s[i])
		}
	}
	return out
}

// hex4 reads four hex digits.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
