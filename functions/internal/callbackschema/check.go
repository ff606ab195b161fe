// Package callbackschema checks a SignalWire voice status callback against
// callwire's own schema of it (voice-status-callback.schema.json, written
// from SignalWire's documentation of VoiceStatusCallbackPayload) and reports
// departures as contract findings, with the same rules, severities and
// fingerprints as the checks of Retrieve a Call responses.
//
// The callback arrives form-encoded, so every value is a string: a property
// the schema declares integer must be a decimal string, and is coerced to a
// number before the check. Severities: a missing documented property is a
// warning (early events lack the media statistics), an undeclared one is
// info, and a wrong type, value or format, or a body that does not parse, is
// an error. Only errors mean the callback broke the contract. As in the
// contract suite, undeclared fields make one finding for the callback, and a
// callback has at most contract.MaxFindings findings, the last one
// findings.truncated with the total when some were left out.
//
// Findings never carry a value of the callback: Actual names a kind of
// value ("string", "a value outside the list"), never the value itself.
//
// The package links the contract core's evaluator only; it compiles the
// schema once and is safe for concurrent use.
package callbackschema

import (
	_ "embed" // for Schema
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// Schema is the JSON Schema (draft 2020-12) of a voice status callback, in
// the subset of keywords the contract core's evaluator implements.
//
//go:embed voice-status-callback.schema.json
var Schema []byte

// Rules this package adds to the contract core's.
const (
	// RuleBodyInvalidForm: the body is not a form (nor a JSON object).
	RuleBodyInvalidForm = "body.invalid-form"
	// RuleRepeated: a documented field arrived more than once.
	RuleRepeated = "form.repeated"
	// RuleMinimum: a number below the documented minimum.
	RuleMinimum = "schema.minimum"
)

// compiled is the schema compiled once, with the declared type of each
// property for the coercion.
type compiled struct {
	schema   contract.Schema
	integers map[string]bool
	declared map[string]bool
}

var load = sync.OnceValues(func() (*compiled, error) {
	s, err := contract.CompileSchema(Schema)
	if err != nil {
		return nil, fmt.Errorf("callbackschema: %w", err)
	}
	var doc struct {
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Schema, &doc); err != nil {
		return nil, fmt.Errorf("callbackschema: %w", err)
	}
	c := &compiled{schema: s, integers: map[string]bool{}, declared: map[string]bool{}}
	for name, p := range doc.Properties {
		c.declared[name] = true
		if p.Type == "integer" {
			c.integers[name] = true
		}
	}
	return c, nil
})

// Compile compiles the embedded schema, so that a process can pay for it
// (a fraction of a millisecond) at start rather than on its first callback.
// Check calls it too.
func Compile() error {
	_, err := load()
	return err
}

// Check checks the fields of one callback, as webhook.ParseForm returned
// them, and returns its findings sorted by pointer, then rule.
func Check(fields []webhook.Field) ([]contract.Finding, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	doc := make(map[string]any, len(fields))
	var out []contract.Finding
	for _, f := range fields {
		if _, seen := doc[f.Name]; seen {
			if c.declared[f.Name] && !slices.ContainsFunc(out, func(x contract.Finding) bool { return x.Rule == RuleRepeated && x.Pointer == pointer(f.Name) }) {
				out = append(out, finding(RuleRepeated, contract.SeverityWarning, pointer(f.Name), "one value", "several values",
					pointer(f.Name)+": field sent more than once; the first value was checked"))
			}
			continue
		}
		var v any = f.Value
		if c.integers[f.Name] && contract.IsJSONNumber(f.Value) {
			v = json.Number(f.Value)
		}
		doc[f.Name] = v
	}
	if e := c.schema.Evaluate(doc); e != nil {
		out = appendSchemaFindings(out, e)
	}
	var undeclared []string
	for name := range doc {
		if !c.declared[name] {
			undeclared = append(undeclared, name)
		}
	}
	if len(undeclared) > 0 {
		out = append(out, undeclaredFinding(undeclared))
	}
	out = semantic(out, doc)
	slices.SortFunc(out, func(a, b contract.Finding) int {
		if c := strings.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return contract.CapFindings(out, 0, "a callback"), nil
}

// undeclaredFinding is the one finding for every undeclared field of a
// callback, as the contract suite reports undeclared properties: one per
// object, listing the first names, counting the rest, and fingerprinting
// them all.
func undeclaredFinding(names []string) contract.Finding {
	slices.Sort(names)
	list := contract.ListNames(names)
	what := "1 field is"
	if len(names) > 1 {
		what = strconv.Itoa(len(names)) + " fields are"
	}
	const expected = "declared property"
	return contract.Finding{
		Rule: contract.RuleUndeclared, Severity: contract.SeverityInfo, Pointer: "", Expected: expected, Actual: list,
		Message:     "body: " + what + " not documented for the voice status callback: " + list,
		Fingerprint: contract.FingerprintNames(contract.RuleUndeclared, "", expected, names),
	}
}

// MalformedBody is the finding for a callback body that does not parse.
func MalformedBody() contract.Finding {
	return finding(RuleBodyInvalidForm, contract.SeverityError, "", "application/x-www-form-urlencoded fields", "malformed",
		"body: not a well-formed form")
}

// JSONBody is the finding for a callback sent as JSON: SignalWire documents
// a JSON body for it, but sends forms; a change would be worth knowing.
func JSONBody() contract.Finding {
	return finding(contract.RuleContentType, contract.SeverityWarning, contract.PointerContentType,
		"application/x-www-form-urlencoded", "application/json", "header:Content-Type: callback sent as JSON, not as a form")
}

// Errors counts the error findings.
func Errors(fs []contract.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == contract.SeverityError {
			n++
		}
	}
	return n
}

// semantic adds what the schema cannot say: Timestamp is an RFC 2822
// date-time and SequenceNumber is not negative.
func semantic(out []contract.Finding, doc map[string]any) []contract.Finding {
	if ts, ok := doc["Timestamp"].(string); ok {
		if _, err := contract.ParseDate(ts); err != nil {
			out = append(out, finding(contract.RuleDateFormat, contract.SeverityError, "/Timestamp", "RFC 2822 date-time", "other text",
				"/Timestamp: not an RFC 2822 date-time"))
		}
	}
	if n, ok := doc["SequenceNumber"].(json.Number); ok {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil && i < 0 {
			out = append(out, finding(RuleMinimum, contract.SeverityError, "/SequenceNumber", "≥ 0", "negative",
				"/SequenceNumber: must not be negative"))
		}
	}
	return out
}

// appendSchemaFindings maps the evaluator's error tree to findings, one per
// leaf, with this package's severities.
func appendSchemaFindings(out []contract.Finding, e *contract.SchemaError) []contract.Finding {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			out = appendSchemaFindings(out, c)
		}
		return out
	}
	p := ""
	for _, s := range e.Location {
		p += pointer(s)
	}
	name := p
	if name == "" {
		name = "body"
	}
	switch e.Keyword {
	case "required":
		for _, m := range e.Missing {
			mp := p + pointer(m)
			out = append(out, finding(contract.RuleRequired, contract.SeverityWarning, mp, "present", "missing",
				mp+": documented field is missing"))
		}
	case "type":
		exp := joinAny(e.Want, " or ")
		act := fmt.Sprint(e.Got) // the value's type name, never the value
		out = append(out, finding(contract.RuleType, contract.SeverityError, p, exp, act,
			fmt.Sprintf("%s: expected %s, got %s", name, exp, act)))
	case "enum":
		exp := "one of " + joinAny(e.Want, ", ")
		out = append(out, finding(contract.RuleEnum, contract.SeverityError, p, exp, "a value outside the list",
			fmt.Sprintf("%s: expected %s", name, exp)))
	case "format":
		exp := "format " + joinAny(e.Want, ", ")
		out = append(out, finding(contract.RuleFormat, contract.SeverityError, p, exp, "a value of another format",
			fmt.Sprintf("%s: expected %s", name, exp)))
	default:
		rule := "schema." + e.Keyword
		out = append(out, finding(rule, contract.SeverityError, p, e.Keyword, "violated", name+": "+rule+" violated"))
	}
	return out
}

func finding(rule string, sev contract.Severity, ptr, expected, actual, msg string) contract.Finding {
	return contract.Finding{
		Rule: rule, Severity: sev, Pointer: ptr, Expected: expected, Actual: actual, Message: msg,
		Fingerprint: contract.Fingerprint(rule, ptr, expected),
	}
}

// pointer is the JSON Pointer of a top-level field.
func pointer(name string) string {
	return "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}

func joinAny(vs []any, sep string) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, sep)
}
