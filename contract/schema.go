package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// undeclared reports the properties the document does not declare, as info:
// the pinned document allows them, but a new field is drift worth knowing.
// Each object with undeclared properties gets one finding, at the object's
// pointer, whatever their number; its fingerprint covers all their names.
func (c *checker) undeclared(doc any, t *propTree, ptr string) {
	obj, ok := doc.(map[string]any)
	if !ok || t == nil {
		return
	}
	var names []string
	for k, v := range obj {
		sub, declared := t.declared[k]
		switch {
		case !declared:
			names = append(names, k)
		case sub != nil:
			c.undeclared(v, sub, ptr+"/"+escapePointer(k))
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		c.addNames(RuleUndeclared, SeverityInfo, ptr, "only declared properties", names,
			plural(len(names), "property is", "properties are")+" not declared by the document")
	}
}

// declaredTree returns the properties a rendered schema declares,
// recursively: those of its properties keyword and of every allOf, anyOf
// and oneOf branch, merged (a $ref that carries a description renders as an
// allOf of the description and the referenced schema). It returns nil for a
// schema that declares none.
func declaredTree(schema any) *propTree {
	t := &propTree{declared: map[string]*propTree{}}
	t.collect(schema)
	if len(t.declared) == 0 {
		return nil
	}
	return t
}

func (t *propTree) collect(schema any) {
	obj, ok := schema.(map[string]any)
	if !ok {
		return
	}
	if props, ok := obj["properties"].(map[string]any); ok {
		for name, sub := range props {
			t.declared[name] = mergeTrees(t.declared[name], declaredTree(sub))
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		branches, _ := obj[k].([]any)
		for _, b := range branches {
			t.collect(b)
		}
	}
}

// mergeTrees returns the union of two property trees.
func mergeTrees(a, b *propTree) *propTree {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	for name, sub := range b.declared {
		a.declared[name] = mergeTrees(a.declared[name], sub)
	}
	return a
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

func joinValues(vs []any, sep string) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = describeValue(v)
	}
	return strings.Join(s, sep)
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
