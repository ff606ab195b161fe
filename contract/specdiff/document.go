package specdiff

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Document is a parsed OpenAPI 3 document, refused at Load when it is too
// large, not OpenAPI 3, refers outside itself or holds a $ref that resolves
// to no schema.
type Document struct {
	name string
	doc  *openapi3.T
}

// Load parses data as an OpenAPI 3.0 or 3.1 document named name (the name
// errors carry). Its bounds, each a *DocumentError: at most MaxSpecSize
// bytes; YAML nesting of at most 10,000 levels and no excessive aliasing
// (the YAML parser's limits, so an alias bomb is refused before it
// expands); references to other files or URLs are never followed; a loop
// of references that never reaches a schema is refused. A schema that
// refers to itself through a property is fine.
func Load(name string, data []byte) (*Document, error) {
	if len(data) > MaxSpecSize {
		return nil, &DocumentError{Name: name, Problem: fmt.Sprintf("is larger than %d bytes", MaxSpecSize)}
	}
	doc, err := loadSpec(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(name, doc); err != nil {
		return nil, err
	}
	return &Document{name: name, doc: doc}, nil
}

// Has reports whether the document documents op.
func (d *Document) Has(op Operation) bool {
	_, o := findOperation(d.doc, op)
	return o != nil
}

// checkRefs refuses a document where a $ref leads to no schema: a loop of
// references ($ref to $ref back to the first) leaves the loader's value nil.
func checkRefs(name string, doc *openapi3.T) error {
	if doc.Components == nil {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		if r := doc.Components.Schemas[k]; r == nil || r.Value == nil {
			return &DocumentError{Name: name, Problem: fmt.Sprintf(
				"holds a $ref that resolves to no schema at #/components/schemas/%s (a loop of references?)", k)}
		}
	}
	return nil
}

// Shape is what one document allows at a pointer, in the terms the
// contract core's evaluator reads (contract.CompileSchema).
type Shape struct {
	// Schema is the JSON Schema at the pointer with every $ref inlined and
	// only type, enum, const, format, required, properties, allOf, anyOf
	// and oneOf kept; a schema met again below itself is {}.
	Schema json.RawMessage
	// Closed reports whether the object there refuses undeclared
	// properties, and Declared lists the names it declares.
	Closed   bool
	Declared []string
}

// ShapeAt returns what op's response documents at pointer, a Change's
// Pointer ("200 /direction", "200"); ok is false when the document does not
// declare it. "*" steps into array items.
func (d *Document) ShapeAt(op Operation, pointer string) (Shape, bool) {
	_, o := findOperation(d.doc, op)
	if o == nil {
		return Shape{}, false
	}
	unwrapResponses(o)
	status, ptr, _ := strings.Cut(pointer, " ")
	ref := jsonSchema(o, status)
	if ref == nil || ref.Value == nil {
		return Shape{}, false
	}
	s := ref.Value
	if ptr != "" {
		for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			var next *openapi3.SchemaRef
			if tok == "*" {
				next = s.Items
			} else {
				next = s.Properties[tok]
			}
			if next == nil || next.Value == nil {
				return Shape{}, false
			}
			s = next.Value
		}
	}
	raw, err := json.Marshal(render(s, map[*openapi3.Schema]bool{}, 0))
	if err != nil {
		return Shape{}, false
	}
	sh := Shape{Schema: raw, Declared: slices.Sorted(maps.Keys(s.Properties))}
	sh.Closed = (s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has) ||
		(s.UnevaluatedProperties.Has != nil && !*s.UnevaluatedProperties.Has) ||
		(s.UnevaluatedProperties.Schema != nil && s.UnevaluatedProperties.Schema.Value != nil && s.UnevaluatedProperties.Schema.Value.Not != nil)
	return sh, true
}

// maxRenderDepth bounds how deep render inlines; below it a schema reads {}.
const maxRenderDepth = 32

// render turns s into the evaluator's subset of JSON Schema.
func render(s *openapi3.Schema, onPath map[*openapi3.Schema]bool, depth int) map[string]any {
	out := map[string]any{}
	if s == nil || onPath[s] || depth > maxRenderDepth {
		return out
	}
	onPath[s] = true
	defer delete(onPath, s)
	if s.Type != nil && len(*s.Type) > 0 {
		types := slices.Clone([]string(*s.Type))
		if s.Nullable && !slices.Contains(types, openapi3.TypeNull) {
			types = append(types, openapi3.TypeNull)
		}
		out["type"] = types
	}
	if len(s.Enum) > 0 {
		enum := slices.Clone(s.Enum)
		// A null type beside an enum (which unwrapping writes for a union
		// with null) allows null; JSON Schema would need it in the enum.
		if (s.Nullable || (s.Type != nil && s.Type.Includes(openapi3.TypeNull))) &&
			!slices.ContainsFunc(enum, func(v any) bool { return v == nil }) {
			enum = append(enum, nil)
		}
		out["enum"] = enum
	}
	if s.Const != nil {
		out["const"] = s.Const
	}
	if s.Format == "uuid" {
		out["format"] = s.Format
	}
	if len(s.Required) > 0 {
		out["required"] = s.Required
	}
	if len(s.Properties) > 0 {
		props := map[string]any{}
		for k, r := range s.Properties {
			if r != nil {
				props[k] = render(r.Value, onPath, depth+1)
			}
		}
		out["properties"] = props
	}
	for key, list := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf} {
		if len(list) == 0 {
			continue
		}
		var rendered []any
		for _, r := range list {
			if r != nil {
				rendered = append(rendered, render(r.Value, onPath, depth+1))
			}
		}
		out[key] = rendered
	}
	return out
}
