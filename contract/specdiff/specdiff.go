// Package specdiff lists the changes between two versions of the "Retrieve a
// Call" OpenAPI document that matter to a client reading the response of
// GET /Accounts/{AccountSid}/Calls/{Sid}: its documented statuses and their
// JSON body schemas, with every $ref followed.
//
// Breaking is judged from the reader's side. A change is breaking when a body
// that conforms to the new document can surprise code written against the old
// one: a property removed or no longer required, a type or format changed, an
// enum value added, null newly allowed, an enum constraint dropped. Narrowing
// what may arrive (a new required property, an enum value removed, null no
// longer allowed, a new format or enum constraint) is not breaking. Closing an
// object with additionalProperties or unevaluatedProperties false is listed as
// info, as is a documented status that disappears.
//
// The documents are walked with github.com/pb33f/libopenapi, which the module
// already uses for validation, instead of adding github.com/oasdiff/oasdiff
// (and kin-openapi with it) or using libopenapi's what-changed package.
// what-changed judges compatibility from the provider's side, as if every
// schema were a request: its default rules call a newly required property and
// a removed enum value breaking and an added enum value not, the opposite of
// what a response reader needs. oasdiff does have response-side checks that
// mostly match this view (response-property-enum-value-added,
// response-property-became-optional), but their levels have moved between
// releases and its findings would still have to be mapped to Change and its
// pointers. The walk below covers one operation's response schemas in a few
// hundred lines, with the rules stated here.
package specdiff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
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

// operationSuffix is the path template of "Retrieve a Call" with its
// parameter names blanked, so a renamed parameter or a base path moved from
// the server URL into the path still finds it.
const operationSuffix = "/Accounts/{}/Calls/{}"

// operationID is the fallback way to find the operation.
const operationID = "retrieve-a-call"

// maxDepth bounds the schema walk, so a recursive schema ends.
const maxDepth = 32

// Change is one difference between the two documents.
type Change struct {
	// Kind names the change, e.g. "enum-value-added".
	Kind string `json:"kind"`
	// Pointer is the response status, a space and an RFC 6901 JSON Pointer
	// into the body ("200 /direction"); the status alone for the whole body
	// or the status itself; empty for the operation. "*" stands for any array
	// index or any undeclared property name.
	Pointer string `json:"pointer"`
	// Old and New say what the documents say, e.g. "integer" and "string".
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Severity is breaking, non-breaking or info.
	Severity Severity `json:"severity"`
	// Message is a sentence for people.
	Message string `json:"message"`
}

// Report lists the changes, in document order: statuses as the old document
// lists them, then the new ones; within a body, properties likewise.
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

// MaxSpecSize bounds a document read by Run.
const MaxSpecSize = 8 << 20

