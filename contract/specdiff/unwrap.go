package specdiff

import (
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// unwrapResponses rewrites, in every body schema of op's responses, the
// wrappings that change nothing a reader sees, so that two documents that
// say the same thing in different words compare equal:
//
//   - an allOf that holds a single schema, beside annotations only
//     (description, title, examples, deprecated, readOnly, writeOnly,
//     externalDocs), is that schema with the wrapper's annotations: newer
//     SignalWire documents write `allOf: [{$ref: CallStatus}]` where older
//     ones wrote the enum inline, and oasdiff reads the first as a type
//     changed to "any" and every enum value removed;
//   - an anyOf or oneOf of two schemas, one of them `type: 'null'` alone, is
//     the other schema with null added to its type (its enum stays as it
//     is: oasdiff reads null from the type, and an enum value null would be
//     reported a second time): `anyOf: [{type: string}, {type: 'null'}]`
//     and `type: [string, 'null']` accept the same values, and for a schema
//     that refuses null, anyOf and oneOf accept the same values.
//
// The rewrite replaces SchemaRef values and never edits a schema in place,
// so a component shared by several references, or a schema that refers to
// itself, is visited once and left whole.
func unwrapResponses(op *openapi3.Operation) {
	if op == nil || op.Responses == nil {
		return
	}
	u := unwrapper{seen: map[*openapi3.Schema]*openapi3.Schema{}}
	for _, r := range op.Responses.Map() {
		if r == nil || r.Value == nil {
			continue
		}
		for _, mt := range r.Value.Content {
			if mt != nil {
				u.ref(mt.Schema)
			}
		}
	}
}

// unwrapper remembers the rewritten form of each schema it has visited.
type unwrapper struct {
	seen map[*openapi3.Schema]*openapi3.Schema
}

// ref rewrites one reference in place: its value becomes the unwrapped form.
func (u *unwrapper) ref(r *openapi3.SchemaRef) {
	if r == nil || r.Value == nil {
		return
	}
	r.Value = u.schema(r.Value)
}

// schema returns the unwrapped form of s: s itself when nothing changes.
func (u *unwrapper) schema(s *openapi3.Schema) *openapi3.Schema {
	if done, ok := u.seen[s]; ok {
		return done
	}
	// A schema on the current path maps to itself until it is done, so a
	// loop of references ends here.
	u.seen[s] = s
	out := s
	if inner := singleAllOf(s); inner != nil {
		out = withAnnotations(u.schema(inner), s)
	} else if other := nullUnion(s); other != nil {
		out = withNull(u.schema(other), s)
	}
	if out == s {
		// The children are rewritten through copies of the lists and maps
		// that hold them, so no other holder of s sees a change.
		cp := *s
		cp.Properties = u.schemas(s.Properties)
		cp.Items = u.copyRef(s.Items)
		cp.AllOf, cp.AnyOf, cp.OneOf = u.refs(s.AllOf), u.refs(s.AnyOf), u.refs(s.OneOf)
		cp.Not = u.copyRef(s.Not)
		cp.PrefixItems = u.refs(s.PrefixItems)
		cp.PatternProperties = u.schemas(s.PatternProperties)
		if s.AdditionalProperties.Schema != nil {
			cp.AdditionalProperties.Schema = u.copyRef(s.AdditionalProperties.Schema)
		}
		out = &cp
	}
	u.seen[s] = out
	return out
}

func (u *unwrapper) copyRef(r *openapi3.SchemaRef) *openapi3.SchemaRef {
	if r == nil || r.Value == nil {
		return r
	}
	cp := *r
	cp.Value = u.schema(r.Value)
	return &cp
}

func (u *unwrapper) refs(list openapi3.SchemaRefs) openapi3.SchemaRefs {
	if list == nil {
		return nil
	}
	out := make(openapi3.SchemaRefs, len(list))
	for i, r := range list {
		out[i] = u.copyRef(r)
	}
	return out
}

func (u *unwrapper) schemas(m openapi3.Schemas) openapi3.Schemas {
	if m == nil {
		return nil
	}
	out := make(openapi3.Schemas, len(m))
	for k, r := range m {
		out[k] = u.copyRef(r)
	}
	return out
}

// onlyAnnotations reports whether s, apart from its composition keywords,
// says nothing that constrains a value.
func onlyAnnotations(s *openapi3.Schema) bool {
	cp := *s
	cp.AllOf, cp.AnyOf, cp.OneOf = nil, nil, nil
	cp.Title, cp.Description, cp.Examples, cp.Example = "", "", nil, nil
	cp.Deprecated, cp.ReadOnly, cp.WriteOnly = false, false, false
	cp.ExternalDocs, cp.Extensions, cp.Origin = nil, nil, nil
	// IsEmpty counts a property with an empty schema as nothing; to a
	// reader a declared name is something.
	if len(cp.Properties) > 0 || len(cp.PatternProperties) > 0 || len(cp.DependentSchemas) > 0 ||
		cp.AdditionalProperties.Has != nil || cp.AdditionalProperties.Schema != nil ||
		cp.UnevaluatedProperties != (openapi3.BoolSchema{}) || cp.UnevaluatedItems != (openapi3.BoolSchema{}) ||
		cp.If != nil || cp.Then != nil || cp.Else != nil || cp.Discriminator != nil || cp.PropertyNames != nil ||
		len(cp.DependentRequired) > 0 || cp.Always != nil {
		return false
	}
	return cp.IsEmpty()
}

// singleAllOf returns the one schema of an allOf wrapper, or nil.
func singleAllOf(s *openapi3.Schema) *openapi3.Schema {
	if len(s.AllOf) != 1 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.AllOf[0] == nil || s.AllOf[0].Value == nil {
		return nil
	}
	if !onlyAnnotations(s) {
		return nil
	}
	return s.AllOf[0].Value
}

// nullUnion returns the non-null member of `anyOf`/`oneOf: [X, {type: null}]`
// when X has a type to add null to, or nil.
func nullUnion(s *openapi3.Schema) *openapi3.Schema {
	list := s.AnyOf
	if len(list) == 0 {
		list = s.OneOf
	}
	if len(list) != 2 || (len(s.AnyOf) > 0 && len(s.OneOf) > 0) || len(s.AllOf) > 0 || !onlyAnnotations(s) {
		return nil
	}
	for i, r := range list {
		if r == nil || r.Value == nil || !isNullOnly(r.Value) {
			continue
		}
		other := list[1-i]
		if other == nil || other.Value == nil || other.Value.Type == nil || len(*other.Value.Type) == 0 {
			return nil
		}
		return other.Value
	}
	return nil
}

// isNullOnly reports whether s is `type: 'null'` and annotations.
func isNullOnly(s *openapi3.Schema) bool {
	if s.Type == nil || len(*s.Type) != 1 || (*s.Type)[0] != openapi3.TypeNull {
		return false
	}
	cp := *s
	cp.Type = nil
	return onlyAnnotations(&cp)
}

// withAnnotations returns a copy of inner carrying the wrapper's
// annotations where it has its own.
func withAnnotations(inner, wrapper *openapi3.Schema) *openapi3.Schema {
	cp := *inner
	if wrapper.Description != "" {
		cp.Description = wrapper.Description
	}
	if wrapper.Title != "" {
		cp.Title = wrapper.Title
	}
	if len(wrapper.Examples) > 0 {
		cp.Examples = wrapper.Examples
	}
	if wrapper.Example != nil {
		cp.Example = wrapper.Example
	}
	cp.Deprecated = cp.Deprecated || wrapper.Deprecated
	cp.ReadOnly = cp.ReadOnly || wrapper.ReadOnly
	cp.WriteOnly = cp.WriteOnly || wrapper.WriteOnly
	return &cp
}

// withNull returns a copy of other (with the wrapper's annotations) that
// also accepts null.
func withNull(other, wrapper *openapi3.Schema) *openapi3.Schema {
	cp := withAnnotations(other, wrapper)
	types := slices.Clone(*cp.Type)
	if !slices.Contains(types, openapi3.TypeNull) {
		types = append(types, openapi3.TypeNull)
	}
	t := openapi3.Types(types)
	cp.Type = &t
	return cp
}
