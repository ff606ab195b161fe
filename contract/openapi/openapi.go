// Package openapi reads OpenAPI documents with github.com/pb33f/libopenapi and
// libopenapi-validator and turns them into contract's compiled form. It is
// the build-time half of package contract: the generator that writes
// contract/compiled.json, the tests that keep that file fresh and equivalent,
// and tools that need the library's own view use it; the Lambda functions
// link only package contract.
package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/callwire/callwire/contract"
)

// options are the validation options contract's checks are defined with.
func options() []config.Option { return []config.Option{config.WithFormatAssertions()} }

// NewRaw builds the unwrapped libopenapi-validator for spec, with format
// assertions on: the library's own view, gaps included.
func NewRaw(spec []byte) (validator.Validator, error) {
	raw, _, _, err := build(spec, nil)
	return raw, err
}

func build(spec []byte, schemas cache.SchemaCache) (validator.Validator, *v3.Document, float32, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("openapi: parse spec: %w", err)
	}
	opts := options()
	if schemas != nil {
		opts = append(opts, config.WithSchemaCache(schemas))
	}
	raw, errs := validator.NewValidator(doc, opts...)
	if len(errs) > 0 {
		return nil, nil, 0, fmt.Errorf("openapi: build validator: %w", errors.Join(errs...))
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, nil, 0, fmt.Errorf("openapi: build model: %w", err)
	}
	return raw, &model.Model, helpers.VersionToFloat(model.Model.Version), nil
}

// NewValidator builds a contract.Validator for spec whose response schemas
// are the ones libopenapi-validator compiled itself, taken from its schema
// cache: the reference the precompiled path is compared with.
func NewValidator(spec []byte) (*contract.Validator, error) {
	schemas := cache.NewDefaultCache()
	_, m, version, err := build(spec, schemas)
	if err != nil {
		return nil, err
	}
	cs, err := compile(m, func(s *base.Schema, cr *contract.CompiledResponse) error {
		key := schema_validation.SchemaCacheKey(s.GoLow().Hash(), version, schema_validation.SchemaValidationPurposeResponseBody)
		entry, ok := schemas.Load(key)
		if !ok || entry.CompiledSchema == nil {
			return errors.New("no compiled schema in the validator's cache")
		}
		cr.Compiled = referenceSchema{entry.CompiledSchema}
		var buf bytes.Buffer
		if err := json.Compact(&buf, entry.RenderedJSON); err != nil {
			return fmt.Errorf("rendered schema: %w", err)
		}
		cr.Schema = buf.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return contract.NewFromCompiled(cs)
}

// Compile renders spec into contract's compiled form: the operation index
// and each JSON response schema rendered by libopenapi-validator for
// response validation, with $refs inlined.
func Compile(spec []byte) (contract.CompiledSpec, error) {
	_, m, version, err := build(spec, nil)
	if err != nil {
		return contract.CompiledSpec{}, err
	}
	vo := config.NewValidationOptions(options()...)
	cs, err := compile(m, func(s *base.Schema, cr *contract.CompiledResponse) error {
		c, err := schema_validation.CompileSchemaForValidation(s, schema_validation.SchemaValidationPurposeResponseBody, vo, version)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, c.RenderedJSON); err != nil {
			return fmt.Errorf("rendered schema: %w", err)
		}
		cr.Schema = buf.Bytes()
		return nil
	})
	if err != nil {
		return contract.CompiledSpec{}, err
	}
	sum := sha256.Sum256(spec)
	cs.SpecSHA256 = hex.EncodeToString(sum[:])
	return cs, nil
}

// Render returns Compile's result as the bytes of contract/compiled.json:
// indented JSON ending in a newline.
func Render(spec []byte) ([]byte, error) {
	cs, err := Compile(spec)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: render: %w", err)
	}
	return append(b, '\n'), nil
}

// compile indexes the document's operations; schema fills in each JSON
// response schema.
func compile(m *v3.Document, schema func(*base.Schema, *contract.CompiledResponse) error) (contract.CompiledSpec, error) {
	var cs contract.CompiledSpec
	if m.Paths == nil || m.Paths.PathItems == nil {
		return cs, errors.New("openapi: spec has no paths")
	}
	basePath := ""
	if len(m.Servers) > 0 {
		if u, err := url.Parse(m.Servers[0].URL); err == nil {
			basePath = strings.TrimSuffix(u.Path, "/")
		}
	}
	for p := m.Paths.PathItems.First(); p != nil; p = p.Next() {
		for mp := p.Value().GetOperations().First(); mp != nil; mp = mp.Next() {
			op := contract.CompiledOperation{
				ID:     mp.Value().OperationId,
				Method: strings.ToUpper(mp.Key()),
				Path:   basePath + p.Key(),
			}
			for _, prm := range mp.Value().Parameters {
				if prm.In != "path" || prm.Schema == nil {
					continue
				}
				op.Params = append(op.Params, contract.CompiledParam{Name: prm.Name, Format: prm.Schema.Schema().Format})
			}
			if mp.Value().Responses != nil && mp.Value().Responses.Codes != nil {
				for c := mp.Value().Responses.Codes.First(); c != nil; c = c.Next() {
					code, err := strconv.Atoi(c.Key())
					if err != nil {
						continue // ranges such as 4XX are not used by this document
					}
					r := contract.CompiledResponse{Status: code}
					if c.Value().Content != nil {
						for ct := c.Value().Content.First(); ct != nil; ct = ct.Next() {
							r.MediaTypes = append(r.MediaTypes, ct.Key())
							if ct.Key() != "application/json" || ct.Value().Schema == nil {
								continue
							}
							s := ct.Value().Schema.Schema()
							if err := schema(s, &r); err != nil {
								return cs, fmt.Errorf("openapi: %s %s response %d: %w", op.Method, p.Key(), code, err)
							}
						}
					}
					op.Responses = append(op.Responses, r)
				}
			}
			cs.Operations = append(cs.Operations, op)
		}
	}
	return cs, nil
}
