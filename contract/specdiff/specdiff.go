// Package specdiff lists the changes between two versions of the "Retrieve a
// Call" OpenAPI document that matter to a client reading the response of
// GET /Accounts/{AccountSid}/Calls/{Sid}: its documented statuses and their
// bodies, with every $ref followed.
//
// The comparison is github.com/oasdiff/oasdiff's: its diff of the two
// documents and the response rules of its checker. Breaking is judged from
// the reader's side. A change is breaking when a body that conforms to the
// new document can surprise code written against the old one: a property
// removed or no longer required, a type widened or changed, a format changed
// or dropped, an enum value added, null newly allowed, an enum constraint
// dropped. Narrowing what may arrive (a new required property, an enum value
// removed, null no longer allowed, a new format or enum constraint) is not
// breaking. oasdiff's response rules mostly judge that way already; the few
// that do not get another level here (see levelOverrides), and oasdiff's
// levels map to severities: error is breaking, warning is info, anything
// lower non-breaking. A documented status that disappears is info, and so is
// an object closed with additionalProperties or unevaluatedProperties false,
// which oasdiff has no rule for and a small check of our own reports.
//
// Only the one operation is compared. It is found by its path, with the
// parameter names blanked (so a renamed parameter or a base path moved from
// the server URL into the path still finds it), or else by its operationId,
// and each document is cut down to it before oasdiff sees them. Each status
// is compared on its own, so every change carries the status it concerns.
package specdiff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Severity grades a change for a client that reads the response.
type Severity string

// The severities.
const (
	SeverityBreaking    Severity = "breaking"
	SeverityNonBreaking Severity = "non-breaking"
	SeverityInfo        Severity = "info"
)

// Change kinds.
const (
	KindOperationRemoved = "operation-removed"
	KindStatusAdded      = "status-added"
	KindStatusRemoved    = "status-removed"
	KindBodyAdded        = "body-added"
	KindBodyRemoved      = "body-removed"
	KindPropertyAdded    = "property-added"
	KindPropertyRemoved  = "property-removed"
	KindRequiredAdded    = "required-added"
	KindRequiredRemoved  = "required-removed"
	KindTypeChanged      = "type-changed"
	KindNullAdded        = "null-added"
	KindNullRemoved      = "null-removed"
	KindFormatAdded      = "format-added"
	KindFormatRemoved    = "format-removed"
	KindFormatChanged    = "format-changed"
	KindEnumAdded        = "enum-added"
	KindEnumRemoved      = "enum-removed"
	KindEnumValueAdded   = "enum-value-added"
	KindEnumValueRemoved = "enum-value-removed"
	KindObjectClosed     = "object-closed"
	KindObjectOpened     = "object-opened"
)

// Operation names one operation of the Compatibility API and how to find it
// in a document.
type Operation struct {
	// Name is what people call it, e.g. "Retrieve a Call".
	Name string
	// Path is its path template as the pinned document writes it.
	Path string
	// Suffix is the path template with its parameter names blanked, so a
	// renamed parameter or a base path moved from the server URL into the
	// path still finds it.
	Suffix string
	// IDs are the operationIds it is found by when no path matches;
	// SignalWire's documents have spelled them in more than one way.
	IDs []string
}

// The operations callwire reads.
var (
	RetrieveCall = Operation{Name: "Retrieve a Call", Path: "/Accounts/{AccountSid}/Calls/{Sid}",
		Suffix: "/Accounts/{}/Calls/{}", IDs: []string{"retrieve-a-call", "retrieve_a_call"}}
	ListCalls = Operation{Name: "List Calls", Path: "/Accounts/{AccountSid}/Calls",
		Suffix: "/Accounts/{}/Calls", IDs: []string{"list-all-calls", "list_all_calls"}}
)