// Run diffs the documents at oldPath and newPath and writes the report to
// stdout as format "text" (or "") or "json". It returns exit code 1 when a
// change is breaking and 0 otherwise; on an error it returns 2 and the error,
// and writes nothing.
func Run(oldPath, newPath, format string, stdout io.Writer) (int, error) {
	write := (*Report).WriteText
	switch format {
	case "", "text":
	case "json":
		write = (*Report).WriteJSON
	default:
		return 2, fmt.Errorf("specdiff: unknown format %q (want text or json)", format)
	}
	oldSpec, err := readSpec(oldPath)
	if err != nil {
		return 2, err
	}
	newSpec, err := readSpec(newPath)
	if err != nil {
		return 2, err
	}
	rep, err := Diff(oldSpec, newSpec)
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

func readSpec(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("specdiff: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecSize+1))
	if err != nil {
		return nil, fmt.Errorf("specdiff: read %s: %w", path, err)
	}
	if len(data) > MaxSpecSize {
		return nil, fmt.Errorf("specdiff: %s is larger than %d bytes", path, MaxSpecSize)
	}
	return data, nil
}

// Diff compares the "Retrieve a Call" response of two OpenAPI 3 documents.
// It fails when either document cannot be parsed or the old one does not
// document the operation; the operation missing from the new one is a
// breaking change.
func Diff(oldSpec, newSpec []byte) (*Report, error) {
	oldOp, err := findOperation("old", oldSpec)
	if err != nil {
		return nil, err
	}
	if oldOp == nil {
		return nil, errors.New("specdiff: old document has no GET " + operationSuffix)
	}
	newOp, err := findOperation("new", newSpec)
	if err != nil {
		return nil, err
	}
	d := &differ{}
	if newOp == nil {
		d.add(KindOperationRemoved, "", "GET "+operationSuffix, "", SeverityBreaking,
			"the operation is no longer documented")
		return &Report{Changes: d.changes}, nil
	}
	d.responses(oldOp, newOp)
	return &Report{Changes: d.changes}, nil
}

// findOperation parses a document and returns its "Retrieve a Call"
// operation, or nil when it has none.
func findOperation(name string, spec []byte) (*v3.Operation, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("specdiff: parse %s document: %w", name, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("specdiff: build %s document: %w", name, err)
	}
	if model == nil || model.Model.Paths == nil || model.Model.Paths.PathItems == nil {
		return nil, nil
	}
	var byID *v3.Operation
	for p := model.Model.Paths.PathItems.First(); p != nil; p = p.Next() {
		get := p.Value().Get
		if get == nil {
			continue
		}
		if strings.HasSuffix(blankParams(p.Key()), operationSuffix) {
			return get, nil
		}
		if get.OperationId == operationID && byID == nil {
			byID = get
		}
	}
	return byID, nil
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

type differ struct {
	changes []Change
}

func (d *differ) add(kind, pointer, oldVal, newVal string, sev Severity, msg string) {
	d.changes = append(d.changes, Change{Kind: kind, Pointer: pointer, Old: oldVal, New: newVal, Severity: sev, Message: msg})
}

func (d *differ) responses(oldOp, newOp *v3.Operation) {
	oldCodes, newCodes := codes(oldOp), codes(newOp)
	for _, code := range keys(oldCodes) {
		newResp, ok := newCodes.Get(code)
		if !ok {
			d.add(KindStatusRemoved, code, code, "", SeverityInfo,
				fmt.Sprintf("status %s is no longer documented; a reader that handles it keeps working", code))
			continue
		}
		oldResp, _ := oldCodes.Get(code)
		d.body(code, jsonSchema(oldResp), jsonSchema(newResp))
	}
	for _, code := range keys(newCodes) {
		if _, ok := oldCodes.Get(code); !ok {
			d.add(KindStatusAdded, code, "", code, SeverityNonBreaking,
				fmt.Sprintf("status %s is newly documented", code))
		}
	}
}

func codes(op *v3.Operation) *orderedmap.Map[string, *v3.Response] {
	if op.Responses == nil || op.Responses.Codes == nil {
		return orderedmap.New[string, *v3.Response]()
	}
	return op.Responses.Codes
}

func keys[V any](m *orderedmap.Map[string, V]) []string {
	var out []string
	if m == nil {
		return out
	}
	for p := m.First(); p != nil; p = p.Next() {
		out = append(out, p.Key())
	}
	return out
}

// jsonSchema returns the application/json body schema of a response, or nil.
func jsonSchema(r *v3.Response) *base.SchemaProxy {
	if r == nil || r.Content == nil {
		return nil
	}
	for p := r.Content.First(); p != nil; p = p.Next() {
		mt := strings.TrimSpace(strings.SplitN(p.Key(), ";", 2)[0])
		if mt == "application/json" || strings.HasSuffix(mt, "+json") {
			if p.Value().Schema == nil {
				return nil
			}
			return p.Value().Schema
		}
	}
	return nil
}

func (d *differ) body(code string, oldSP, newSP *base.SchemaProxy) {
	switch {
	case oldSP == nil && newSP == nil:
		return
	case oldSP == nil:
		d.add(KindBodyAdded, code, "", "application/json", SeverityNonBreaking,
			fmt.Sprintf("status %s newly documents a JSON body", code))
		return
	case newSP == nil:
		d.add(KindBodyRemoved, code, "application/json", "", SeverityBreaking,
			fmt.Sprintf("status %s no longer documents a JSON body", code))
		return
	}
	d.schema(code, "", flatten(resolve(oldSP), 0), flatten(resolve(newSP), 0), 0)
}

// resolve returns the schema behind a proxy, $refs followed. A $ref with
// sibling keywords (3.1) comes back as allOf [siblings, target], which
// flatten merges.
func resolve(sp *base.SchemaProxy) *base.Schema {
	if sp == nil {
		return nil
	}
	if sp.IsTransformedRefWithSiblings() {
		if s, err := sp.BuildTransformedRefSemanticSchema(nil); err == nil && s != nil {
			return s
		}
	}
	return sp.Schema()
}

// view is what a schema allows, flattened over allOf, oneOf and anyOf.
type view struct {
	// typed says whether the schema constrains the type at all (type,
	// nullable, enum or const); types lists the non-null types it allows.
	typed    bool
	types    []string
	nullable bool
	format   string
	// enum lists the allowed non-null values, JSON-encoded; hasEnum says
	// whether there is an enum constraint at all.
	enum     []string
	hasEnum  bool
	props    []string
	prop     map[string]*view
	required map[string]bool
	closed   bool
	items    *view
	extra    *view // additionalProperties as a schema
}

func flatten(s *base.Schema, depth int) *view {
	v := &view{prop: map[string]*view{}, required: map[string]bool{}}
	if s == nil || depth > maxDepth {
		return v
	}
	v.typed = len(s.Type) > 0 || s.Nullable != nil || s.Enum != nil || s.Const != nil
	for _, t := range s.Type {
		if t == "null" {
			v.nullable = true
			continue
		}
		v.types = appendUnique(v.types, t)
	}
	if s.Nullable != nil && *s.Nullable {
		v.nullable = true
	}
	v.format = s.Format
	if s.Enum != nil {
		v.hasEnum = true
		for _, n := range s.Enum {
			var val any
			if err := n.Decode(&val); err != nil {
				continue
			}
			if val == nil {
				v.nullable = true
				continue
			}
			v.enum = appendUnique(v.enum, encode(val))
		}
	}
	if s.Const != nil {
		var val any
		if err := s.Const.Decode(&val); err == nil {
			if val == nil {
				v.nullable = true
			} else {
				v.hasEnum = true
				v.enum = appendUnique(v.enum, encode(val))
			}
		}
	}
	if s.Properties != nil {
		for p := s.Properties.First(); p != nil; p = p.Next() {
			v.addProp(p.Key(), flatten(resolve(p.Value()), depth+1))
		}
	}
	for _, r := range s.Required {
		v.required[r] = true
	}
	if s.AdditionalProperties != nil {
		if s.AdditionalProperties.IsB() && !s.AdditionalProperties.B {
			v.closed = true
		} else if s.AdditionalProperties.IsA() {
			if a := resolve(s.AdditionalProperties.A); a != nil {
				if isFalseSchema(a) {
					v.closed = true
				} else {
					v.extra = flatten(a, depth+1)
				}
			}
		}
	}
	if s.UnevaluatedProperties != nil {
		if s.UnevaluatedProperties.IsB() && !s.UnevaluatedProperties.B {
			v.closed = true
		} else if s.UnevaluatedProperties.IsA() && isFalseSchema(resolve(s.UnevaluatedProperties.A)) {
			v.closed = true
		}
	}
	if s.Items != nil && s.Items.IsA() {
		v.items = flatten(resolve(s.Items.A), depth+1)
	}
	for _, sp := range s.AllOf {
		v.mergeAll(flatten(resolve(sp), depth+1))
	}
	var alts []*view
	for _, sp := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		alts = append(alts, flatten(resolve(sp), depth+1))
	}
	if len(alts) > 0 {
		v.mergeAll(union(alts))
	}
	return v
}

// isFalseSchema reports whether a schema matches nothing: `not: {}`.
func isFalseSchema(s *base.Schema) bool {
	if s == nil || s.Not == nil {
		return false
	}
	n := resolve(s.Not)
	return n != nil && len(n.Type) == 0 && n.Properties == nil && n.Enum == nil && n.Const == nil &&
		len(n.AllOf)+len(n.OneOf)+len(n.AnyOf) == 0 && n.Not == nil && n.Format == ""
}

func (v *view) addProp(name string, p *view) {
	if old, ok := v.prop[name]; ok {
		old.mergeAll(p)
		return
	}
	v.props = append(v.props, name)
	v.prop[name] = p
}

// mergeAll folds in a schema that must also hold (allOf): its constraints add up.
func (v *view) mergeAll(o *view) {
	switch {
	case !o.typed:
	case !v.typed:
		v.typed, v.types, v.nullable = true, o.types, o.nullable
	default:
		if len(v.types) == 0 {
			v.types = o.types
		} else if len(o.types) > 0 {
			v.types = intersect(v.types, o.types)
		}
		v.nullable = v.nullable && o.nullable
	}
	if v.format == "" {
		v.format = o.format
	}
	if o.hasEnum {
		if v.hasEnum {
			v.enum = intersect(v.enum, o.enum)
		} else {
			v.hasEnum, v.enum = true, o.enum
		}
	}
	for _, name := range o.props {
		v.addProp(name, o.prop[name])
	}
	for r := range o.required {
		v.required[r] = true
	}
	v.closed = v.closed || o.closed
	if v.items == nil {
		v.items = o.items
	}
	if v.extra == nil {
		v.extra = o.extra
	}
}

// union combines alternatives (oneOf, anyOf): what any of them allows.
func union(alts []*view) *view {
	u := &view{prop: map[string]*view{}, required: map[string]bool{}, typed: true, hasEnum: true}
	first, valued := true, false
	for _, a := range alts {
		if !a.typed {
			u.typed = false // an alternative that allows any type
		}
		u.nullable = u.nullable || a.nullable
		if a.typed && len(a.types) == 0 && !a.hasEnum && a.nullable {
			continue // a null-only alternative adds null and nothing else
		}
		valued = true
		for _, t := range a.types {
			u.types = appendUnique(u.types, t)
		}
		if a.hasEnum {
			for _, e := range a.enum {
				u.enum = appendUnique(u.enum, e)
			}
		} else {
			u.hasEnum = false
		}
		if u.format == "" {
			u.format = a.format
		}
		for _, name := range a.props {
			u.addProp(name, a.prop[name])
		}
		// Required in the union: required by every alternative.
		if first {
			for r := range a.required {
				u.required[r] = true
			}
			first = false
		} else {
			for r := range u.required {
				if !a.required[r] {
					delete(u.required, r)
				}
			}
		}
		if u.items == nil {
			u.items = a.items
		}
	}
	if !u.typed {
		u.types, u.nullable = nil, false
	}
	if !valued || !u.hasEnum {
		u.hasEnum, u.enum = false, nil
	}
	return u
}

func (d *differ) schema(code, ptr string, o, n *view, depth int) {
	if depth > maxDepth {
		return
	}
	at := code
	if ptr != "" {
		at = code + " " + ptr
	}
	name := ptr
	if name == "" {
		name = "the body"
	}

	// Types: a type the reader has not seen is breaking; fewer types is not.
	added, removed := typeDiff(o, n)
	if len(added) > 0 || len(removed) > 0 {
		sev := SeverityNonBreaking
		msg := fmt.Sprintf("%s narrows its type to %s", name, typeText(n))
		if len(added) > 0 {
			sev = SeverityBreaking
			msg = fmt.Sprintf("%s changes type from %s to %s", name, typeText(o), typeText(n))
		}
		d.add(KindTypeChanged, at, typeText(o), typeText(n), sev, msg)
	}
	// A schema without a type constraint allows null already.
	oldNull, newNull := !o.typed || o.nullable, !n.typed || n.nullable
	switch {
	case !oldNull && newNull && n.typed:
		d.add(KindNullAdded, at, "not null", "null allowed", SeverityBreaking, name+" may now be null")
	case oldNull && !newNull && o.typed:
		d.add(KindNullRemoved, at, "null allowed", "not null", SeverityNonBreaking, name+" may no longer be null")
	}
	switch {
	case o.format == n.format:
	case o.format == "":
		d.add(KindFormatAdded, at, "", n.format, SeverityNonBreaking, fmt.Sprintf("%s gains format %s", name, n.format))
	case n.format == "":
		d.add(KindFormatRemoved, at, o.format, "", SeverityBreaking, fmt.Sprintf("%s loses format %s", name, o.format))
	default:
		d.add(KindFormatChanged, at, o.format, n.format, SeverityBreaking,
			fmt.Sprintf("%s changes format from %s to %s", name, o.format, n.format))
	}
	d.enum(at, name, o, n)
	d.object(code, ptr, at, name, o, n, depth)
	if o.items != nil && n.items != nil {
		d.schema(code, ptr+"/*", o.items, n.items, depth+1)
	}
}

func (d *differ) enum(at, name string, o, n *view) {
	switch {
	case !o.hasEnum && !n.hasEnum:
		return
	case !o.hasEnum:
		d.add(KindEnumAdded, at, "", strings.Join(n.enum, ", "), SeverityNonBreaking,
			fmt.Sprintf("%s is now limited to %s", name, strings.Join(n.enum, ", ")))
		return
	case !n.hasEnum:
		d.add(KindEnumRemoved, at, strings.Join(o.enum, ", "), "", SeverityBreaking,
			fmt.Sprintf("%s is no longer limited to %s", name, strings.Join(o.enum, ", ")))
		return
	}
	for _, e := range n.enum {
		if !slices.Contains(o.enum, e) {
			d.add(KindEnumValueAdded, at, "", e, SeverityBreaking, fmt.Sprintf("%s may now be %s", name, e))
		}
	}
	for _, e := range o.enum {
		if !slices.Contains(n.enum, e) {
			d.add(KindEnumValueRemoved, at, e, "", SeverityNonBreaking, fmt.Sprintf("%s is no longer %s", name, e))
		}
	}
}

func (d *differ) object(code, ptr, at, name string, o, n *view, depth int) {
	switch {
	case !o.closed && n.closed:
		d.add(KindObjectClosed, at, "open", "closed", SeverityInfo,
			name+" no longer allows undeclared properties")
	case o.closed && !n.closed:
		d.add(KindObjectOpened, at, "closed", "open", SeverityNonBreaking,
			name+" now allows undeclared properties")
	}
	for _, p := range o.props {
		pp := ptr + "/" + escape(p)
		np, ok := n.prop[p]
		if !ok {
			d.add(KindPropertyRemoved, code+" "+pp, "declared", "", SeverityBreaking, pp+" is no longer declared")
			continue
		}
		if o.required[p] && !n.required[p] {
			d.add(KindRequiredRemoved, code+" "+pp, "required", "optional", SeverityBreaking,
				pp+" is no longer required and may be missing")
		}
		if !o.required[p] && n.required[p] {
			d.add(KindRequiredAdded, code+" "+pp, "optional", "required", SeverityNonBreaking, pp+" is now required")
		}
		d.schema(code, pp, o.prop[p], np, depth+1)
	}
	for _, p := range n.props {
		if _, ok := o.prop[p]; ok {
			continue
		}
		pp := ptr + "/" + escape(p)
		req := "optional"
		if n.required[p] {
			req = "required"
		}
		d.add(KindPropertyAdded, code+" "+pp, "", req, SeverityNonBreaking, fmt.Sprintf("%s is a new %s property", pp, req))
	}
	// Required names without a property schema.
	for _, r := range sortedKeys(o.required) {
		if _, declared := o.prop[r]; declared || n.required[r] {
			continue
		}
		if _, declared := n.prop[r]; declared {
			continue
		}
		pp := ptr + "/" + escape(r)
		d.add(KindRequiredRemoved, code+" "+pp, "required", "optional", SeverityBreaking,
			pp+" is no longer required and may be missing")
	}
	if o.extra != nil && n.extra != nil {
		d.schema(code, ptr+"/*", o.extra, n.extra, depth+1)
	}
}

// typeDiff lists the types new allows that old did not, and the types old
// allowed that new does not, leaving null aside; an integer is a number, so
// number -> integer only removes.
func typeDiff(o, n *view) (added, removed []string) {
	switch {
	case !o.typed && !n.typed:
		return nil, nil
	case !n.typed:
		return []string{"any"}, nil
	case !o.typed:
		return nil, []string{"any"}
	}
	for _, t := range n.types {
		if !slices.Contains(o.types, t) && !(t == "integer" && slices.Contains(o.types, "number")) {
			added = append(added, t)
		}
	}
	for _, t := range o.types {
		if !slices.Contains(n.types, t) {
			removed = append(removed, t)
		}
	}
	return added, removed
}

// typeText names the non-null types a view allows.
func typeText(v *view) string {
	switch {
	case !v.typed:
		return "any"
	case len(v.types) == 0:
		return "null"
	}
	s := slices.Clone(v.types)
	sort.Strings(s)
	return strings.Join(s, " or ")
}

func encode(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
