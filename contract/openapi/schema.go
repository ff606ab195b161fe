package openapi

import (
	"errors"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"

	"github.com/callwire/callwire/contract"
)

// referenceSchema is a response schema compiled by libopenapi-validator,
// evaluated by its JSON Schema library: the reference the embedded evaluator
// of package contract is compared with.
type referenceSchema struct {
	s *jsonschema.Schema
}

// Evaluate validates v with the library and translates its error tree.
func (r referenceSchema) Evaluate(v any) *contract.SchemaError {
	err := r.s.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := errors.AsType[*jsonschema.ValidationError](err)
	if !ok {
		return &contract.SchemaError{Keyword: "invalid"}
	}
	return translate(ve)
}

// translate maps the library's error tree onto contract.SchemaError, node for node.
func translate(ve *jsonschema.ValidationError) *contract.SchemaError {
	e := &contract.SchemaError{Location: ve.InstanceLocation}
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		e.Keyword, e.Missing = "required", k.Missing
	case *kind.Type:
		e.Keyword, e.Got = "type", k.Got
		for _, w := range k.Want {
			e.Want = append(e.Want, w)
		}
	case *kind.Enum:
		e.Keyword, e.Want, e.Got = "enum", k.Want, k.Got
	case *kind.Const:
		e.Keyword, e.Want, e.Got = "const", []any{k.Want}, k.Got
	case *kind.Format:
		e.Keyword, e.Want, e.Got = "format", []any{k.Want}, k.Got
	case *kind.Group, *kind.Schema:
	default:
		if kw := ve.ErrorKind.KeywordPath(); len(kw) > 0 {
			e.Keyword = kw[0]
		}
	}
	for _, c := range ve.Causes {
		e.Causes = append(e.Causes, translate(c))
	}
	return e
}
