// Package specevent holds callwire.spec.changed.v1, the JSON Schema of the
// detail of the "Spec Changed" events the spec watch publishes on
// EventBridge, and checks details against it. The spec watch checks every
// detail before it sends it; it already links the JSON Schema library used
// here, through kin-openapi.
package specevent

import (
	"bytes"
	_ "embed" // for Schema
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Name is the schema's name, the value of the detail's "schema" member.
const Name = "callwire.spec.changed.v1"

// SchemaID is the $id of Schema.
const SchemaID = "https://callwire.dev/schemas/callwire.spec.changed.v1.json"

// DetailType is the EventBridge detail-type of the event.
const DetailType = "Spec Changed"

// MaxChanges is the most changes one detail lists.
const MaxChanges = 100

// Schema is the JSON Schema (draft 2020-12) of the event detail.
//
//go:embed callwire.spec.changed.v1.schema.json
var Schema []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, fmt.Errorf("specevent: parse schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("specevent: load schema: %w", err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		return nil, fmt.Errorf("specevent: compile schema: %w", err)
	}
	return sch, nil
})

// Validate checks doc, an event detail, against Schema, and then what the
// schema cannot say: the counts add up to at least the changes listed, and
// the changes are sorted breaking first. The error lists each failing
// instance location with the reason.
func Validate(doc []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("specevent: detail is not JSON: %w", err)
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return fmt.Errorf("specevent: validate detail: %w", err)
		}
		return fmt.Errorf("specevent: detail violates %s: %s", Name, describe(ve))
	}
	m := v.(map[string]any)
	changes := m["changes"].([]any)
	total := 0
	for _, k := range []string{"breaking", "non_breaking", "info"} {
		total += number(m[k])
	}
	var problems []string
	if total != len(changes)+number(m["changes_omitted"]) {
		problems = append(problems, "/: breaking + non_breaking + info is not the changes listed plus changes_omitted")
	}
	rank := map[string]int{"breaking": 0, "non-breaking": 1, "info": 2}
	for i := 1; i < len(changes); i++ {
		if rank[changes[i-1].(map[string]any)["severity"].(string)] > rank[changes[i].(map[string]any)["severity"].(string)] {
			problems = append(problems, fmt.Sprintf("/changes/%d: out of order (breaking first, then non-breaking, then info)", i))
			break
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("specevent: detail violates %s: %s", Name, strings.Join(problems, "; "))
	}
	return nil
}

// number returns an integer member the schema has checked.
func number(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	if s, ok := v.(fmt.Stringer); ok {
		var i int
		_, _ = fmt.Sscan(s.String(), &i)
		return i
	}
	return 0
}

// describe lists the leaf failures of ve as "<instance location>: <reason>".
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
