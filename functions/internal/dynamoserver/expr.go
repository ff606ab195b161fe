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

// The expression subset: condition expressions made of comparisons (=, <>,
// <, <=, >, >=) between top-level attributes and values,
// attribute_exists(path) and attribute_not_exists(path), joined by AND, OR,
// NOT and parentheses; update expressions made of SET path = operand and
// REMOVE path clauses; projection expressions listing top-level attributes.
// Anything else is a ValidationException, never a silent misreading.

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
		default:
			return nil, fmt.Errorf("unsupported character %q at offset %d", c, i)
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

// path resolves an attribute name token (a #placeholder or a plain name).
func (p *parser) path() (string, error) {
	t := p.next()
	if t.kind != tokName {
		return "", fmt.Errorf("expected an attribute name, found %q", t.text)
	}
	if strings.HasPrefix(t.text, "#") {
		name, ok := p.ctx.names[t.text]
		if !ok {
			return "", fmt.Errorf("an expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.ctx.usedNames[t.text] = true
		return name, nil
	}
	switch strings.ToUpper(t.text) {
	case "AND", "OR", "NOT", "SET", "REMOVE", "ADD", "DELETE":
		return "", fmt.Errorf("unexpected keyword %s", t.text)
	}
	return t.text, nil
}

// operand is an attribute path or a :value.
type operand struct {
	path  string
	value attr
}

func (p *parser) operand() (operand, error) {
	if t := p.peek(); t.kind == tokValue {
		p.next()
		v, ok := p.ctx.values[t.text]
		if !ok {
			return operand{}, fmt.Errorf("an expression attribute value used in expression is not defined; attribute value: %s", t.text)
		}
		p.ctx.usedValues[t.text] = true
		return operand{value: v}, nil
	}
	path, err := p.path()
	return operand{path: path}, err
}

func (o operand) resolve(it item) (attr, bool) {
	if o.value != nil {
		return o.value, true
	}
	v, ok := it[o.path]
	return v, ok
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
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(it item) bool { return l(it) && right(it) }
	}
	return left, nil
}

func (p *parser) not() (condition, error) {
	if p.keyword("NOT") {
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(it item) bool { return !c(it) }, nil
	}
	return p.primary()
}

func (p *parser) primary() (condition, error) {
	t := p.peek()
	if t.kind == tokLParen {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(tokRParen, ")")
	}
	if t.kind == tokName && p.toks[p.pos+1].kind == tokLParen {
		fn := strings.ToLower(t.text)
		if fn != "attribute_exists" && fn != "attribute_not_exists" {
			return nil, fmt.Errorf("unsupported function %s", t.text)
		}
		p.pos += 2
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen, ")"); err != nil {
			return nil, err
		}
		want := fn == "attribute_exists"
		return func(it item) bool { _, ok := it[path]; return ok == want }, nil
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	op := p.next()
	if op.kind != tokOp {
		return nil, fmt.Errorf("expected a comparison operator, found %q", op.text)
	}
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	return func(it item) bool {
		a, okA := left.resolve(it)
		b, okB := right.resolve(it)
		if !okA || !okB {
			return false
		}
		c, comparable := compare(a, b)
		switch op.text {
		case "=":
			return comparable && c == 0
		case "<>":
			return !comparable || c != 0
		case "<":
			return comparable && c < 0
		case "<=":
			return comparable && c <= 0
		case ">":
			return comparable && c > 0
		default: // ">="
			return comparable && c >= 0
		}
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
	value operand
}

func parseUpdate(expr string, ctx *exprContext) (update, error) {
	var u update
	toks, err := tokenize(expr)
	if err != nil {
		return u, err
	}
	p := &parser{toks: toks, ctx: ctx}
	seen := map[string]bool{}
	for p.peek().kind != tokEOF {
		clause := strings.ToUpper(p.next().text)
		if clause != "SET" && clause != "REMOVE" {
			return u, fmt.Errorf("unsupported update clause %q (SET and REMOVE only)", clause)
		}
		if seen[clause] {
			return u, fmt.Errorf("the %s section can only be used once in an update expression", clause)
		}
		seen[clause] = true
		for {
			path, err := p.path()
			if err != nil {
				return u, err
			}
			if clause == "SET" {
				if err := p.expect(tokOp, "="); err != nil {
					return u, err
				}
				v, err := p.operand()
				if err != nil {
					return u, err
				}
				u.set = append(u.set, assignment{path, v})
			} else {
				u.remove = append(u.remove, path)
			}
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if len(u.set)+len(u.remove) == 0 {
		return u, fmt.Errorf("empty update expression")
	}
	return u, nil
}

// apply returns a copy of it with u applied; values are read from the item
// as it was before the update, as DynamoDB does.
func (u update) apply(it item) (item, error) {
	out := make(item, len(it)+len(u.set))
	for k, v := range it {
		out[k] = v
	}
	for _, a := range u.set {
		v, ok := a.value.resolve(it)
		if !ok {
			return nil, fmt.Errorf("the provided expression refers to an attribute that does not exist in the item: %s", a.value.path)
		}
		out[a.path] = v
	}
	for _, path := range u.remove {
		delete(out, path)
	}
	return out, nil
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
