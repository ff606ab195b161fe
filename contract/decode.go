package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest in a body: the limit of
// encoding/json, which the reference validator's decoder applies too. A
// body nested deeper is refused with a *DepthError.
const MaxDepth = 10000

// maxPointerLen bounds the pointers this package builds from a document's
// own member names (a name may be a megabyte long); a longer one is cut and
// ends in "…".
const maxPointerLen = 256

// DepthError reports a document nested deeper than MaxDepth.
type DepthError struct {
	// Offset counts the bytes up to and including the bracket that opens
	// level MaxDepth+1, as encoding/json counts its error offsets.
	Offset int64
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("nested deeper than %d levels (byte %d)", MaxDepth, e.Offset)
}

// UTF8Error reports a string that is not valid UTF-8: RFC 8259 (section
// 8.1) requires JSON exchanged between systems to be UTF-8, so a byte that is
// not (0xFF, an overlong form such as C0 AF, a UTF-16 surrogate written as
// UTF-8) makes the document invalid, where encoding/json would replace it
// with U+FFFD. An escaped lone surrogate (\ud800) is valid JSON grammar and
// decodes to U+FFFD, as in encoding/json.
type UTF8Error struct {
	// Offset counts the bytes up to and including the first byte that is not
	// valid UTF-8, as encoding/json counts its error offsets.
	Offset int64
}

func (e *UTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
}

// document is a decoded body, the members it holds that its schema does not
// declare, and the objects in it that repeat a member name.
type document struct {
	value any
	// undeclared lists, for each object the property tree describes, the
	// members it does not declare (see decodeChecked).
	undeclared []undeclaredSet
	// duplicates lists the first objects, in document order, that repeat a
	// member name; moreDuplicates counts the others.
	duplicates     []duplicate
	moreDuplicates int
}

// undeclaredSet is an object's members that its schema does not declare.
type undeclaredSet struct {
	pointer string
	names   []string // sorted, each once
}

// duplicate is an object that repeats member names.
type duplicate struct {
	pointer string
	names   []string // sorted, each once
}

// maxDuplicates bounds the objects whose repeated names are kept: no more
// findings than that could be reported for one exchange.
const maxDuplicates = MaxFindings

// decodeJSON decodes a JSON document into the values a json.Decoder with
// UseNumber produces (map[string]any, []any, string, json.Number, bool and
// nil), in half the time: one pass, no reflection. It accepts what
// encoding/json accepts, except strings that are not valid UTF-8
// (*UTF8Error) and nesting deeper than MaxDepth (*DepthError); on a syntax
// error it returns encoding/json's error, so messages stay the library's.
func decodeJSON(b []byte) (any, error) {
	doc, err := decodeDocument(b)
	return doc.value, err
}

// decodeDocument is decodeJSON that also reports the objects that repeat a
// member name (a repeated name keeps its last value, as in encoding/json).
func decodeDocument(b []byte) (document, error) {
	return decodeChecked(b, nil, false)
}

// decodeChecked decodes a body for the check: it also lists the members
// that the property tree t (the declared properties of the response schema)
// does not declare. With prune, it builds only what the check reads: the
// members t declares; any other object or array is checked for syntax and
// repeated names and stands in the document as an empty one (the evaluator
// asserts nothing inside them but their type: the schemas it accepts
// declare every member they look at, see declaredTree). A body with a
// million undeclared members then costs their names, not a map of them.
func decodeChecked(b []byte, t *propTree, prune bool) (document, error) {
	d := fastDecoder{b: b, s: string(b), members: make([]member, 0, 48), prune: prune}
	d.space()
	if v, ok := d.value(0, t); ok {
		d.space()
		if d.i == len(b) {
			return document{value: v, undeclared: d.undeclared, duplicates: d.dups, moreDuplicates: d.moreDups}, nil
		}
	}
	return document{}, d.failure()
}

