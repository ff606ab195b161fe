package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// A Schema checks a decoded JSON value against one response schema. Values are
// what the body decoder produces: nil, bool, string, json.Number,
// []any and map[string]any.
type Schema interface {
	// Evaluate returns nil when v conforms, otherwise why it does not.
	Evaluate(v any) *SchemaError
}

// A SchemaError explains why a value fails a schema, as a tree: a leaf names
// one failed keyword, an inner node (allOf, anyOf, oneOf, or a group with an
// empty Keyword) holds the failures beneath it in Causes.
type SchemaError struct {
	// Keyword is the failed keyword: required, type, enum, const, format,
	// allOf, anyOf, oneOf, another keyword, or "" for a group of causes.
	Keyword string
	// Location is the instance location of the failing value, as unescaped
	// reference tokens; for required it is the object's.
	Location []string
	// Missing lists the absent properties of a required failure.
	Missing []string
	// Want is what the keyword asks for: type names (type), the allowed
	// values (enum), the value (const), or the format name (format).
	Want []any
	// Got is the value's type name for a type failure, otherwise the value.
	Got    any
	Causes []*SchemaError
}

// typeNames are the JSON Schema type names in the order the reference
// validator lists them in its messages.
var typeNames = [...]string{"null", "boolean", "number", "integer", "string", "array", "object"}

const (
	typeNull uint8 = 1 << iota
	typeBoolean
	typeNumber
	typeInteger
	typeString
	typeArray
	typeObject
)

// node is one compiled schema: the subset of JSON Schema 2020-12 that
// libopenapi-validator renders for this document's responses. compileNode
// refuses every keyword it does not implement, so a document that starts
// using one makes contract.New fail (and with it every test that builds the
// validator) instead of being checked less strictly than the reference
// validator would check it.
type node struct {
	types      uint8 // 0: any type
	enum       []any
	hasEnum    bool
	constVal   any
	hasConst   bool
	formatName string
	format     func(any) error
	required   []string
	properties map[string]*node
	allOf      []*node
	anyOf      []*node
	oneOf      []*node
}

// annotations are keywords that carry no assertion.
var annotations = map[string]bool{
	"description": true, "title": true, "$comment": true, "default": true,
	"examples": true, "example": true, "deprecated": true, "readOnly": true,
	"writeOnly": true, "externalDocs": true, "xml": true, "$schema": true,
}

// referenceFormats are formats the reference validator asserts and this
// evaluator does not implement: a schema using one is refused. Any other
// format name (double, float, byte, password, ...) asserts nothing there and
// is ignored here too.
var referenceFormats = map[string]bool{
	"json-pointer": true, "relative-json-pointer": true, "duration": true, "period": true,
	"ipv4": true, "ipv6": true, "hostname": true, "email": true, "date": true, "time": true,
	"date-time": true, "uri": true, "iri": true, "uri-reference": true, "iri-reference": true,
	"uri-template": true, "semver": true, "regex": true,
}

// CompileSchema compiles a rendered response schema (JSON Schema 2020-12 with
// every $ref inlined, as contract/openapi renders it).
func CompileSchema(raw []byte) (Schema, error) {
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("contract: schema is not JSON: %w", err)
	}
	return compileNode(doc, "#")
}

func compileNode(doc any, at string) (*node, error) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("contract: schema at %s: want an object", at)
	}
	n := &node{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		var err error
		switch {
		case annotations[k]:
		case k == "type":
			err = n.compileType(v)
		case k == "enum":
			n.hasEnum = true
			n.enum, err = compileValues(v)
		case k == "const":
			n.hasConst = true
			var vals []any
			if vals, err = compileValues([]any{v}); err == nil {
				n.constVal = vals[0]
			}
		case k == "format":
			err = n.compileFormat(v)
		case k == "required":
			n.required, err = compileStrings(v)
		case k == "properties":
			n.properties, err = compileProperties(v, at)
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			var list []*node
			if list, err = compileList(v, at+"/"+k); err == nil {
				switch k {
				case "allOf":
					n.allOf = list
				case "anyOf":
					n.anyOf = list
				default:
					n.oneOf = list
				}
			}
		default:
			err = errors.New("keyword not supported by the embedded evaluator")
		}
		if err != nil {
			return nil, fmt.Errorf("contract: schema at %s: %s: %w", at, k, err)
		}
	}
	return n, nil
}

func (n *node) compileType(v any) error {
	names, ok := v.([]any)
	if !ok {
		names = []any{v}
	}
	for _, name := range names {
		s, _ := name.(string)
		i := slices.Index(typeNames[:], s)
		if i < 0 {
			return fmt.Errorf("unknown type %v", name)
		}
		n.types |= 1 << i
	}
	return nil
}

func (n *node) compileFormat(v any) error {
	name, ok := v.(string)
	if !ok {
		return errors.New("want a string")
	}
	switch {
	case name == "uuid":
		n.format = uuidFormat
	case name == "int32":
		n.format = integerFormat(math.MinInt32, math.MaxInt32)
	case name == "int64":
		n.format = integerFormat(math.MinInt64, math.MaxInt64)
	case referenceFormats[name]:
		return fmt.Errorf("format %q is not supported by the embedded evaluator", name)
	default:
		return nil // asserts nothing
	}
	n.formatName = name
	return nil
}

