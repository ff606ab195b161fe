package dynamoserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/callwire/callwire/functions/internal/fake"
)

// The expression grammar is exactly what callwire sends
// (functions/internal/idempotency), with every attribute named through a
// #placeholder and every value through a :placeholder:
//
//	condition  = term { OR term }
//	term       = primary { AND primary }
//	primary    = "(" condition ")" | attribute_not_exists(#name) | #name ("=" | "<") :value
//	update     = SET #name = :value { , #name = :value } [ REMOVE #name { , #name } ]
//	projection = #name { , #name }
//
// Anything else DynamoDB accepts (NOT, <>, >, other functions, plain or
// nested attribute names, ADD and DELETE, a value on the left) is refused
// with a ValidationException that names it, never misread: a fake that
// accepted more than callwire uses would let code drift from what its
// tests exercise.

// attr is one DynamoDB AttributeValue in its JSON form, such as {"S":"x"}.
type attr = json.RawMessage

// item is one stored item.
type item map[string]attr

// exprContext resolves #names and :values and records which were used, so
// that unused ones are refused as DynamoDB refuses them.
type exprContext struct {
	names      map[string]string
	values     map[string]attr
	usedNames  map[string]bool
	usedValues map[string]bool
}

func newExprContext(names map[string]string, values map[string]attr) *exprContext {
	return &exprContext{names: names, values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// unused returns a ValidationException for a placeholder no expression used.
func (c *exprContext) unused() *fake.Error {
	for k := range c.names {
		if !c.usedNames[k] {
			return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + k + "}")
		}
	}
	for k := range c.values {
		if !c.usedValues[k] {
			return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + k + "}")
		}
	}
	return nil
}

// token kinds.
const (
	tokEOF = iota
	tokName
	tokValue
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind int
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{tokLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tokRParen, ")"})
			i++
		case c == ',':
			out = append(out, token{tokComma, ","})
			i++
		case c == '=':
			out = append(out, token{tokOp, "="})
			i++
		case c == '<' || c == '>':
			op := string(c)
			if i+1 < len(s) && (s[i+1] == '=' || (c == '<' && s[i+1] == '>')) {
				op += string(s[i+1])
			}
			out = append(out, token{tokOp, op})
			i += len(op)
		case c == '#' || c == ':' || isNameByte(c):
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			kind := tokName
			if c == ':' {
				kind = tokValue
			}
			if j == i+1 && (c == '#' || c == ':') {
				return nil, fmt.Errorf("empty placeholder at offset %d", i)
			}
			out = append(out, token{kind, s[i:j]})
			i = j
		case c == '.' || c == '[':
			return nil, unsupported("a nested document path")
		default:
			return nil, unsupported(fmt.Sprintf("the character %q at offset %d", c, i))
		}
	}
	return append(out, token{tokEOF, ""}), nil
}

func isNameByte(c byte) bool {
	return c == '_' || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}

// parser reads one expression from its tokens.
type parser struct {
	toks []token
	pos  int
	ctx  *exprContext
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) keyword(w string) bool {
	if t := p.peek(); t.kind == tokName && strings.EqualFold(t.text, w) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expect(kind int, what string) error {
	if t := p.next(); t.kind != kind {
		return fmt.Errorf("expected %s, found %q", what, t.text)
	}
	return nil
}

// unsupported is the error for a construct outside the grammar above.
func unsupported(what string) error {
	return fmt.Errorf("unsupported by callwire's loopback DynamoDB: %s", what)
}

// path resolves a #name placeholder.
func (p *parser) path() (string, error) {
	t := p.next()
	if t.kind != tokName {
		return "", fmt.Errorf("expected an attribute name, found %q", t.text)
	}
	if !strings.HasPrefix(t.text, "#") {
		if _, kw := keywords[strings.ToUpper(t.text)]; kw {
			return "", unsupported("the keyword " + strings.ToUpper(t.text) + " here")
		}
		return "", unsupported(fmt.Sprintf("the plain attribute name %q (name attributes through #placeholders)", t.text))
	}
	name, ok := p.ctx.names[t.text]
	if !ok {
		return "", fmt.Errorf("an expression attribute name used in the document path is not defined; attribute name: %s", t.text)
	}
	p.ctx.usedNames[t.text] = true
	return name, nil
}

var keywords = map[string]struct{}{"AND": {}, "OR": {}, "NOT": {}, "SET": {}, "REMOVE": {}, "ADD": {}, "DELETE": {},
	"BETWEEN": {}, "IN": {}}

// value resolves a :value placeholder.
func (p *parser) value() (attr, error) {
	t := p.next()
	if t.kind != tokValue {
		if t.kind == tokName && strings.HasPrefix(t.text, "#") {
			return nil, unsupported(fmt.Sprintf("the attribute %s as an operand (compare and set to :values only)", t.text))
		}
		return nil, fmt.Errorf("expected a :value, found %q", t.text)
	}
	v, ok := p.ctx.values[t.text]
	if !ok {
		return nil, fmt.Errorf("an expression attribute value used in expression is not defined; attribute value: %s", t.text)
	}
	p.ctx.usedValues[t.text] = true
	return v, nil
}

// condition is a parsed condition expression.
type condition func(it item) bool

func parseCondition(expr string, ctx *exprContext) (condition, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, ctx: ctx}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokName {
			return nil, unsupported("the keyword " + strings.ToUpper(t.text))
		}
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	return c, nil
}