// failure returns why the decoder stopped: its own error, or encoding/json's
// description of the syntax error.
func (d *fastDecoder) failure() error {
	if d.err != nil {
		return d.err
	}
	if _, err := decodeJSONSlow(d.b); err != nil {
		return err
	}
	// encoding/json accepted a document the decoder refused; the tests
	// compare both on every edge case, so this would be a bug here.
	return fmt.Errorf("contract: decoder refused the document at byte %d", d.i+1)
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
// false on anything it does not accept; err says why when it is not a
// syntax error (those are described by encoding/json, see failure).
type fastDecoder struct {
	b []byte
	// s is b as a string, copied once: the strings, member names and
	// numbers of the document are slices of it rather than copies each.
	s   string
	i   int
	err error
	// members holds the members of the objects being decoded, innermost
	// last, so that each map is made once at its final size.
	members []member
	// path holds the member names and element indexes that lead to the
	// value being decoded, to name an object that repeats a member name.
	path     []pathToken
	dups     []duplicate
	moreDups int
	// prune and undeclared: see decodeChecked. names holds the member names
	// of the objects being skipped, innermost last.
	prune      bool
	undeclared []undeclaredSet
	names      []string
	// visit receives each string and number when scanning (see ScanJSON).
	visit func(Literal)
}

type member struct {
	key string
	val any
}

// pathToken is a member name, or an element index when index >= 0.
type pathToken struct {
	key   string
	index int
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

// value decodes the value at d.i; depth counts the arrays and objects
// around it, and t is the property tree of the value when it is an object
// the tree describes.
func (d *fastDecoder) value(depth int, t *propTree) (any, bool) {
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{' && d.prune && t == nil:
		return map[string]any{}, d.skip(depth)
	case c == '[' && d.prune:
		return []any{}, d.skip(depth)
	case c == '{':
		return d.object(depth, t)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, ok := d.string()
		return s, ok
	case c == '-' || '0' <= c && c <= '9':
		start := d.i
		if !d.number() {
			return nil, false
		}
		return json.Number(d.s[start:d.i]), true
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

// keyword reads the true, false or null that starts at d.i, for the
// scanners that need no value.
func (d *fastDecoder) keyword() bool {
	switch d.b[d.i] {
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return false
}

func (d *fastDecoder) literal(lit string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
		return false
	}
	d.i += len(lit)
	return true
}

// open consumes the bracket that opens a container at depth, refusing it
// past MaxDepth.
func (d *fastDecoder) open(depth int) bool {
	if depth >= MaxDepth {
		d.err = &DepthError{Offset: int64(d.i) + 1}
		return false
	}
	d.i++
	d.space()
	return true
}

// bigObject is the member count past which an object's members go
// straight into its map, instead of being held until the object ends, so a
// huge object is held once.
const bigObject = 1 << 12

func (d *fastDecoder) object(depth int, t *propTree) (any, bool) {
	if !d.open(depth) {
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return map[string]any{}, true
	}
	base := len(d.members) // on failure the whole decode is abandoned
	var big map[string]any
	var repeated, undeclared []string
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok || !d.colon() {
			return nil, false
		}
		d.path = append(d.path[:depth], pathToken{key: k, index: -1})
		var sub *propTree
		declared := true
		if t != nil {
			sub, declared = t.declared[k]
		}
		if !declared {
			undeclared = append(undeclared, k)
		}
		if !declared && d.prune {
			if !d.skip(depth + 1) {
				return nil, false
			}
		} else {
			v, ok := d.value(depth+1, sub)
			if !ok {
				return nil, false
			}
			if big != nil {
				if _, ok := big[k]; ok {
					repeated = append(repeated, k)
				}
				big[k] = v
			} else {
				d.members = append(d.members, member{k, v})
				if len(d.members)-base == bigObject {
					big, repeated = d.mapOf(base, 2*bigObject)
				}
			}
		}
		more, ok := d.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	m := big
	if m == nil {
		m, repeated = d.mapOf(base, 0)
	}
	if len(undeclared) > 0 {
		slices.Sort(undeclared)
		if d.prune {
			// The map holds the declared members only: find the
			// undeclared names repeated, now side by side.
			for i := 1; i < len(undeclared); i++ {
				if undeclared[i] == undeclared[i-1] {
					repeated = append(repeated, undeclared[i])
				}
			}
		}
		d.undeclared = append(d.undeclared, undeclaredSet{pointer: pathPointer(d.path[:depth]), names: slices.Compact(undeclared)})
	}
	if len(repeated) > 0 {
		d.duplicate(depth, repeated)
	}
	return m, true
}

// skip checks the value at d.i and moves past it without building it,
// accepting exactly what value accepts and reporting the objects in it that
// repeat a member name.
func (d *fastDecoder) skip(depth int) bool {
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		if !d.open(depth) {
			return false
		}
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return true
		}
		base := len(d.names)
		for {
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return false
			}
			k, ok := d.string()
			if !ok || !d.colon() {
				return false
			}
			d.names = append(d.names, k)
			d.path = append(d.path[:depth], pathToken{key: k, index: -1})
			if !d.skip(depth + 1) {
				return false
			}
			more, ok := d.next('}')
			if !ok {
				return false
			}
			if !more {
				break
			}
		}
		if repeated := repeatedNames(d.names[base:]); len(repeated) > 0 {
			d.duplicate(depth, repeated)
		}
		clear(d.names[base:])
		d.names = d.names[:base]
		return true
	case c == '[':
		if !d.open(depth) {
			return false
		}
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for index := 0; ; index++ {
			d.path = append(d.path[:depth], pathToken{index: index})
			if !d.skip(depth + 1) {
				return false
			}
			more, ok := d.next(']')
			if !ok || !more {
				return ok
			}
		}
	case c == '"':
		_, ok := d.string()
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't' || c == 'f' || c == 'n':
		return d.keyword()
	}
	return false
}

// repeatedNames returns the names that appear more than once in names.
func repeatedNames(names []string) []string {
	var repeated []string
	if len(names) <= 8 {
		for i, n := range names {
			if slices.Contains(names[:i], n) {
				repeated = append(repeated, n)
			}
		}
		return repeated
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			repeated = append(repeated, n)
		}
		seen[n] = true
	}
	return repeated
}

