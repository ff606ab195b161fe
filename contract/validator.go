// Package contract checks SignalWire "Retrieve a Call" exchanges against the
// pinned OpenAPI document and reports where they depart from it.
//
// The response schemas are rendered by github.com/pb33f/libopenapi-validator
// (in contract/openapi, at generate time) and embedded precompiled in
// compiled.json. This package evaluates them with a small evaluator of its own
// (eval.go) that implements exactly the keywords the rendered schemas use and
// refuses any other, so a Lambda cold start neither parses the OpenAPI
// document nor pays a JSON Schema library's start-up; contract/openapi tests
// that it reports exactly what libopenapi-validator's own compiled schemas
// report, on every recording, on systematic mutations and under fuzzing.
// This package also closes the library's gaps (an empty body passes, a missing
// root property is named only in prose, messages embed the concrete URL) and
// adds semantic checks the schema cannot express. Every departure is a Finding
// with a rule, a severity, an RFC 6901 pointer and a stable fingerprint.
package contract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validator checks exchanges against the pinned document. Build it once with
// New and share it: it is safe for concurrent use.
type Validator struct {
	operations []*operation
}

// operation is one documented operation, with its path template split into segments.
type operation struct {
	id        string
	method    string
	segments  []string // literal segments, or "" for a parameter
	params    []param
	responses map[int]*response
}

type param struct {
	name   string
	index  int // segment index
	format string
}

// response is one documented status: its media types and, for JSON, the compiled schema.
type response struct {
	mediaTypes []string
	schema     Schema
	props      *propTree
}

// propTree lists the declared properties of an object schema, recursively.
type propTree struct {
	declared map[string]*propTree
}

// New builds the validator from the precompiled form of the embedded spec
// (compiled.json, generated from Spec by contract/openapi), so a cold start
// does not parse the OpenAPI document.
func New() (*Validator, error) {
	cs, err := embeddedCompiled()
	if err != nil {
		return nil, err
	}
	if cs.SpecSHA256 != SpecSHA256 {
		return nil, fmt.Errorf("contract: %s was rendered from another spec; run go generate ./contract", CompiledName)
	}
	return NewFromCompiled(cs)
}

// NewFromCompiled builds a validator from a compiled document. A response
// whose Compiled schema is set uses it as is; otherwise its Schema is compiled
// by CompileSchema.
func NewFromCompiled(cs CompiledSpec) (*Validator, error) {
	v := &Validator{}
	for _, co := range cs.Operations {
		op := &operation{id: co.ID, method: strings.ToUpper(co.Method), responses: map[int]*response{}}
		for i, seg := range strings.Split(strings.Trim(co.Path, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				op.segments = append(op.segments, "")
				op.params = append(op.params, param{name: seg[1 : len(seg)-1], index: i})
				continue
			}
			op.segments = append(op.segments, seg)
		}
		for _, cp := range co.Params {
			for i := range op.params {
				if op.params[i].name == cp.Name {
					op.params[i].format = cp.Format
				}
			}
		}
		for _, cr := range co.Responses {
			r := &response{mediaTypes: cr.MediaTypes, schema: cr.Compiled, props: cr.Properties.tree()}
			if r.schema == nil && len(cr.Schema) > 0 {
				s, err := CompileSchema(cr.Schema)
				if err != nil {
					return nil, fmt.Errorf("contract: compile %s %s response %d: %w", op.method, co.Path, cr.Status, err)
				}
				r.schema = s
			}
			op.responses[cr.Status] = r
		}
		v.operations = append(v.operations, op)
	}
	if len(v.operations) == 0 {
		return nil, errors.New("contract: spec has no operations")
	}
	return v, nil
}

// match resolves method and URL to an operation and its path parameters.
func (v *Validator) match(method, rawURL string) (*operation, map[string]string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for _, op := range v.operations {
		if op.method != strings.ToUpper(method) || len(op.segments) != len(segs) {
			continue
		}
		ok := true
		for i, s := range op.segments {
			if s != "" && s != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		params := make(map[string]string, len(op.params))
		for _, p := range op.params {
			val, err := url.PathUnescape(segs[p.index])
			if err != nil {
				val = segs[p.index]
			}
			params[p.name] = val
		}
		return op, params
	}
	return nil, nil
}

// Check validates one exchange: operation, status, content type, body schema
// and the semantic rules. It never fails; problems are findings.
func (v *Validator) Check(ex Exchange) Result {
	doc, err := decodeJSON(ex.Body)
	return v.CheckDocument(ex, doc, err)
}

// CheckDocument is Check for a body its caller already decoded with
// DecodeJSON (doc, or the decoding error err), so a caller that also reads
// the body decodes it once and hands the same document to the check and to
// whatever reads it next.
func (v *Validator) CheckDocument(ex Exchange, doc any, err error) Result {
	c := checker{doc: doc, decodeErr: err}
	c.check(v, ex)
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Rule < b.Rule
	})
	res := Result{Operation: c.operation, Conformant: true, Findings: c.findings}
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	res.Conformant = res.Errors() == 0
	return res
}

