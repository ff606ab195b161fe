package contract

import (
	"encoding/json"
	"fmt"
	"strings"
)

// declaredTree returns the properties a rendered schema declares,
// recursively: those of its properties and required keywords and of every
// allOf, anyOf and oneOf branch, merged (a $ref that carries a description
// renders as an allOf of the description and the referenced schema). It
// returns nil for a schema that declares none. The check reports the other
// members of an object as schema.undeclared (info: the pinned document
// allows them, but a new field is drift worth knowing), one finding per
// object whatever their number, and leaves them out of the document it
// evaluates: every keyword the evaluator implements reads only the
// members this tree holds.
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
	if required, ok := obj["required"].([]any); ok {
		for _, name := range required {
			if s, ok := name.(string); ok {
				if _, known := t.declared[s]; !known {
					t.declared[s] = nil
				}
			}
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
		return Truncate(x, 40)
	case json.Number:
		return Truncate(x.String(), 40)
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return Truncate(fmt.Sprint(v), 40)
}