func (p *parser) or() (condition, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(it item) bool { return l(it) || right(it) }
	}
	return left, nil
}

func (p *parser) and() (condition, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(it item) bool { return l(it) && right(it) }
	}
	return left, nil
}

func (p *parser) primary() (condition, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(tokRParen, ")")
	case t.kind == tokValue:
		return nil, unsupported(fmt.Sprintf("the value %s on the left of a comparison", t.text))
	case t.kind == tokName && strings.EqualFold(t.text, "NOT"):
		return nil, unsupported("NOT")
	case t.kind == tokName && p.toks[p.pos+1].kind == tokLParen:
		if t.text != "attribute_not_exists" {
			return nil, unsupported("the function " + t.text + " (only attribute_not_exists)")
		}
		p.pos += 2
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen, ")"); err != nil {
			return nil, err
		}
		return func(it item) bool { _, ok := it[path]; return !ok }, nil
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind == tokName {
		return nil, unsupported("the operator " + strings.ToUpper(op.text))
	}
	if op.kind != tokOp {
		return nil, fmt.Errorf("expected a comparison operator, found %q", op.text)
	}
	if op.text != "=" && op.text != "<" {
		return nil, unsupported(fmt.Sprintf("the comparison %q (only = and <)", op.text))
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	less := op.text == "<"
	return func(it item) bool {
		a, ok := it[path]
		if !ok {
			return false
		}
		c, comparable := compare(a, v)
		if less {
			return comparable && c < 0
		}
		return comparable && c == 0
	}, nil
}

// compare orders two attribute values of the same scalar type: numbers
// numerically, strings and binaries by bytes, anything else only for
// equality. comparable is false across types.
func compare(a, b attr) (int, bool) {
	ta, va, okA := scalar(a)
	tb, vb, okB := scalar(b)
	if !okA || !okB {
		if bytes.Equal(canonical(a), canonical(b)) {
			return 0, true
		}
		return 1, false
	}
	if ta != tb {
		return 0, false
	}
	if ta == "N" {
		x, okX := new(big.Rat).SetString(va)
		y, okY := new(big.Rat).SetString(vb)
		if !okX || !okY {
			return 0, false
		}
		return x.Cmp(y), true
	}
	return strings.Compare(va, vb), true
}

// scalar returns the type and value of an S, N or B attribute value.
func scalar(a attr) (typ, value string, ok bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(a, &m) != nil || len(m) != 1 {
		return "", "", false
	}
	for t, raw := range m {
		if t != "S" && t != "N" && t != "B" {
			return "", "", false
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", "", false
		}
		return t, s, true
	}
	return "", "", false
}

// canonical re-encodes a value so that equal values compare equal as bytes.
func canonical(a attr) []byte {
	var v any
	if json.Unmarshal(a, &v) != nil {
		return a
	}
	b, _ := json.Marshal(v)
	return b
}

// update is a parsed update expression.
type update struct {
	set    []assignment
	remove []string
}

type assignment struct {
	path  string
	value attr
}

func parseUpdate(expr string, ctx *exprContext) (update, error) {
	var u update
	toks, err := tokenize(expr)
	if err != nil {
		return u, err
	}
	p := &parser{toks: toks, ctx: ctx}
	if !p.keyword("SET") {
		return u, unsupported(fmt.Sprintf("an update expression that does not start with SET (found %q)", p.peek().text))
	}
	for {
		path, err := p.path()
		if err != nil {
			return u, err
		}
		if err := p.expect(tokOp, "="); err != nil {
			return u, err
		}
		v, err := p.value()
		if err != nil {
			return u, err
		}
		u.set = append(u.set, assignment{path, v})
		if p.peek().kind != tokComma {
			break
		}
		p.next()
	}
	if p.keyword("REMOVE") {
		for {
			path, err := p.path()
			if err != nil {
				return u, err
			}
			u.remove = append(u.remove, path)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokName {
			return u, unsupported(fmt.Sprintf("the update clause %s here (SET, then REMOVE)", strings.ToUpper(t.text)))
		}
		return u, fmt.Errorf("unexpected %q", t.text)
	}
	return u, nil
}

// apply returns a copy of it with u applied.
func (u update) apply(it item) item {
	out := make(item, len(it)+len(u.set))
	for k, v := range it {
		out[k] = v
	}
	for _, a := range u.set {
		out[a.path] = a.value
	}
	for _, path := range u.remove {
		delete(out, path)
	}
	return out
}

// parseProjection returns the attribute names a projection expression lists.
func parseProjection(expr string, ctx *exprContext) ([]string, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, ctx: ctx}
	var names []string
	for {
		name, err := p.path()
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		t := p.next()
		if t.kind == tokEOF {
			return names, nil
		}
		if t.kind != tokComma {
			return nil, fmt.Errorf("unexpected %q in projection expression", t.text)
		}
	}
}

// project returns the attributes of it named in names (all when names is nil).
func project(it item, names []string) item {
	if names == nil {
		return it
	}
	out := make(item, len(names))
	for _, n := range names {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	return out
}
