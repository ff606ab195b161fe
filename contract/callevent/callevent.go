// Package callevent holds callwire.call.event.v1, the JSON Schema of the
// detail of the "Call Retrieved" events callwire publishes on EventBridge,
// and validates documents against it. The schema refers to callwire.call.v1
// (package callv1) for the call itself. Like callv1 it is tooling: the
// publish function produces the shape but never validates it at run time.
package callevent

import (
	_ "embed" // for Schema
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pb33f/jsonschema/v6"

	"github.com/callwire/callwire/contract/callv1"
)

// Name is the schema's name, the value of the detail's "schema" member.
const Name = "callwire.call.event.v1"

// SchemaID is the $id of Schema.
const SchemaID = "https://callwire.dev/schemas/callwire.call.event.v1.json"

// Schema is the JSON Schema (draft 2020-12) of the event detail.
//
//go:embed callwire.call.event.v1.schema.json
var Schema []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return callv1.Compile("callevent", SchemaID, map[string][]byte{callv1.SchemaID: callv1.Schema, SchemaID: Schema})
})

// Validate checks doc, an event detail, against Schema with format
// assertions on, and then what a schema cannot say: event_id is call_sid +
// "/" + status, and a present call has that SID and status. The error lists
// each failing instance location with the reason.
func Validate(doc []byte) error {
	if err := callv1.Check(compiled, doc, "callevent: detail", Name); err != nil {
		return err
	}
	var d struct {
		EventID string `json:"event_id"`
		CallSID string `json:"call_sid"`
		Status  string `json:"status"`
		Call    *struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		} `json:"call"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("callevent: decode detail: %w", err)
	}
	var problems []string
	if d.EventID != d.CallSID+"/"+d.Status {
		problems = append(problems, "/event_id: is not call_sid/status")
	}
	if d.Call != nil && !strings.EqualFold(d.Call.SID, d.CallSID) {
		problems = append(problems, "/call/sid: differs from call_sid")
	}
	if d.Call != nil && d.Call.Status != d.Status {
		problems = append(problems, "/call/status: differs from status")
	}
	if len(problems) > 0 {
		return fmt.Errorf("callevent: detail violates %s: %s", Name, strings.Join(problems, "; "))
	}
	return nil
}
