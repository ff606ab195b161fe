package contract

import (
	"encoding/json"
	"fmt"
	"strings"
)

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