type checker struct {
	operation string
	findings  []Finding
	doc       any   // the decoded body
	decodeErr error // why the body did not decode
}

func (c *checker) add(rule string, sev Severity, pointer, expected, actual, message string) {
	c.findings = append(c.findings, Finding{
		Rule:        rule,
		Severity:    sev,
		Pointer:     pointer,
		Expected:    expected,
		Actual:      actual,
		Message:     message,
		Fingerprint: Fingerprint(rule, pointer, expected),
	})
}

func (c *checker) check(v *Validator, ex Exchange) {
	op, params := v.match(ex.Method, ex.URL)
	if op == nil {
		c.add(RuleOperation, SeverityError, PointerRequest, "GET /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}",
			strings.ToUpper(ex.Method)+" "+pathOf(ex.URL), "the request does not resolve to a documented operation")
		return
	}
	c.operation = op.id
	for _, p := range op.params {
		if p.format == "uuid" && !IsUUID(params[p.name]) {
			c.add(RuleFormat, SeverityError, PointerRequest+":"+p.name, "format uuid", "not a uuid",
				fmt.Sprintf("path parameter %s is not a UUID", p.name))
		}
	}
	resp, ok := op.responses[ex.Status]
	if !ok {
		c.add(RuleStatusUndocumented, SeverityError, PointerStatus, documentedStatuses(op), strconv.Itoa(ex.Status),
			fmt.Sprintf("HTTP status %d is not documented for %s", ex.Status, op.id))
	}
	ct := ex.Header.Get("Content-Type")
	mediaType := ""
	if ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			mediaType = mt
		}
	}
	switch {
	case ok && len(resp.mediaTypes) > 0 && !contains(resp.mediaTypes, mediaType):
		c.add(RuleContentType, SeverityError, PointerContentType, strings.Join(resp.mediaTypes, ", "), describeCT(ct),
			fmt.Sprintf("Content-Type %s is not documented for status %d", describeCT(ct), ex.Status))
	case !ok && mediaType != "application/json":
		// An undocumented status still says something when it is not even JSON (an HTML error page).
		c.add(RuleContentType, SeverityError, PointerContentType, "application/json", describeCT(ct),
			fmt.Sprintf("Content-Type %s is not JSON", describeCT(ct)))
	}
	if !ok && ex.Status >= 400 && mediaType == "application/json" {
		// An undocumented error status still carries SignalWire's error body:
		// check it against the documented error schema, so its shape is reported too.
		resp, ok = op.errorResponse(), true
	}
	if !ok || resp == nil || resp.schema == nil {
		return
	}
	if len(bytes.TrimSpace(ex.Body)) == 0 {
		c.add(RuleBodyEmpty, SeverityError, "", "a JSON body", "empty",
			fmt.Sprintf("status %d declares a JSON body but the body is empty", ex.Status))
		return
	}
	doc, err := c.doc, c.decodeErr
	if err != nil {
		c.add(RuleBodyInvalidJSON, SeverityError, "", "a JSON body", "not JSON",
			"the body is not valid JSON: "+DescribeJSONError(err))
		return
	}
	if e := resp.schema.Evaluate(doc); e != nil {
		c.schemaFindings(e)
	}
	c.undeclared(doc, resp.props, "")
	obj, _ := doc.(map[string]any)
	if obj == nil {
		return
	}
	if ex.Status == http.StatusOK {
		c.semanticCall(obj, params)
	} else {
		c.semanticError(obj, ex.Status)
	}
}

// errorResponse returns the lowest documented 4xx response with a JSON schema, or nil.
func (op *operation) errorResponse() *response {
	best := 0
	for code, r := range op.responses {
		if code >= 400 && r.schema != nil && (best == 0 || code < best) {
			best = code
		}
	}
	return op.responses[best]
}

func documentedStatuses(op *operation) string {
	codes := make([]int, 0, len(op.responses))
	for code := range op.responses {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	s := make([]string, len(codes))
	for i, code := range codes {
		s[i] = strconv.Itoa(code)
	}
	return "one of " + strings.Join(s, ", ")
}

func describeCT(ct string) string {
	if ct == "" {
		return "(none)"
	}
	return Truncate(ct, 64)
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return Truncate(u.EscapedPath(), 200)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Truncate shortens s to at most n bytes for a message, cutting at a rune
// boundary and marking the cut with "…". Findings and CLI messages quote
// values through it, so no message grows with its input.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form, the
// spec's format: uuid.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