// mapOf moves the members from base on into a map, made for at least size
// members, and returns the names repeated among them.
func (d *fastDecoder) mapOf(base, size int) (map[string]any, []string) {
	members := d.members[base:]
	m := make(map[string]any, max(len(members), size))
	for _, mb := range members {
		m[mb.key] = mb.val // a repeated key keeps its last value, as in encoding/json
	}
	var repeated []string
	if len(m) != len(members) {
		seen := make(map[string]bool, len(members))
		for _, mb := range members {
			if seen[mb.key] {
				repeated = append(repeated, mb.key)
			}
			seen[mb.key] = true
		}
	}
	clear(members) // drop the references
	d.members = d.members[:base]
	return m, repeated
}

// duplicate records that the object at depth repeats the given names.
func (d *fastDecoder) duplicate(depth int, repeated []string) {
	if len(d.dups) >= maxDuplicates {
		d.moreDups++
		return
	}
	slices.Sort(repeated)
	d.dups = append(d.dups, duplicate{pointer: pathPointer(d.path[:depth]), names: slices.Compact(repeated)})
}

// pathPointer returns the JSON Pointer of path, cut at maxPointerLen.
func pathPointer(path []pathToken) string {
	var b strings.Builder
	for _, t := range path {
		b.WriteByte('/')
		if t.index >= 0 {
			b.WriteString(strconv.Itoa(t.index))
		} else {
			b.WriteString(escapePointer(Truncate(t.key, maxPointerLen)))
		}
		if b.Len() > maxPointerLen {
			return Truncate(b.String(), maxPointerLen)
		}
	}
	return b.String()
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
	if !d.open(depth) {
		return nil, false
	}
	a := []any{}
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, true
	}
	for index := 0; ; index++ {
		d.path = append(d.path[:depth], pathToken{index: index})
		v, ok := d.value(depth+1, nil)
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

// string decodes the string starting at the opening quote. A string that
// is not valid UTF-8 sets d.err. Plain strings are copied; those with escapes
// are unquoted by encoding/json.
func (d *fastDecoder) string() (string, bool) {
	start := d.i
	d.i++
	plain, ascii := true, true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			seg := d.b[start+1 : d.i]
			d.i++
			if !ascii {
				if off := invalidUTF8(seg); off >= 0 {
					d.err = &UTF8Error{Offset: int64(start + 1 + off + 1)}
					return "", false
				}
			}
			if plain {
				return d.s[start+1 : d.i-1], true
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			d.i++
		}
	}
	return "", false
}

