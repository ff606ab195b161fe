package specdiff

import (
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds the walk of a schema, so a deeply nested one ends.
const maxDepth = 32

// closedChanges lists the objects that stopped or started allowing
// undeclared properties. oasdiff's checker has no rule for
// additionalProperties: false or unevaluatedProperties: false (its diff
// treats an absent boolean and false alike), so this one check walks the
// schemas itself. It looks at the JSON body of each status both documents
// describe, and at objects both declare; a new property is reported by
// oasdiff's property rules instead. before and after are what objects
// returns for the old and the new body.
func closedChanges(status string, before, after map[string]bool) []Change {
	var out []Change
	for _, ptr := range slices.Sorted(maps.Keys(after)) {
		wasClosed, ok := before[ptr]
		if !ok || wasClosed == after[ptr] {
			continue
		}
		at, name := status, "the body"
		if ptr != "" {
			at, name = status+" "+ptr, ptr
		}
		if after[ptr] {
			out = append(out, Change{Kind: KindObjectClosed, Pointer: at, Old: "open", New: "closed", Severity: SeverityInfo,
				Message: name + " no longer allows undeclared properties"})
		} else {
			out = append(out, Change{Kind: KindObjectOpened, Pointer: at, Old: "closed", New: "open", Severity: SeverityNonBreaking,
				Message: name + " now allows undeclared properties"})
		}
	}
	return out
}

// objects maps the JSON Pointer of every schema node under s ("" for the
// body, "/*" for array items and additional properties) to whether the
// object there is closed; for a nil s, the map is empty. Members of allOf add up with the schema that
// holds them; properties of oneOf and anyOf alternatives are walked too,
// but an alternative that is closed does not close the union.
func objects(s *openapi3.SchemaRef) map[string]bool {
	out := map[string]bool{}
	onPath := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef, ptr string, depth int, alternative bool)
	walk = func(ref *openapi3.SchemaRef, ptr string, depth int, alternative bool) {
		if ref == nil || ref.Value == nil || depth > maxDepth || onPath[ref.Value] {
			return
		}
		v := ref.Value
		onPath[v] = true
		defer delete(onPath, v)

		out[ptr] = out[ptr] || (!alternative && closed(v))
		for _, name := range slices.Sorted(maps.Keys(v.Properties)) {
			walk(v.Properties[name], ptr+"/"+escape(name), depth+1, false)
		}
		walk(v.Items, ptr+"/*", depth+1, false)
		if ap := v.AdditionalProperties.Schema; ap != nil && !isFalse(ap) {
			walk(ap, ptr+"/*", depth+1, false)
		}
		for _, m := range v.AllOf {
			walk(m, ptr, depth+1, alternative)
		}
		for _, m := range slices.Concat(v.OneOf, v.AnyOf) {
			walk(m, ptr, depth+1, true)
		}
	}
	walk(s, "", 0, false)
	return out
}

// closed reports whether a schema forbids undeclared properties:
// additionalProperties or unevaluatedProperties false, or a schema that
// matches nothing ({not: {}}).
func closed(s *openapi3.Schema) bool {
	forbids := func(b openapi3.BoolSchema) bool {
		return (b.Has != nil && !*b.Has) || isFalse(b.Schema)
	}
	return forbids(s.AdditionalProperties) || forbids(s.UnevaluatedProperties)
}

// isFalse reports whether a schema is {not: {}}, which matches nothing.
func isFalse(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil || ref.Value.Not == nil || ref.Value.Not.Value == nil {
		return false
	}
	v := *ref.Value
	v.Not = nil
	return v.IsEmpty() && ref.Value.Not.Value.IsEmpty()
}
