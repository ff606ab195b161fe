package contract

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
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
	RuleBodyTooDeep        = "body.too-deep"
	RuleDuplicateKey       = "body.duplicate-key"
	RuleHeaderRepeated     = "header.repeated"
	RuleTruncated          = "findings.truncated"
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
	// PointerFindings is the pointer of the findings.truncated finding.
	PointerFindings = "findings"
)

// MaxFindings bounds the findings of one exchange. When an exchange has more,
// the most severe MaxFindings-1 are kept (errors, then warnings, then info,
// each in pointer order) and a findings.truncated warning says how many were
// left out; Result.Conformant still accounts for all of them.
const MaxFindings = 100

// Finding is one way in which an exchange departs from the contract.
type Finding struct {
	// Rule names the check, e.g. "schema.required" or "semantic.date-format".
	Rule string `json:"rule"`
	// Severity is error, warning or info.
	Severity Severity `json:"severity"`
	// Pointer is an RFC 6901 JSON Pointer into the body ("/direction"), or
	// "status", "header:<Name>" or "request" for the rest of the exchange, or
	// "findings" for findings.truncated. A pointer built from the body's own
	// member names is cut at 256 bytes and then ends in "…".
	Pointer string `json:"pointer"`
	// Expected says what the contract wants, e.g. "integer" or "one of inbound, outbound".
	Expected string `json:"expected"`
	// Actual says what was found, e.g. "string"; it never holds credentials.
	Actual string `json:"actual"`
	// Message is a sentence for people.
	Message string `json:"message"`
	// Fingerprint identifies the finding across runs and calls: it hashes rule,
	// pointer and expected, never values or SIDs. For schema.undeclared and
	// body.duplicate-key it also hashes the whole sorted set of names the
	// finding is about, so a new name changes it.
	Fingerprint string `json:"fingerprint"`
}

// Fingerprint returns the stable identity of a finding with this rule, pointer and expectation.
func Fingerprint(rule, pointer, expected string) string {
	return hex.EncodeToString(fingerprintHash(rule, pointer, expected).Sum(nil)[:8])
}

// fingerprintHash is the hash both fingerprints start from.
func fingerprintHash(rule, pointer, expected string) hash.Hash {
	h := sha256.New()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(pointer))
	h.Write([]byte{0})
	h.Write([]byte(expected))
	return h
}

// FingerprintNames is the fingerprint of a schema.undeclared or
// body.duplicate-key finding: Fingerprint's, over rule, pointer and
// expected, that also covers every name the finding is about (names sorted,
// each once), so a new name changes it.
func FingerprintNames(rule, pointer, expected string, names []string) string {
	h := fingerprintHash(rule, pointer, expected)
	var n [binary.MaxVarintLen64]byte
	for _, name := range names {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(name)))])
		h.Write([]byte(name))
	}
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
	// Findings are sorted by pointer, then rule; there are at most
	// MaxFindings, the last one findings.truncated when some were left out.
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
