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
// by CompileSchema. The properties the undeclared-property check knows are
// read from Schema, the schema as rendered, so they are always those of the
// schema evaluated.
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
			r := &response{mediaTypes: cr.MediaTypes, schema: cr.Compiled}
			if len(cr.Schema) > 0 {
				doc, err := decodeJSON(cr.Schema)
				if err != nil {
					return nil, fmt.Errorf("contract: %s %s response %d: schema is not JSON: %w", op.method, co.Path, cr.Status, err)
				}
				if r.schema == nil {
					n, err := compileNode(doc, "#")
					if err != nil {
						return nil, fmt.Errorf("contract: compile %s %s response %d: %w", op.method, co.Path, cr.Status, err)
					}
					r.schema = n
				}
				r.props = declaredTree(doc)
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

// Match resolves a request to the documented operation it calls, and
// returns the operation's id and the request's path parameters (unescaped).
// Methods are case-sensitive (RFC 9110 section 9.1), so the method must be
// the documented one exactly; the URL's path must be the operation's path
// template exactly, server base path included, with one non-empty segment
// for each parameter: no trailing slash, no empty segment. Paths are
// compared as RFC 3986 compares URIs (section 6.2.2): a percent-encoded
// unreserved character is that character (/%43alls/ is /Calls/), while an
// encoded reserved character such as %2F stays distinct from the
// delimiter. A path whose template ends in a parameter may carry the
// ".json" suffix that Twilio-style clients request and SignalWire serves
// (/Calls/{Sid}.json): it is the same operation, and the parameter is read
// without the suffix. Scheme, host, query and fragment are not looked at.
// The formats of the parameters are not checked here (Check reports them).
func (v *Validator) Match(method, rawURL string) (id string, params map[string]string, ok bool) {
	op, params := v.match(method, rawURL)
	if op == nil {
		return "", nil, false
	}
	return op.id, params, true
}

// formatSuffix is the representation suffix a path's last parameter may
// carry (SignalWire's Compatibility API serves /Calls/{Sid}.json).
const formatSuffix = ".json"

func (v *Validator) match(method, rawURL string) (*operation, map[string]string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		return nil, nil
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = normalizePercent(s)
	}
	for _, op := range v.operations {
		if op.method != method || len(op.segments) != len(segs) {
			continue
		}
		ok := true
		for i, s := range op.segments {
			if s != "" && s != segs[i] || s == "" && segs[i] == "" {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		params := make(map[string]string, len(op.params))
		for _, p := range op.params {
			seg := segs[p.index]
			if p.index == len(segs)-1 && len(seg) > len(formatSuffix) && strings.HasSuffix(seg, formatSuffix) {
				seg = strings.TrimSuffix(seg, formatSuffix)
			}
			val, err := url.PathUnescape(seg)
			if err != nil {
				val = seg
			}
			params[p.name] = val
		}
		return op, params
	}
	return nil, nil
}

// normalizePercent applies RFC 3986's percent-encoding normalization
// (section 6.2.2.2) to a path segment: a percent-encoded unreserved
// character (ALPHA, DIGIT, "-", ".", "_", "~") is decoded, and the hex
// digits of every other percent-encoding are written in upper case
// (section 6.2.2.1).
func normalizePercent(seg string) string {
	if !strings.Contains(seg, "%") {
		return seg
	}
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		if seg[i] == '%' && i+2 < len(seg) && isHex(seg[i+1]) && isHex(seg[i+2]) {
			c := unhex(seg[i+1])<<4 | unhex(seg[i+2])
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(seg[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(seg[i])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// Check validates one exchange: operation, status, headers, body schema and
// the semantic rules. It never fails; problems are findings. It builds only
// the parts of the body its checks read, so a body with millions of
// undeclared members costs their names; CheckDecoded reports the same
// findings and also returns the whole document.
func (v *Validator) Check(ex Exchange) Result {
	res, _ := v.check(ex, true)
	return res
}

// CheckDecoded is Check that also returns the body as it decoded it (see
// DecodeJSON), or nil when it did not decode it: no JSON schema for the
// status, an empty body or one that is not JSON. Callers that read the body
// afterwards use it instead of decoding the body again.
func (v *Validator) CheckDecoded(ex Exchange) (Result, any) {
	return v.check(ex, false)
}

// check checks ex; with prune, it decodes only what the checks read (see
// decodeChecked), and returns no document.
func (v *Validator) check(ex Exchange, prune bool) (Result, any) {
	c := checker{prune: prune}
	c.check(v, ex)
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Rule < b.Rule
	})
	res := Result{Operation: c.operation, Findings: c.findings}
	res.Conformant = res.Errors() == 0
	res.Findings = CapFindings(res.Findings, c.uncounted, "an exchange")
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	return res, c.doc
}

// CapFindings keeps at most MaxFindings of the sorted findings fs, of which
// there are len(fs) + more: the most severe first, then a findings.truncated
// finding counting the others, whose message names what lists them (such
// as "an exchange").
func CapFindings(fs []Finding, more int, what string) []Finding {
	if len(fs)+more <= MaxFindings {
		return fs
	}
	// Keep whole severities, worst first, while they fit; then part of one.
	budget := MaxFindings - 1
	var count [4]int
	for _, f := range fs {
		count[f.Severity.Rank()]++
	}
	var keep [4]int
	for rank := 3; rank >= 0; rank-- {
		keep[rank] = min(count[rank], budget)
		budget -= keep[rank]
	}
	kept := make([]Finding, 0, MaxFindings)
	for _, f := range fs {
		if r := f.Severity.Rank(); keep[r] > 0 {
			keep[r]--
			kept = append(kept, f)
		}
	}
	total := len(fs) + more
	expected := fmt.Sprintf("at most %d findings", MaxFindings)
	return append(kept, Finding{
		Rule:     RuleTruncated,
		Severity: SeverityWarning,
		Pointer:  PointerFindings,
		Expected: expected,
		Actual:   fmt.Sprintf("%d findings", total),
		Message: fmt.Sprintf("%d of %d findings are left out: %s lists at most %d findings, this one included, the most severe first",
			total-len(kept), total, what, MaxFindings),
		Fingerprint: Fingerprint(RuleTruncated, PointerFindings, expected),
	})
}

type checker struct {
	operation string
	findings  []Finding
	// uncounted counts findings known to exist but not built (see
	// document.moreDuplicates).
	uncounted int
	prune     bool
	doc       any // the decoded body
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

// addNames adds a finding about a set of names in the object at pointer
// (sorted, each once): it lists the first few, and its fingerprint covers
// them all.
func (c *checker) addNames(rule string, sev Severity, pointer, expected string, names []string, what string) {
	list := ListNames(names)
	c.findings = append(c.findings, Finding{
		Rule:        rule,
		Severity:    sev,
		Pointer:     pointer,
		Expected:    expected,
		Actual:      list,
		Message:     fmt.Sprintf("%s: %s: %s", ptrName(pointer), what, list),
		Fingerprint: FingerprintNames(rule, pointer, expected, names),
	})
}

// maxListedNames is how many names a finding about a set of names lists.
const maxListedNames = 5

// ListNames lists the first names, quoted and each cut at 40 bytes, and
// counts the rest, as a finding about a set of names does: `"a", "b" and 3
// more`.
func ListNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == maxListedNames {
			fmt.Fprintf(&b, " and %d more", len(names)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(Truncate(n, 40)))
	}
	return b.String()
}

// plural returns "1 property" or "2 properties" style counts.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (c *checker) check(v *Validator, ex Exchange) {
	op, params := v.match(ex.Method, ex.URL)
	if op == nil {
		c.add(RuleOperation, SeverityError, PointerRequest, "GET /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}",
			Truncate(ex.Method, 20)+" "+pathOf(ex.URL), "the request does not resolve to a documented operation")
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
	ct, mediaType, known := contentType(c.headerFields(ex.Header))
	// notDeclaredJSON: the response does not say its body is the JSON the
	// document declares; content-type reports it, and a body that is not
	// JSON either is not reported again as a JSON body.
	notDeclaredJSON := known && mediaType != "application/json"
	switch {
	case !known:
		// Repeated with different media types: header.repeated says so,
		// and no one of them is the media type.
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
	if len(bytes.Trim(ex.Body, jsonSpace)) == 0 {
		if notDeclaredJSON {
			return
		}
		c.add(RuleBodyEmpty, SeverityError, "", "a JSON body", "empty",
			fmt.Sprintf("status %d declares a JSON body but the body is empty", ex.Status))
		return
	}
	doc, err := decodeChecked(ex.Body, resp.props, c.prune)
	if err != nil {
		if notDeclaredJSON {
			return
		}
		if _, deep := errors.AsType[*DepthError](err); deep {
			c.add(RuleBodyTooDeep, SeverityError, "", fmt.Sprintf("at most %d levels of nesting", MaxDepth), "deeper",
				fmt.Sprintf("the body is nested deeper than %d levels", MaxDepth))
			return
		}
		c.add(RuleBodyInvalidJSON, SeverityError, "", "a JSON body", "not JSON",
			"the body is not valid JSON: "+DescribeJSONError(err))
		return
	}
	if !c.prune {
		c.doc = doc.value
	}
	for _, dup := range doc.duplicates {
		c.addNames(RuleDuplicateKey, SeverityWarning, dup.pointer, "each member name once", dup.names,
			plural(len(dup.names), "member name appears", "member names appear")+
				" more than once (readers disagree on which value counts; this check reads the last)")
	}
	c.uncounted += doc.moreDuplicates
	if e := resp.schema.Evaluate(doc.value); e != nil {
		c.schemaFindings(e)
	}
	for _, u := range doc.undeclared {
		c.addNames(RuleUndeclared, SeverityInfo, u.pointer, "only declared properties", u.names,
			plural(len(u.names), "property is", "properties are")+" not declared by the document")
	}
	obj, _ := doc.value.(map[string]any)
	if obj == nil {
		return
	}
	if ex.Status == http.StatusOK {
		c.semanticCall(obj, params)
	} else {
		c.semanticError(obj, ex.Status)
	}
}

// jsonSpace is the whitespace JSON allows around values (RFC 8259 section
// 2); form feed, vertical tab and no-break space are not among it.
const jsonSpace = " \t\n\r"

// contentType returns the Content-Type of a response from the values of its
// Content-Type fields: the value to describe, its media type ("" when it has
// none or it is malformed) and whether one media type is known, which it is
// not when repeated fields disagree.
func contentType(values []string) (ct, mediaType string, known bool) {
	if len(values) == 0 {
		return "", "", true
	}
	for i, v := range values {
		mt := mediaTypeOf(v)
		if i == 0 {
			ct, mediaType = v, mt
		} else if mt != mediaType {
			return "", "", false
		}
	}
	return ct, mediaType, true
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
