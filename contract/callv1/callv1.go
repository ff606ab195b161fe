// Package callv1 holds callwire.call.v1, the JSON Schema of callwire's own
// output (a normalized call), and validates documents against it. It is kept
// apart from package contract so that the Lambda functions, which produce the
// shape but never validate it at run time, do not link a second JSON Schema
// library.
package callv1

import (
	"bytes"
	_ "embed" // for Schema
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pb33f/jsonschema/v6"
)

// SchemaID is the $id of Schema.
const SchemaID = "https://callwire.dev/schemas/callwire.call.v1.json"

// Schema is the JSON Schema (draft 2020-12) of callwire's own response,
// the callwire.call.v1 shape of a normalized call.
//
//go:embed callwire.call.v1.schema.json
var Schema []byte

// compiled compiles Schema once; the compiled schema is
// immutable and safe for concurrent use.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return Compile("callv1", SchemaID, map[string][]byte{SchemaID: Schema})
})

// Validate checks doc, a callwire.call.v1 document, against
// Schema with format assertions on. The error lists each failing
// instance location (a JSON pointer) with the reason, for example
// `callv1: output violates callwire.call.v1: /direction: value must be one of ...`.
func Validate(doc []byte) error {
	return Check(compiled, doc, "callv1: output", "callwire.call.v1")
}

// Compile compiles the draft 2020-12 schema id, with format assertions,
// from resources (each $id with its document, id among them); errors begin
// with pkg.
func Compile(pkg, id string, resources map[string][]byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for rid, b := range resources {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: parse schema %s: %w", pkg, rid, err)
		}
		if err := c.AddResource(rid, doc); err != nil {
			return nil, fmt.Errorf("%s: load schema %s: %w", pkg, rid, err)
		}
	}
	sch, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("%s: compile schema: %w", pkg, err)
	}
	return sch, nil
}

// Check validates doc against the schema compiled returns and names it
// in its errors as subject ("<package>: <document>", such as
// "callv1: output") and schema (its name): "<subject> is not JSON", or
// "<subject> violates <schema>: " followed by each failing instance
// location with its reason.
func Check(compiled func() (*jsonschema.Schema, error), doc []byte, subject, schema string) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("%s is not JSON: %w", subject, err)
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := errors.AsType[*jsonschema.ValidationError](err)
	if !ok {
		pkg, what, _ := strings.Cut(subject, ": ")
		return fmt.Errorf("%s: validate %s: %w", pkg, what, err)
	}
	return fmt.Errorf("%s violates %s: %s", subject, schema, describe(ve))
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
