package contract

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
)

// SpecName is the file name of the pinned OpenAPI document.
const SpecName = "retrieve-a-call.openapi.yaml"

// Spec is the pinned OpenAPI document for "Retrieve a Call", byte for byte as published.
//
//go:embed retrieve-a-call.openapi.yaml
var Spec []byte

// SpecSHA256 is the hex SHA-256 of Spec, so reports can say which document they checked against.
var SpecSHA256 = func() string {
	sum := sha256.Sum256(Spec)
	return hex.EncodeToString(sum[:])
}()

// SpecInfo names an OpenAPI document and its hex SHA-256.
type SpecInfo struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}
