package contract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"
)

// schemaFindings maps the library's validation error tree to findings, one per
// leaf. A missing property gets the pointer of the property itself (/duration),
// which the library only names inside its prose.
func (c *checker) schemaFindings(ve *jsonschema.ValidationError) {
	switch ve.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		if len(ve.Causes) > 0 {
			c.alternatives(ve)
			return
		}
	}
	if len(ve.Causes) > 0 {
		for _, cause := range ve.Causes {
			c.schemaFindings(cause)
		}
		return
	}
	ptr := pointer(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			p := ptr + "/" + escapePointer(name)
			c.add(RuleRequired, SeverityError, p, "present", "missing", p+": required property is missing")
		}
	case *kind.Type:
		exp := strings.Join(k.Want, " or ")
		c.add(RuleType, SeverityError, ptr, exp, k.Got, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, k.Got))
	case *kind.Enum:
		exp := "one of " + joinValues(k.Want)
		act := describeValue(k.Got)
		c.add(RuleEnum, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	case *kind.Const:
		exp := describeValue(k.Want)
		act := describeValue(k.Got)
		c.add("schema.const", SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	case *kind.Format:
		exp := "format " + k.Want
		act := describeValue(k.Got)
		c.add(RuleFormat, SeverityError, ptr, exp, act, fmt.Sprintf("%s: expected %s, got %s", ptrName(ptr), exp, act))
	default:
		rule := "schema.invalid"
		if kw := ve.ErrorKind.KeywordPath(); len(kw) > 0 {
			rule = "schema." + kw[0]
		}
		c.add(rule, SeverityError, ptr, strings.TrimPrefix(rule, "schema."), "violated", ptrName(ptr)+": "+rule+" violated")
	}
}

// alternatives reports a failed oneOf/anyOf (answered_by: an enum or null) as
// one finding naming every alternative, instead of one per branch.
func (c *checker) alternatives(ve *jsonschema.ValidationError) {
	var enums, types []string
	var got any
	isEnum := false
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch k := e.ErrorKind.(type) {
		case *kind.Enum:
			isEnum = true
			got = k.Got
			for _, w := range k.Want {
				enums = append(enums, describeValue(w))
			}
		case *kind.Type:
			types = append(types, k.Want...)
			if got == nil {
				got = k.Got
			}
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
	ptr := pointer(ve.InstanceLocation)
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

// undeclared reports properties the document does not declare, as info: the
// pinned document allows them, but a new field is drift worth knowing.
func (c *checker) undeclared(doc any, t *propTree, ptr string) {
	obj, ok := doc.(map[string]any)
	if !ok || t == nil {
		return
	}
	// Map order is fine: Check sorts the findings, and each pointer here is
	// reported at most once.
	for k, v := range obj {
		sub, declared := t.declared[k]
		if declared && sub == nil {
			continue // a declared leaf: nothing below it to report
		}
		p := ptr + "/" + escapePointer(k)
		if !declared {
			c.add(RuleUndeclared, SeverityInfo, p, "declared property", "present", p+": property is not declared by the document")
			continue
		}
		c.undeclared(v, sub, p)
	}
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	var b strings.Builder
	for _, s := range loc {
		b.WriteByte('/')
		b.WriteString(escapePointer(s))
	}
	return b.String()
}

// escapePointer escapes one reference token per RFC 6901.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func ptrName(ptr string) string {
	if ptr == "" {
		return "body"
	}
	return ptr
}

func joinValues(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = describeValue(v)
	}
	return strings.Join(s, ", ")
}

// describeValue renders a JSON value briefly: strings unquoted, long values cut.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return truncate(x, 40)
	case json.Number:
		return truncate(x.String(), 40)
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return truncate(fmt.Sprint(v), 40)
}