// Change is one difference between the two documents.
type Change struct {
	// Kind names the change, e.g. "enum-value-added": one of the Kind
	// constants, or for a change they do not cover the oasdiff rule that
	// found it, e.g. "response-property-max-length-increased".
	Kind string `json:"kind"`
	// Pointer is the response status, a space and an RFC 6901 JSON Pointer
	// into the body ("200 /direction"); the status alone for the whole body
	// or the status itself; empty for the operation. For a change whose Kind
	// is a rule id, it points at the first property the finding names that
	// the body declares, or is the status alone (the Message names what
	// changed). "*" stands for any array index or any undeclared property
	// name.
	Pointer string `json:"pointer"`
	// Old and New say what the documents say, e.g. "integer" and "string".
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Severity is breaking, non-breaking or info.
	Severity Severity `json:"severity"`
	// Message is a sentence for people.
	Message string `json:"message"`
	// Rule is the oasdiff checker rule that found the change, e.g.
	// "response-property-enum-value-added"; empty for a closed or opened
	// object, which is specdiff's own check.
	Rule string `json:"rule,omitempty"`
}

// Report lists the changes: the operation first, then by status, pointer
// and kind.
type Report struct {
	Changes []Change `json:"changes"`
}

// Breaking reports whether any change is breaking.
func (r *Report) Breaking() bool {
	for _, c := range r.Changes {
		if c.Severity == SeverityBreaking {
			return true
		}
	}
	return false
}

// Count returns how many changes have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, c := range r.Changes {
		if c.Severity == s {
			n++
		}
	}
	return n
}

// WriteText writes one line per change and a summary line.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Severity, c.Kind, pointerText(c.Pointer), c.Message)
	}
	if len(r.Changes) == 0 {
		fmt.Fprintln(tw, "no changes to the Retrieve a Call response")
	} else {
		fmt.Fprintf(tw, "%d changes: %d breaking, %d non-breaking, %d info\n", len(r.Changes),
			r.Count(SeverityBreaking), r.Count(SeverityNonBreaking), r.Count(SeverityInfo))
	}
	return tw.Flush()
}

func pointerText(p string) string {
	if p == "" {
		return "(operation)"
	}
	return p
}

// WriteJSON writes the report as one indented JSON document with a
// "breaking" flag and the changes.
func (r *Report) WriteJSON(w io.Writer) error {
	changes := r.Changes
	if changes == nil {
		changes = []Change{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Breaking bool     `json:"breaking"`
		Changes  []Change `json:"changes"`
	}{r.Breaking(), changes})
}

// Run diffs the documents at oldPath and newPath and writes the report to
// stdout as format "text" (or "") or "json". It returns exit code 1 when a
// change is breaking and 0 otherwise; on an error it returns 2 and the error,
// and writes nothing. A document that cannot be read or compared comes back
// as a *DocumentError naming its file.
func Run(oldPath, newPath, format string, stdout io.Writer) (int, error) {
	if err := checkFormat(format); err != nil {
		return 2, err
	}
	oldSpec, err := readSpec(oldPath)
	if err != nil {
		return 2, err
	}
	newSpec, err := readSpec(newPath)
	if err != nil {
		return 2, err
	}
	return RunBytes(oldPath, oldSpec, newPath, newSpec, format, stdout)
}

func checkFormat(format string) error {
	_, err := writerFor(format)
	return err
}

// writerFor returns the writer of a report format.
func writerFor(format string) (func(*Report, io.Writer) error, error) {
	switch format {
	case "", "text":
		return (*Report).WriteText, nil
	case "json":
		return (*Report).WriteJSON, nil
	case FormatColorText:
		return (*Report).WriteColorText, nil
	case "html":
		return (*Report).WriteHTML, nil
	case "markdown":
		return (*Report).WriteMarkdown, nil
	}
	return nil, fmt.Errorf("specdiff: unknown format %q (want text, json, html or markdown)", format)
}