// invalidUTF8 returns the index of the first byte of b that is not valid
// UTF-8, or -1.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// number consumes a JSON number.
func (d *fastDecoder) number() bool {
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && '1' <= d.b[d.i] && d.b[d.i] <= '9':
		d.digits()
	default:
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !d.digits() {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !d.digits() {
			return false
		}
	}
	return true
}

// digits consumes one or more digits and reports whether there was one.
func (d *fastDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// A Literal is a string or a number of a JSON document, as ScanJSON reports it.
type Literal struct {
	// Start and End are the literal's byte range in the document, a
	// string's quotes included.
	Start, End int
	// Value is a string's value, unescaped, or a number's text.
	Value string
	// Number is true for a number and false for a string.
	Number bool
	// Name is true for a member name.
	Name bool
	// Member names the member whose value holds the literal: the literal
	// itself or an array, at any depth of arrays, that holds it. It is ""
	// for member names and for literals outside any object.
	Member string
}

// ScanJSON checks b as DecodeJSON does and calls visit with each string and
// number in it, in document order, without building the document: the
// scanner a tool uses to rewrite some literals of a document and keep every
// other byte as it was. On an error, visit may have seen part of b.
func ScanJSON(b []byte, visit func(Literal)) error {
	d := fastDecoder{b: b, s: string(b), visit: visit}
	d.space()
	if d.scan(0, "") {
		d.space()
		if d.i == len(b) {
			return nil
		}
	}
	return d.failure()
}

// scan moves past the value at d.i, calling d.visit for its literals, and
// accepts exactly what value accepts. member is the name the value belongs
// to (see Literal.Member).
func (d *fastDecoder) scan(depth int, member string) bool {
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{', c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if !d.open(depth) {
			return false
		}
		if d.i < len(d.b) && d.b[d.i] == end {
			d.i++
			return true
		}
		for {
			inner := member
			if c == '{' {
				if d.i >= len(d.b) || d.b[d.i] != '"' {
					return false
				}
				start := d.i
				k, ok := d.string()
				if !ok {
					return false
				}
				d.visit(Literal{Start: start, End: d.i, Value: k, Name: true})
				if !d.colon() {
					return false
				}
				inner = k
			}
			if !d.scan(depth+1, inner) {
				return false
			}
			more, ok := d.next(end)
			if !ok || !more {
				return ok
			}
		}
	case c == '"':
		start := d.i
		s, ok := d.string()
		if ok {
			d.visit(Literal{Start: start, End: d.i, Value: s, Member: member})
		}
		return ok
	case c == '-' || '0' <= c && c <= '9':
		start := d.i
		if !d.number() {
			return false
		}
		d.visit(Literal{Start: start, End: d.i, Value: d.s[start:d.i], Number: true, Member: member})
		return true
	case c == 't' || c == 'f' || c == 'n':
		return d.keyword()
	}
	return false
}

// DecodeJSON decodes a JSON document the way Check does: one value and
// nothing after it, objects as map[string]any, arrays as []any, numbers as
// json.Number (their literal text). Errors are encoding/json's, except a
// *UTF8Error for a string that is not valid UTF-8 and a *DepthError for
// nesting deeper than MaxDepth, which encoding/json would not report so.
func DecodeJSON(b []byte) (any, error) { return decodeJSON(b) }

// DescribeJSONError describes a JSON decoding error without quoting the input.
func DescribeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var utf *UTF8Error
	var deep *DepthError
	switch {
	case errors.As(err, &utf):
		return utf.Error()
	case errors.As(err, &deep):
		return fmt.Sprintf("nested deeper than %d levels", MaxDepth)
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "exceeded max depth"):
		// encoding/json's own depth limit, the same as MaxDepth.
		return fmt.Sprintf("nested deeper than %d levels", MaxDepth)
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
