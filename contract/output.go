package contract

import (
	"bytes"
	_ "embed" // for OutputSchema
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pb33f/jsonschema/v6"
)

// OutputSchemaID is the $id of OutputSchema.
const OutputSchemaID = "https://callwire.dev/schemas/callwire.call.v1.json"

// OutputSchema is the JSON Schema (draft 2020-12) of callwire's own response,
// the callwire.call.v1 shape of a normalized call.
//
//go:embed callwire.call.v1.schema.json
var OutputSchema []byte

// compiledOutputSchema compiles OutputSchema once; the compiled schema is
// immutable and safe for concurrent use.
var compiledOutputSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(OutputSchema))
	if err != nil {
		return nil, fmt.Errorf("contract: parse output schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(OutputSchemaID, doc); err != nil {
		return nil, fmt.Errorf("contract: load output schema: %w", err)
	}
	sch, err := c.Compile(OutputSchemaID)
	if err != nil {
		return nil, fmt.Errorf("contract: compile output schema: %w", err)
	}
	return sch, nil
})

// ValidateOutput checks doc, a callwire.call.v1 document, against
// OutputSchema with format assertions on. The error lists each failing
// instance location (a JSON pointer) with the reason, for example
// `contract: output violates callwire.call.v1: /direction: value must be one of ...`.
func ValidateOutput(doc []byte) error {
	sch, err := compiledOutputSchema()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("contract: output is not JSON: %w", err)
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := errors.AsType[*jsonschema.ValidationError](err)
	if !ok {
		return fmt.Errorf("contract: validate output: %w", err)
	}
	return fmt.Errorf("contract: output violates callwire.call.v1: %s", describe(ve))
}

// describe lists the leaf failures of ve as "<instance location>: <reason>",
// one per distinct pair, in the validator's order.
func describe(ve *jsonschema.ValidationError) string {
	var parts []string
	seen := map[string]bool{}
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		loc := u.InstanceLocation
		if loc == "" {
			loc = "/"
		}
		p := loc + ": " + u.Error.String()
		if !seen[p] {
			seen[p] = true
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ve.Error()
	}
	return strings.Join(parts, "; ")
}
