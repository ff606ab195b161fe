package drift

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

const testdataDir = "../../testdata"

var (
	started = time.Date(2026, 3, 2, 14, 0, 0, 0, time.FixedZone("CET", 3600))
	spec    = contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256}
)

func finding(rule string, sev contract.Severity, ptr, expected, actual string) contract.Finding {
	return contract.Finding{
		Rule: rule, Severity: sev, Pointer: ptr, Expected: expected, Actual: actual,
		Message:     ptr + ": got " + actual,
		Fingerprint: contract.Fingerprint(rule, ptr, expected),
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	dir := finding(contract.RuleEnum, contract.SeverityError, "/direction", "one of inbound, outbound", "outbound-api")
	mos := finding(contract.RuleType, contract.SeverityError, "/audio_in_mos", "number", "string")
	alias := finding(contract.RuleAliasMismatch, contract.SeverityWarning, "/to_formatted", "equal to /formatted_to", "differs")
	extra := finding(contract.RuleUndeclared, contract.SeverityInfo, "/x_new", "declared property", "present")

	r := New(spec, started)
	r.Add("sid-1", 200, contract.Result{Conformant: false, Findings: []contract.Finding{mos, dir}})
	r.Add("sid-2", 200, contract.Result{Conformant: true, Findings: []contract.Finding{alias, extra}})
	r.Add("sid-3", 200, contract.Result{Conformant: false, Findings: []contract.Finding{dir}})
	r.Add("sid-4", 200, contract.Result{Conformant: true})
	r.Add("sid-5", 200, contract.Result{Conformant: true, Findings: []contract.Finding{alias}})
	r.Finish(started.Add(3 * time.Second))

	want := &Report{
		Spec:          spec,
		StartedAt:     started.UTC(),
		FinishedAt:    started.Add(3 * time.Second).UTC(),
		Checked:       5,
		NonConformant: 2,
		Calls: []CallResult{
			{SID: "sid-1", Status: 200, Errors: 2, Fingerprints: []string{mos.Fingerprint, dir.Fingerprint}},
			{SID: "sid-2", Status: 200, Conformant: true, Warnings: 1, Fingerprints: []string{alias.Fingerprint, extra.Fingerprint}},
			{SID: "sid-3", Status: 200, Errors: 1, Fingerprints: []string{dir.Fingerprint}},
			{SID: "sid-4", Status: 200, Conformant: true, Fingerprints: []string{}},
			{SID: "sid-5", Status: 200, Conformant: true, Warnings: 1, Fingerprints: []string{alias.Fingerprint}},
		},
		Findings: []Aggregate{
			{dir.Fingerprint, dir.Rule, dir.Pointer, contract.SeverityError, dir.Expected, 2, "sid-1"},
			{mos.Fingerprint, mos.Rule, mos.Pointer, contract.SeverityError, mos.Expected, 1, "sid-1"},
			{alias.Fingerprint, alias.Rule, alias.Pointer, contract.SeverityWarning, alias.Expected, 2, "sid-2"},
			{extra.Fingerprint, extra.Rule, extra.Pointer, contract.SeverityInfo, extra.Expected, 1, "sid-2"},
		},
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	wantSev := map[contract.Severity]int{contract.SeverityError: 3, contract.SeverityWarning: 2, contract.SeverityInfo: 1}
	if diff := cmp.Diff(wantSev, r.BySeverity()); diff != "" {
		t.Errorf("BySeverity (-want +got):\n%s", diff)
	}
}

func TestAddProbe(t *testing.T) {
	t.Parallel()
	probeFP := contract.Fingerprint(RuleProbeStatus, contract.PointerStatus, probeExpected)
	tests := []struct {
		name   string
		status int
		res    contract.Result
		want   CallResult
		agg    []string // fingerprints of the aggregates
	}{
		{
			name:   "conformant 404",
			status: 404,
			res:    contract.Result{Conformant: true},
			want:   CallResult{SID: "p", Status: 404, Conformant: true, Probe: true, Fingerprints: []string{}},
		},
		{
			name:   "200 for an unknown sid",
			status: 200,
			res:    contract.Result{Conformant: true},
			want:   CallResult{SID: "p", Status: 200, Errors: 1, Probe: true, Fingerprints: []string{probeFP}},
			agg:    []string{probeFP},
		},
		{
			name:   "404 breaking the error schema",
			status: 404,
			res: contract.Result{Findings: []contract.Finding{
				finding(contract.RuleRequired, contract.SeverityError, "/code", "present", "missing"),
			}},
			want: CallResult{SID: "p", Status: 404, Errors: 1, Probe: true,
				Fingerprints: []string{contract.Fingerprint(contract.RuleRequired, "/code", "present")}},
			agg: []string{contract.Fingerprint(contract.RuleRequired, "/code", "present")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := New(spec, started)
			r.AddProbe("p", tt.status, tt.res)
			if diff := cmp.Diff([]CallResult{tt.want}, r.Calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			var got []string
			for _, a := range r.Findings {
				got = append(got, a.Fingerprint)
			}
			if diff := cmp.Diff(tt.agg, got); diff != "" {
				t.Errorf("aggregates (-want +got):\n%s", diff)
			}
			if wantNC := btoi(!tt.want.Conformant); r.NonConformant != wantNC {
				t.Errorf("NonConformant = %d, want %d", r.NonConformant, wantNC)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestJSONHoldsNoValues checks the drift recordings through the real
// validator and looks for their findings' actual values in the JSON report.
func TestJSONHoldsNoValues(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(testdataDir, "recordings", "drift", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no drift recordings: %v", err)
	}
	r := New(spec, started)
	var actuals []string
	expected := map[string]bool{}
	for _, f := range files {
		rec, err := recording.ReadRecording(f)
		if err != nil {
			t.Fatal(err)
		}
		res := v.Check(rec.Exchange())
		for _, fd := range res.Findings {
			actuals = append(actuals, fd.Actual)
			expected[fd.Expected] = true
		}
		r.Add(filepath.Base(f), rec.Response.Status, res)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actuals {
		// A type name such as "string" may be one finding's actual value and
		// another's expectation; only look for values that are not expected.
		if !expected[a] && strings.Contains(string(b), `"`+a+`"`) {
			t.Errorf("report holds the actual value %q", a)
		}
	}
	for _, key := range []string{`"actual"`, `"message"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("report JSON has a %s member", key)
		}
	}
	if r.NonConformant != len(files) {
		t.Errorf("NonConformant = %d, want %d", r.NonConformant, len(files))
	}
	for _, want := range []string{`"started_at"`, `"finished_at"`, `"non_conformant"`, `"example_sid"`, `"sha256"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report JSON lacks %s", want)
		}
	}
}