// RunBytes is Run on documents already read, named oldName and newName in
// errors (at most MaxSpecSize bytes each, as Load checks).
func RunBytes(oldName string, oldSpec []byte, newName string, newSpec []byte, format string, stdout io.Writer) (int, error) {
	write, err := writerFor(format)
	if err != nil {
		return 2, err
	}
	rep, err := compare(oldName, oldSpec, newName, newSpec)
	if err != nil {
		return 2, err
	}
	if err := write(rep, stdout); err != nil {
		return 2, fmt.Errorf("specdiff: write report: %w", err)
	}
	if rep.Breaking() {
		return 1, nil
	}
	return 0, nil
}

// Diff compares the "Retrieve a Call" response of two OpenAPI 3 documents.
// It fails with a *DocumentError when either document cannot be parsed or
// the old one does not document the operation; the operation missing from
// the new one is a breaking change.
func Diff(oldSpec, newSpec []byte) (*Report, error) {
	return compare("old document", oldSpec, "new document", newSpec)
}

func compare(oldName string, oldSpec []byte, newName string, newSpec []byte) (*Report, error) {
	oldDoc, err := Load(oldName, oldSpec)
	if err != nil {
		return nil, err
	}
	newDoc, err := Load(newName, newSpec)
	if err != nil {
		return nil, err
	}
	return Compare(RetrieveCall, oldDoc, newDoc)
}

// Compare lists the changes to op's responses between two loaded
// documents. It fails with a *DocumentError when the old document does not
// document op; op missing from the new one is a breaking change.
func Compare(op Operation, oldD, newD *Document) (*Report, error) {
	oldDoc, newDoc, oldName, newName := oldD.doc, newD.doc, oldD.name, newD.name
	path, oldOp := findOperation(oldDoc, op)
	if oldOp == nil {
		return nil, &DocumentError{Name: oldName, Problem: fmt.Sprintf(
			"does not document GET %s (operationId %s), so there is nothing to compare", op.Path, strings.Join(op.IDs, " or "))}
	}
	_, newOp := findOperation(newDoc, op)
	unwrapResponses(oldOp)
	unwrapResponses(newOp)

	c := &comparison{op: op, rules: newRuleSet(), localizer: checker.NewDefaultLocalizer(), oldName: oldName, newName: newName}
	var changes []Change
	var err error
	if newOp == nil {
		changes, err = c.run("", nil, only(oldDoc, path, oldOp), only(newDoc, path, nil))
		if err != nil {
			return nil, err
		}
		return &Report{Changes: changes}, nil
	}
	for _, status := range statuses(oldOp, newOp) {
		before, after := objects(jsonSchema(oldOp, status)), objects(jsonSchema(newOp, status))
		declared := maps.Clone(before)
		maps.Copy(declared, after)
		found, err := c.run(status, declared, only(oldDoc, path, withStatus(oldOp, status)), only(newDoc, path, withStatus(newOp, status)))
		if err != nil {
			return nil, err
		}
		changes = append(changes, dropShadowed(found, closedChanges(status, before, after))...)
	}
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Pointer, b.Pointer), cmp.Compare(a.Kind, b.Kind))
	})
	return &Report{Changes: changes}, nil
}

// comparison runs oasdiff on documents cut down to the operation.
type comparison struct {
	op               Operation
	rules            *ruleSet
	localizer        checker.Localizer
	oldName, newName string
}

// run diffs two cut-down documents and converts the findings of the kept
// rules; status is the one response both documents were cut down to, and
// declared the pointers its bodies declare.
func (c *comparison) run(status string, declared map[string]bool, oldDoc, newDoc *openapi3.T) ([]Change, error) {
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(),
		&load.SpecInfo{Url: c.oldName, Spec: oldDoc}, &load.SpecInfo{Url: c.newName, Spec: newDoc})
	if err != nil {
		return nil, fmt.Errorf("specdiff: compare %s with %s: %w", c.oldName, c.newName, err)
	}
	var out []Change
	for _, f := range checker.CheckBackwardCompatibilityUntilLevel(c.rules.config, d, sources, checker.INFO) {
		if c.rules.kept[f.GetId()] {
			ch := convert(f, status, declared, c.localizer)
			if ch.Kind == KindOperationRemoved {
				ch.Old = "GET " + c.op.Suffix
			}
			out = append(out, ch)
		}
	}
	return out, nil
}

