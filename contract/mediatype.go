package contract

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMediaType reports a field value that is not an RFC 9110 media type.
var ErrMediaType = errors.New("not an RFC 9110 media type")

// MediaTypeError says where a Content-Type value departs from RFC 9110's
// grammar: the byte offset (counted from 0) and what was found there. It
// never quotes the value. It wraps ErrMediaType.
type MediaTypeError struct {
	Offset int
	Reason string
}

func (e *MediaTypeError) Error() string {
	return fmt.Sprintf("%v: %s at byte %d", ErrMediaType, e.Reason, e.Offset)
}

// Unwrap returns ErrMediaType.
func (e *MediaTypeError) Unwrap() error { return ErrMediaType }

// ParseMediaType reads a Content-Type field value by RFC 9110, on its octets:
//
//	media-type      = type "/" subtype parameters          (section 8.3.1)
//	parameters      = *( OWS ";" OWS [ parameter ] )       (section 5.6.6)
//	parameter       = parameter-name "=" parameter-value
//	parameter-value = ( token / quoted-string )
//	token           = 1*tchar                              (section 5.6.2)
//	quoted-string   = DQUOTE *( qdtext / quoted-pair ) DQUOTE  (section 5.6.4)
//	qdtext          = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
//	quoted-pair     = "\" ( HTAB / SP / VCHAR / obs-text )
//	OWS             = *( SP / HTAB )
//
// A field value has no leading or trailing whitespace (section 5.5), so SP
// and HTAB at either end are not part of it. Nothing else is whitespace: no
// space around "=", no CR, LF, VT, FF, NBSP or other Unicode space, no "{"
// or "}" in a token (they are delimiters), no control character or DEL in a
// quoted string (obs-text, 0x80-0xFF, is allowed there). A parameter named
// twice (names are case-insensitive) is refused as ambiguous, as
// mime.ParseMediaType refuses it. It returns the media type in lower case
// (type and subtype are case-insensitive) and the parameters by lower-case
// name, quoted-pairs unescaped; an error is a *MediaTypeError.
func ParseMediaType(v string) (mediaType string, params map[string]string, err error) {
	start := 0
	end := len(v)
	for start < end && isOWS(v[start]) {
		start++
	}
	for end > start && isOWS(v[end-1]) {
		end--
	}
	s := v[:end]
	fail := func(i int, reason string) (string, map[string]string, error) {
		return "", nil, &MediaTypeError{Offset: i, Reason: reason}
	}
	i := start
	typ := scanToken(s, i)
	if typ == i {
		return fail(i, "type: expected a token, "+describeByte(s, i))
	}
	if typ == len(s) || s[typ] != '/' {
		return fail(typ, `expected "/", `+describeByte(s, typ))
	}
	sub := scanToken(s, typ+1)
	if sub == typ+1 {
		return fail(sub, "subtype: expected a token, "+describeByte(s, sub))
	}
	mediaType = strings.ToLower(s[i:sub])
	params = map[string]string{}
	i = sub
	for i < len(s) {
		i = skipOWS(s, i)
		if i == len(s) || s[i] != ';' {
			return fail(i, `expected ";", `+describeByte(s, i))
		}
		i = skipOWS(s, i+1)
		if i == len(s) || s[i] == ';' {
			continue // an empty list element (section 5.6.1)
		}
		nameEnd := scanToken(s, i)
		if nameEnd == i {
			return fail(i, "parameter name: expected a token, "+describeByte(s, i))
		}
		name := strings.ToLower(s[i:nameEnd])
		if nameEnd == len(s) || s[nameEnd] != '=' {
			return fail(nameEnd, `expected "=" right after the parameter name, `+describeByte(s, nameEnd))
		}
		i = nameEnd + 1
		var val string
		if i < len(s) && s[i] == '"' {
			val, i, err = scanQuoted(s, i)
			if err != nil {
				return "", nil, err
			}
		} else {
			valEnd := scanToken(s, i)
			if valEnd == i {
				return fail(i, "parameter value: expected a token or a quoted string, "+describeByte(s, i))
			}
			val, i = s[i:valEnd], valEnd
		}
		if _, dup := params[name]; dup {
			return fail(nameEnd, "parameter "+name+" appears twice")
		}
		params[name] = val
	}
	return mediaType, params, nil
}

// mediaTypeOf returns the media type of a Content-Type value, or "" when the
// value is not one.
func mediaTypeOf(v string) string {
	mt, _, err := ParseMediaType(v)
	if err != nil {
		return ""
	}
	return mt
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

func skipOWS(s string, i int) int {
	for i < len(s) && isOWS(s[i]) {
		i++
	}
	return i
}

// isTchar reports whether c is a tchar (RFC 9110 section 5.6.2): a visible
// US-ASCII character other than the delimiters DQUOTE and "(),/:;<=>?@[\]{}".
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// scanToken returns the end of the token starting at i (i if there is none).
func scanToken(s string, i int) int {
	for i < len(s) && isTchar(s[i]) {
		i++
	}
	return i
}

// scanQuoted reads the quoted-string starting at s[i] == '"' and returns its
// unescaped content and the offset after the closing quote.
func scanQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return b.String(), j + 1, nil
		case c == '\\':
			j++
			if j == len(s) {
				return "", 0, &MediaTypeError{Offset: j, Reason: "quoted string: unterminated"}
			}
			if !isQuotedText(s[j]) && s[j] != '"' && s[j] != '\\' {
				return "", 0, &MediaTypeError{Offset: j, Reason: "quoted-pair: " + describeByte(s, j)}
			}
			b.WriteByte(s[j])
		case isQuotedText(c):
			b.WriteByte(c)
		default:
			return "", 0, &MediaTypeError{Offset: j, Reason: "quoted string: " + describeByte(s, j)}
		}
	}
	return "", 0, &MediaTypeError{Offset: len(s), Reason: "quoted string: unterminated"}
}

// isQuotedText reports whether c is qdtext (RFC 9110 section 5.6.4): HTAB,
// SP, a visible character other than DQUOTE and "\", or obs-text.
func isQuotedText(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || 0x23 <= c && c <= 0x5B || 0x5D <= c && c <= 0x7E || c >= 0x80
}

// describeByte names the byte at s[i] for an error, without quoting the value.
func describeByte(s string, i int) string {
	if i >= len(s) {
		return "found the end"
	}
	c := s[i]
	if 0x21 <= c && c <= 0x7E {
		return fmt.Sprintf("found %q", c)
	}
	return fmt.Sprintf("found byte 0x%02X", c)
}
