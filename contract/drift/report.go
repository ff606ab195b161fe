// Package drift builds the drift report: the outcome of checking live
// SignalWire exchanges against the pinned contract, aggregated by finding
// fingerprint. It does no I/O.
//
// The report is meant to be logged, stored and alarmed on, so it holds no
// value taken from a response body: no Finding.Actual, no Finding.Message,
// only rules, pointers, the contract's expectations and call SIDs.
package drift

import (
	"slices"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
)

// Probe rule and expectation: the not-found probe asks for a random SID, and
// anything but a conformant 404 is drift.
const (
	// RuleProbeStatus is the finding added when the not-found probe is not
	// answered with 404.
	RuleProbeStatus = "probe.not-found-status"
	probeExpected   = "404 for an unknown Call SID"
)

// Report is the drift report of one run.
type Report struct {
	// Spec names the OpenAPI document the exchanges were checked against.
	Spec contract.SpecInfo `json:"spec"`
	// StartedAt and FinishedAt bound the run, in UTC.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Partial is true when the run stopped before checking every SID it
	// meant to, because its time ran out.
	Partial bool `json:"partial"`
	// Checked counts the exchanges checked, the probe included.
	Checked int `json:"checked"`
	// NonConformant counts the checked exchanges with an error finding.
	NonConformant int `json:"non_conformant"`
	// Calls holds one entry per checked exchange, in the order added.
	Calls []CallResult `json:"calls"`
	// Findings aggregates the findings of every call by fingerprint, worst
	// severity first, then most frequent first.
	Findings []Aggregate `json:"findings"`
}

// CallResult is the outcome of checking one exchange.
type CallResult struct {
	SID        string `json:"sid"`
	Status     int    `json:"status"`
	Conformant bool   `json:"conformant"`
	Errors     int    `json:"errors"`
	Warnings   int    `json:"warnings"`
	// Probe marks the not-found probe: a random SID that must get a 404.
	Probe bool `json:"probe,omitempty"`
	// Fingerprints lists the call's findings, so they can be joined with Findings.
	Fingerprints []string `json:"fingerprints"`
}

// Aggregate is one kind of finding (one fingerprint) across the run.
type Aggregate struct {
	Fingerprint string            `json:"fingerprint"`
	Rule        string            `json:"rule"`
	Pointer     string            `json:"pointer"`
	Severity    contract.Severity `json:"severity"`
	Expected    string            `json:"expected"`
	// Count is how many times the finding occurred.
	Count int `json:"count"`
	// ExampleSID is the first call that had the finding.
	ExampleSID string `json:"example_sid"`
}

// New returns an empty report against spec, started at startedAt.
func New(spec contract.SpecInfo, startedAt time.Time) *Report {
	return &Report{
		Spec:      spec,
		StartedAt: startedAt.UTC(),
		Calls:     []CallResult{},
		Findings:  []Aggregate{},
	}
}

// Add records the result of checking the exchange of call sid, answered with
// HTTP status.
func (r *Report) Add(sid string, status int, res contract.Result) {
	r.add(sid, status, res, false)
}

// AddProbe records the not-found probe: the exchange of a random, unknown
// sid. A status other than 404 adds an error finding (RuleProbeStatus), so
// the probe is conformant only when it got a conformant 404.
func (r *Report) AddProbe(sid string, status int, res contract.Result) {
	if status != 404 {
		f := contract.Finding{
			Rule:     RuleProbeStatus,
			Severity: contract.SeverityError,
			Pointer:  contract.PointerStatus,
			Expected: probeExpected,
		}
		f.Fingerprint = contract.Fingerprint(f.Rule, f.Pointer, f.Expected)
		res.Findings = append(slices.Clone(res.Findings), f)
		res.Conformant = false
	}
	r.add(sid, status, res, true)
}

func (r *Report) add(sid string, status int, res contract.Result, probe bool) {
	c := CallResult{SID: sid, Status: status, Conformant: res.Conformant, Probe: probe, Fingerprints: []string{}}
	for _, f := range res.Findings {
		switch f.Severity {
		case contract.SeverityError:
			c.Errors++
		case contract.SeverityWarning:
			c.Warnings++
		}
		c.Fingerprints = append(c.Fingerprints, f.Fingerprint)
		r.count(sid, f)
	}
	r.Calls = append(r.Calls, c)
	r.Checked++
	if !res.Conformant {
		r.NonConformant++
	}
	slices.SortStableFunc(r.Findings, func(a, b Aggregate) int {
		if d := b.Severity.Rank() - a.Severity.Rank(); d != 0 {
			return d
		}
		if d := b.Count - a.Count; d != 0 {
			return d
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
}

// count adds one occurrence of f, seen in call sid, to its aggregate.
func (r *Report) count(sid string, f contract.Finding) {
	for i := range r.Findings {
		if r.Findings[i].Fingerprint == f.Fingerprint {
			r.Findings[i].Count++
			return
		}
	}
	r.Findings = append(r.Findings, Aggregate{
		Fingerprint: f.Fingerprint,
		Rule:        f.Rule,
		Pointer:     f.Pointer,
		Severity:    f.Severity,
		Expected:    f.Expected,
		Count:       1,
		ExampleSID:  sid,
	})
}

// Finish marks the report as finished at t.
func (r *Report) Finish(t time.Time) {
	r.FinishedAt = t.UTC()
}

// BySeverity returns how many findings of each severity the run had, with an
// entry (possibly 0) for error, warning and info.
func (r *Report) BySeverity() map[contract.Severity]int {
	n := map[contract.Severity]int{
		contract.SeverityError:   0,
		contract.SeverityWarning: 0,
		contract.SeverityInfo:    0,
	}
	for _, a := range r.Findings {
		n[a.Severity] += a.Count
	}
	return n
}
