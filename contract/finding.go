package contract

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// Severity grades a finding. A response is conformant when it has no SeverityError finding.
type Severity string

// The severities, from worst to mildest.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rank orders severities: error 3, warning 2, info 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Rule names, as they appear in findings and reports.
const (
	RuleRequired           = "schema.required"
	RuleType               = "schema.type"
	RuleEnum               = "schema.enum"
	RuleFormat             = "schema.format"
	RuleUndeclared         = "schema.undeclared"
	RuleStatusUndocumented = "status.undocumented"
	RuleContentType        = "content-type"
	RuleBodyEmpty          = "body.empty"
	RuleBodyInvalidJSON    = "body.invalid-json"
	RuleOperation          = "operation.unknown"
	RuleDateFormat         = "semantic.date-format"
	RuleAliasMismatch      = "semantic.alias-mismatch"
	RuleAlwaysNull         = "semantic.always-null"
	RuleTimeOrder          = "semantic.time-order"
	RuleIdentity           = "semantic.identity"
	RuleErrorStatus        = "semantic.error-status"
)

// Pointers that do not point into the body.
const (
	PointerStatus      = "status"
	PointerContentType = "header:Content-Type"
	PointerRequest     = "request"
)

// Finding is one way in which an exchange departs from the contract.
type Finding struct {
	// Rule names the check, e.g. "schema.required" or "semantic.date-format".
	Rule string `json:"rule"`
	// Severity is error, warning or info.
	Severity Severity `json:"severity"`
	// Pointer is an RFC 6901 JSON Pointer into the body ("/direction"), or
	// "status", "header:Content-Type" or "request" for the rest of the exchange.
	Pointer string `json:"pointer"`
	// Expected says what the contract wants, e.g. "integer" or "one of inbound, outbound".
	Expected string `json:"expected"`
	// Actual says what was found, e.g. "string"; it never holds credentials.
	Actual string `json:"actual"`
	// Message is a sentence for people.
	Message string `json:"message"`
	// Fingerprint identifies the finding across runs and calls: it hashes rule,
	// pointer and expected, never values or SIDs.
	Fingerprint string `json:"fingerprint"`
}

// Fingerprint returns the stable identity of a finding with this rule, pointer and expectation.
func Fingerprint(rule, pointer, expected string) string {
	h := sha256.New()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(pointer))
	h.Write([]byte{0})
	h.Write([]byte(expected))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Exchange is one HTTP request and its response, as checked against the contract.
type Exchange struct {
	Method string
	URL    string
	Status int
	Header http.Header
	Body   []byte
}

// Result is the outcome of checking one exchange.
type Result struct {
	// Operation is the operationId the request resolved to, or "" when none did.
	Operation string `json:"operation"`
	// Conformant is true when no finding has severity error.
	Conformant bool `json:"conformant"`
	// Findings are sorted by pointer, then rule.
	Findings []Finding `json:"findings"`
}

// Errors counts the error-level findings.
func (r Result) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}
