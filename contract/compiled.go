package contract

import (
	_ "embed"
	"encoding/json"
	"fmt"
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
	// the response declares none. The undeclared-property check reads the
	// properties it declares.
	Schema json.RawMessage `json:"schema,omitempty"`
	// Compiled, when set, is evaluated instead of compiling Schema.
	Compiled Schema `json:"-"`
}

// embeddedCompiled decodes compiled.json.
func embeddedCompiled() (CompiledSpec, error) {
	var cs CompiledSpec
	if err := json.Unmarshal(compiledJSON, &cs); err != nil {
		return CompiledSpec{}, fmt.Errorf("contract: %s: %w", CompiledName, err)
	}
	return cs, nil
}
