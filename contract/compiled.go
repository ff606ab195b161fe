package contract

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/openapi_vocabulary"
)

//go:generate go run ./openapi/cmd/gencompiled

// CompiledName is the file name of the precompiled form of Spec.
const CompiledName = "compiled.json"

// compiledJSON is Spec's operation index and response schemas as rendered by
// contract/openapi; TestCompiledFresh fails when it is stale.
//
//go:embed compiled.json
var compiledJSON []byte

// CompiledSpec is the precompiled form of an OpenAPI document: what Check
// needs of each operation, with response schemas rendered to JSON Schema
// with every $ref inlined.
type CompiledSpec struct {
	// SpecSHA256 is the hex SHA-256 of the document it was rendered from.
	SpecSHA256 string              `json:"spec_sha256"`
	Operations []CompiledOperation `json:"operations"`
}

// CompiledOperation is one documented operation.
type CompiledOperation struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	// Path is the path template including the server's base path, such as
	// "/api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}".
	Path      string             `json:"path"`
	Params    []CompiledParam    `json:"params,omitempty"`
	Responses []CompiledResponse `json:"responses"`
}

// CompiledParam is a path parameter and its declared format.
type CompiledParam struct {
	Name   string `json:"name"`
	Format string `json:"format,omitempty"`
}

// CompiledResponse is one documented status.
type CompiledResponse struct {
	Status     int      `json:"status"`
	MediaTypes []string `json:"media_types,omitempty"`
	// Schema is the application/json schema, rendered inline; empty when
	// the response declares none.
	Schema json.RawMessage `json:"schema,omitempty"`
	// Properties are the properties Schema declares, recursively, for the
	// undeclared-property check.
	Properties Properties `json:"properties,omitempty"`
	// Compiled, when set, is used instead of compiling Schema.
	Compiled *jsonschema.Schema `json:"-"`
}

// Properties maps each declared property of an object schema to the
// properties it declares in turn (nil when it declares none).
type Properties map[string]Properties

func (p Properties) tree() *propTree {
	if len(p) == 0 {
		return nil
	}
	t := &propTree{declared: make(map[string]*propTree, len(p))}
	for k, sub := range p {
		t.declared[k] = sub.tree()
	}
	return t
}

// embeddedCompiled decodes compiled.json.
func embeddedCompiled() (CompiledSpec, error) {
	var cs CompiledSpec
	if err := json.Unmarshal(compiledJSON, &cs); err != nil {
		return CompiledSpec{}, fmt.Errorf("contract: %s: %w", CompiledName, err)
	}
	return cs, nil
}

// compileSchema compiles a rendered response schema the way
// libopenapi-validator compiles an OpenAPI 3.1 schema with format
// assertions: the OpenAPI vocabulary asserted, formats asserted, and the
// OpenAPI registry's int32 and int64 formats added.
func compileSchema(name string, schema []byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range openAPIFormats {
		c.RegisterFormat(f)
	}
	c.RegisterVocabulary(openapi_vocabulary.NewOpenAPIVocabularyWithCoercion(openapi_vocabulary.Version31, false))
	c.AssertVocabs()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(name, doc); err != nil {
		return nil, err
	}
	return c.Compile(name)
}

// openAPIFormats are the integer formats of the OpenAPI format registry,
// which JSON Schema does not define, as libopenapi-validator registers them.
var openAPIFormats = []*jsonschema.Format{
	{Name: "int32", Validate: integerFormat(math.MinInt32, math.MaxInt32)},
	{Name: "int64", Validate: integerFormat(math.MinInt64, math.MaxInt64)},
}

// integerFormat requires numbers to be whole and within the bounds; values
// of other types are left to the rest of the schema.
func integerFormat(minimum, maximum int64) func(any) error {
	return func(v any) error {
		var valid bool
		switch n := v.(type) {
		case int64:
			valid = n >= minimum && n <= maximum
		case float64:
			valid = wholeNumberInRange(n, minimum, maximum)
		case json.Number:
			i, err := n.Int64()
			if err == nil {
				valid = i >= minimum && i <= maximum
			} else if !errors.Is(err, strconv.ErrRange) {
				f, ferr := n.Float64()
				valid = ferr == nil && wholeNumberInRange(f, minimum, maximum)
			}
		default:
			return nil
		}
		if !valid {
			return fmt.Errorf("must be a whole number from %d to %d", minimum, maximum)
		}
		return nil
	}
}

func wholeNumberInRange(f float64, minimum, maximum int64) bool {
	return f == math.Trunc(f) && f >= float64(minimum) && f < float64(maximum)+1
}