// compileValues accepts enum and const values: scalars only, which the
// evaluator compares exactly as the reference validator does.
func compileValues(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("want an array")
	}
	for _, x := range list {
		switch x.(type) {
		case nil, bool, string, json.Number:
		default:
			return nil, errors.New("only scalar values are supported")
		}
	}
	return list, nil
}

func compileStrings(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("want an array")
	}
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, errors.New("want strings")
		}
		out[i] = s
	}
	return out, nil
}

func compileProperties(v any, at string) (map[string]*node, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("want an object")
	}
	props := make(map[string]*node, len(obj))
	for name, sub := range obj {
		n, err := compileNode(sub, at+"/properties/"+escapePointer(name))
		if err != nil {
			return nil, err
		}
		props[name] = n
	}
	return props, nil
}

func compileList(v any, at string) ([]*node, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, errors.New("want a non-empty array")
	}
	out := make([]*node, len(list))
	for i, sub := range list {
		n, err := compileNode(sub, at+"/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// Evaluate checks v the way the reference validator does, keyword by keyword
// in its order: a failed type, const, enum or format ends the evaluation of
// this schema; otherwise required, properties, allOf, anyOf and oneOf each
// add their failures.
func (n *node) Evaluate(v any) *SchemaError {
	return n.eval(v, nil)
}

func (n *node) eval(v any, loc []string) *SchemaError {
	t := typeOf(v)
	if t == 0 {
		return &SchemaError{Keyword: "invalid", Location: loc, Got: v}
	}
	if n.types != 0 && n.types&t == 0 && !(n.types&typeInteger != 0 && t == typeNumber && isInteger(v)) {
		return &SchemaError{Keyword: "type", Location: loc, Want: n.typeWant(), Got: typeNames[bits.TrailingZeros8(t)]}
	}
	if n.hasConst && !scalarEqual(v, n.constVal) {
		return &SchemaError{Keyword: "const", Location: loc, Want: []any{n.constVal}, Got: v}
	}
	if n.hasEnum && !slices.ContainsFunc(n.enum, func(w any) bool { return scalarEqual(v, w) }) {
		return &SchemaError{Keyword: "enum", Location: loc, Want: n.enum, Got: v}
	}
	if n.format != nil && n.format(v) != nil {
		return &SchemaError{Keyword: "format", Location: loc, Want: []any{n.formatName}, Got: v}
	}
	var errs []*SchemaError
	if obj, ok := v.(map[string]any); ok {
		var missing []string
		for _, name := range n.required {
			if _, ok := obj[name]; !ok {
				missing = append(missing, name)
			}
		}
		if missing != nil {
			errs = append(errs, &SchemaError{Keyword: "required", Location: loc, Missing: missing})
		}
		// Walk the smaller of the two: a body with many undeclared members
		// costs no more than the schema's properties.
		if len(obj) <= len(n.properties) {
			for name, pv := range obj {
				if sub := n.properties[name]; sub != nil {
					errs = sub.appendEval(errs, pv, loc, name)
				}
			}
		} else {
			for name, sub := range n.properties {
				if pv, ok := obj[name]; ok {
					errs = sub.appendEval(errs, pv, loc, name)
				}
			}
		}
	}
	if len(n.allOf) > 0 {
		if causes := evalEach(n.allOf, v, loc); len(causes) > 0 {
			errs = append(errs, &SchemaError{Keyword: "allOf", Location: loc, Causes: causes})
		}
	}
	if len(n.anyOf) > 0 {
		var causes []*SchemaError
		matched := false
		for _, sub := range n.anyOf {
			e := sub.eval(v, loc)
			if e == nil {
				matched = true
				break
			}
			causes = append(causes, e)
		}
		if !matched {
			errs = append(errs, &SchemaError{Keyword: "anyOf", Location: loc, Causes: causes})
		}
	}
	if len(n.oneOf) > 0 {
		matched := -1
		var causes []*SchemaError
		for i, sub := range n.oneOf {
			if e := sub.eval(v, loc); e != nil {
				if matched == -1 {
					causes = append(causes, e)
				}
				continue
			}
			if matched != -1 { // a second match
				errs = append(errs, &SchemaError{Keyword: "oneOf", Location: loc})
				break
			}
			matched = i
		}
		if matched == -1 {
			errs = append(errs, &SchemaError{Keyword: "oneOf", Location: loc, Causes: causes})
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &SchemaError{Location: loc, Causes: errs}
}

// appendEval appends the failure of the property name, whose value is v, of
// the object at loc.
func (n *node) appendEval(errs []*SchemaError, v any, loc []string, name string) []*SchemaError {
	if e := n.eval(v, append(loc[:len(loc):len(loc)], name)); e != nil {
		errs = append(errs, e)
	}
	return errs
}

func evalEach(list []*node, v any, loc []string) []*SchemaError {
	var causes []*SchemaError
	for _, sub := range list {
		if e := sub.eval(v, loc); e != nil {
			causes = append(causes, e)
		}
	}
	return causes
}

func (n *node) typeWant() []any {
	var want []any
	for i, name := range typeNames {
		if n.types&(1<<i) != 0 {
			want = append(want, name)
		}
	}
	return want
}

// typeOf returns the type bit of a decoded value, or 0 for a value JSON
// cannot hold.
func typeOf(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return typeNull
	case bool:
		return typeBoolean
	case json.Number:
		return typeNumber
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return typeNumber
	case string:
		return typeString
	case []any:
		return typeArray
	case map[string]any:
		return typeObject
	}
	return 0
}

// isInteger reports whether a number's value is whole (1.0 and 1e2 are), in
// time linear in its text (see number.go).
func isInteger(v any) bool {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case float64:
		return x == math.Trunc(x)
	default:
		return false
	}
	if isDigits(strings.TrimPrefix(s, "-")) {
		return true // the common case
	}
	return isIntegerLiteral(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// scalarEqual compares a value with a scalar enum or const value: numbers
// by their value (1 equals 1.0), everything else exactly.
func scalarEqual(v, w any) bool {
	switch w := w.(type) {
	case json.Number:
		n, ok := v.(json.Number)
		return ok && equalLiterals(string(n), string(w))
	case nil:
		return v == nil
	case bool:
		b, ok := v.(bool)
		return ok && b == w
	case string:
		s, ok := v.(string)
		return ok && s == w
	}
	return false
}

func uuidFormat(v any) error {
	if s, ok := v.(string); ok && !IsUUID(s) {
		return errors.New("not a uuid")
	}
	return nil
}

// integerFormat is the OpenAPI registry's int32 and int64 formats as
// libopenapi-validator registers them: numbers must be whole and within the
// bounds; values of other types are left to the rest of the schema.
func integerFormat(minimum, maximum int64) func(any) error {
	return func(v any) error {
		n, ok := v.(json.Number)
		if !ok {
			return nil
		}
		valid := false
		i, err := n.Int64()
		if err == nil {
			valid = i >= minimum && i <= maximum
		} else if !errors.Is(err, strconv.ErrRange) {
			f, ferr := n.Float64()
			valid = ferr == nil && f == math.Trunc(f) && f >= float64(minimum) && f < float64(maximum)+1
		}
		if !valid {
			return fmt.Errorf("must be a whole number from %d to %d", minimum, maximum)
		}
		return nil
	}
}

// schemaFindings maps a schema error tree to findings, one per leaf. A
// missing property gets the pointer of the property itself (/duration).
func (c *checker) schemaFindings(e *SchemaError) {
	switch e.Keyword {
	case "oneOf", "anyOf":
		if len(e.Causes) > 0 {
			c.alternatives(e)
			return
		}
	}
	if len(e.Causes) > 0 {
		for _, cause := range e.Causes {
			c.schemaFindings(cause)
		}
		return
	}
	ptr := pointer(e.Location)
	switch e.Keyword {
	case "required":
		for _, name := range e.Missing {
			p := ptr + "/" + escapePointer(name)
			c.add(RuleRequired, SeverityError, p, "present", "missing", p+": required property is missing")
		}
	case "type":
		exp := joinValues(e.Want, " or ")
		act := describeValue(e.Got)
		c.add(RuleType, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	case "enum":
		exp := "one of " + joinValues(e.Want, ", ")
		act := describeValue(e.Got)
		c.add(RuleEnum, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	case "const":
		exp := joinValues(e.Want, ", ")
		act := describeValue(e.Got)
		c.add("schema.const", SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	case "format":
		exp := "format " + joinValues(e.Want, ", ")
		act := describeValue(e.Got)
		c.add(RuleFormat, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	default:
		rule := "schema.invalid"
		if e.Keyword != "" {
			rule = "schema." + e.Keyword
		}
		c.add(rule, SeverityError, ptr, strings.TrimPrefix(rule, "schema."), "violated", ptrName(ptr)+": "+rule+" violated")
	}
}

// alternatives reports a failed oneOf/anyOf (answered_by: an enum or null) as
// one finding naming every alternative, instead of one per branch.
func (c *checker) alternatives(e *SchemaError) {
	var enums, types []string
	var got any
	isEnum := false
	var walk func(e *SchemaError)
	walk = func(e *SchemaError) {
		switch e.Keyword {
		case "enum":
			isEnum = true
			got = e.Got
			for _, w := range e.Want {
				enums = append(enums, describeValue(w))
			}
		case "type":
			for _, w := range e.Want {
				types = append(types, describeValue(w))
			}
			if got == nil {
				got = e.Got
			}
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(e)
	ptr := pointer(e.Location)
	if isEnum {
		exp := "one of " + strings.Join(append(enums, types...), ", ")
		act := describeValue(got)
		c.add(RuleEnum, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
		return
	}
	sort.Strings(types)
	exp := strings.Join(types, " or ")
	act := fmt.Sprint(got)
	c.add(RuleType, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
}