// dropShadowed appends the closed-object changes to oasdiff's and drops
// oasdiff's unevaluatedProperties finding where the object check reports
// the same object closed or opened, so one change is listed once.
func dropShadowed(found, objects []Change) []Change {
	at := map[string]bool{}
	for _, o := range objects {
		at[o.Pointer] = true
	}
	out := slices.DeleteFunc(found, func(c Change) bool {
		switch c.Rule {
		case checker.ResponseBodyUnevaluatedPropertiesAddedId, checker.ResponseBodyUnevaluatedPropertiesRemovedId,
			checker.ResponsePropertyUnevaluatedPropertiesAddedId, checker.ResponsePropertyUnevaluatedPropertiesRemovedId:
			return at[c.Pointer]
		}
		return false
	})
	return append(out, objects...)
}

// findOperation returns the operation op and its path, or nil when the
// document has none. The path match wins over the
// operationId; paths are tried in sorted order, so the answer does not
// depend on map order.
func findOperation(doc *openapi3.T, op Operation) (string, *openapi3.Operation) {
	if doc.Paths == nil {
		return "", nil
	}
	items := doc.Paths.Map()
	byIDPath := ""
	var byID *openapi3.Operation
	for _, p := range slices.Sorted(maps.Keys(items)) {
		get := items[p].Get
		if get == nil {
			continue
		}
		if strings.HasSuffix(blankParams(p), op.Suffix) {
			return p, get
		}
		if slices.Contains(op.IDs, get.OperationID) && byID == nil {
			byIDPath, byID = p, get
		}
	}
	return byIDPath, byID
}

// blankParams turns "/Accounts/{AccountSid}" into "/Accounts/{}".
func blankParams(path string) string {
	var b strings.Builder
	in := false
	for _, r := range path {
		switch {
		case r == '{':
			in = true
			b.WriteRune(r)
		case r == '}':
			in = false
			b.WriteRune(r)
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// only returns a shallow copy of doc whose paths hold op alone, as GET at
// path (both documents use the old one's path, so a moved path compares as
// the same operation), and no webhooks; with op nil, no paths at all.
func only(doc *openapi3.T, path string, op *openapi3.Operation) *openapi3.T {
	cut := *doc
	cut.Webhooks = nil
	if op == nil {
		cut.Paths = openapi3.NewPaths()
		return &cut
	}
	cut.Paths = openapi3.NewPaths(openapi3.WithPath(path, &openapi3.PathItem{Get: op}))
	return &cut
}

// withStatus returns a shallow copy of op that documents the one response
// status, or none when op does not document it.
func withStatus(op *openapi3.Operation, status string) *openapi3.Operation {
	cut := *op
	cut.Responses = openapi3.NewResponsesWithCapacity(1)
	if r := response(op, status); r != nil {
		cut.Responses.Set(status, r)
	}
	return &cut
}

func response(op *openapi3.Operation, status string) *openapi3.ResponseRef {
	if op.Responses == nil {
		return nil
	}
	return op.Responses.Value(status)
}

// statuses lists the response statuses either operation documents, sorted.
func statuses(oldOp, newOp *openapi3.Operation) []string {
	set := map[string]bool{}
	for _, op := range []*openapi3.Operation{oldOp, newOp} {
		if op.Responses != nil {
			for s := range op.Responses.Map() {
				set[s] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// jsonSchema returns the application/json (or +json) body schema of a
// response, or nil.
func jsonSchema(op *openapi3.Operation, status string) *openapi3.SchemaRef {
	r := response(op, status)
	if r == nil || r.Value == nil {
		return nil
	}
	for _, key := range slices.Sorted(maps.Keys(r.Value.Content)) {
		mt := strings.TrimSpace(strings.SplitN(key, ";", 2)[0])
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			return r.Value.Content[key].Schema
		}
	}
	return nil
}
