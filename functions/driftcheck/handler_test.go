package driftcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/drift"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// Recordings the tests check, by file name under testdata/recordings.
const (
	recInbound    = "conformant/200-completed-inbound-human"
	recMachine    = "conformant/200-completed-outbound-machine"
	recQueued     = "conformant/200-queued-outbound"
	recExtra      = "conformant/200-completed-extra-fields"
	recAlias      = "warning/200-alias-mismatch"
	recOutAPI     = "drift/200-direction-outbound-api-2019-shape"
	recInitiated  = "drift/200-status-initiated-2019-shape"
	rec404Drift   = "drift/404-missing-code-more-info"
	rec500        = "drift/500-undocumented-json-error"
	recUnknownSID = "0d0d0d0d-0000-4000-8000-00000000dead"
)

// field is a (rule, pointer, expected) triple that names a finding.
type field struct {
	rule, pointer, expected string
	sev                     contract.Severity
}

// the findings of the 2019-shaped drift recordings: ten shared, /status only in one.
var (
	shared2019 = []field{
		{contract.RuleRequired, "/audio_in_mos", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_rtt_avg", "present", contract.SeverityError},
		{contract.RuleEnum, "/direction", "one of inbound, outbound", contract.SeverityError},
		{contract.RuleRequired, "/audio_rtt_max", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_rtt_min", "present", contract.SeverityError},
		{contract.RuleRequired, "/sip_result_code", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_out_jitter_max", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_out_jitter_avg", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_out_lost", "present", contract.SeverityError},
		{contract.RuleRequired, "/audio_out_jitter_min", "present", contract.SeverityError},
	}
	statusEnum = field{contract.RuleEnum, "/status", "one of queued, ringing, in-progress, canceled, completed, busy, failed, no-answer", contract.SeverityError}
	aliasTo    = field{contract.RuleAliasMismatch, "/to_formatted", "equal to /formatted_to", contract.SeverityWarning}
	// undeclared is the one finding for the body's two undeclared
	// properties; its fingerprint covers both names.
	undeclared = field{contract.RuleUndeclared, "", "only declared properties", contract.SeverityInfo}
)

func agg(f field, count int, example string) aggJSON {
	return aggJSON{
		Fingerprint: contract.Fingerprint(f.rule, f.pointer, f.expected),
		Rule:        f.rule, Pointer: f.pointer, Severity: string(f.sev), Expected: f.expected,
		Count: count, ExampleSID: example,
	}
}

// aggNames is agg for a finding about a set of names, whose fingerprint
// covers them all.
func aggNames(f field, names []string, count int, example string) aggJSON {
	a := agg(f, count, example)
	a.Fingerprint = contract.FingerprintNames(f.rule, f.pointer, f.expected, names)
	return a
}

// testFunctionName is the deployed name setup gives the function, as the
// runtime would in AWS_LAMBDA_FUNCTION_NAME.
const testFunctionName = "callwire-test-DriftCheckFunction-1A2B"

// metricsOf reads the EMF records: metric name, or name/Severity for
// DriftFindings, to value. Every record must carry Function=driftcheck and
// the deployed function's name, both in its dimension set.
func metricsOf(t *testing.T, text string) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	for line := range strings.Lines(text) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("metric line is not JSON: %v", err)
		}
		if rec["Function"] != "driftcheck" || rec["FunctionName"] != testFunctionName {
			t.Errorf("record without Function=driftcheck and FunctionName=%s: %s", testFunctionName, line)
		}
		aws := rec["_aws"].(map[string]any)
		for _, d := range aws["CloudWatchMetrics"].([]any) {
			set := fmt.Sprint(d.(map[string]any)["Dimensions"])
			if set != "[[Function FunctionName]]" && set != "[[Function FunctionName Severity]]" {
				t.Errorf("dimension sets %s, want Function and FunctionName (and Severity for DriftFindings)", set)
			}
			for _, m := range d.(map[string]any)["Metrics"].([]any) {
				name := m.(map[string]any)["Name"].(string)
				key := name
				if sev, ok := rec["Severity"].(string); ok {
					key += "/" + sev
				}
				got[key] = rec[name].(float64)
			}
		}
	}
	return got
}

func payload(sids []string, sample int, probe bool) string {
	b, _ := json.Marshal(map[string]any{"call_sids": sids, "sample_recent": sample, "probe_not_found": probe})
	return string(b)
}

func TestHandle(t *testing.T) {
	t.Parallel()
	var (
		inbound   = sidOf(t, recInbound)
		machine   = sidOf(t, recMachine)
		queued    = sidOf(t, recQueued)
		extra     = sidOf(t, recExtra)
		alias     = sidOf(t, recAlias)
		outAPI    = sidOf(t, recOutAPI)
		initiated = sidOf(t, recInitiated)
	)
	driftAggs := func(example string) []aggJSON {
		var out []aggJSON
		for _, f := range shared2019 {
			out = append(out, agg(f, 2, example))
		}
		return out
	}
	tests := []struct {
		name     string
		cfg      config
		list     []string // SetCallList; nil keeps the default list
		payload  string
		calls    []callJSON // SID, Status, Conformant, Probe only
		findings []aggJSON  // nil skips the comparison
		metrics  map[string]float64
	}{
		{
			name:    "conformant only",
			payload: payload([]string{inbound, machine, queued}, 0, false),
			calls: []callJSON{
				{SID: inbound, Status: 200, Conformant: true},
				{SID: machine, Status: 200, Conformant: true},
				{SID: queued, Status: 200, Conformant: true},
			},
			findings: []aggJSON{},
			metrics: map[string]float64{
				"DriftChecks": 3, "DriftNonConformant": 0,
				"DriftFindings/error": 0, "DriftFindings/warning": 0, "DriftFindings/info": 0,
			},
		},
		{
			name:    "drifted",
			payload: payload([]string{outAPI, initiated}, 0, false),
			calls: []callJSON{
				{SID: outAPI, Status: 200},
				{SID: initiated, Status: 200},
			},
			findings: append(driftAggs(outAPI), agg(statusEnum, 1, initiated)),
			metrics: map[string]float64{
				"DriftChecks": 2, "DriftNonConformant": 2,
				"DriftFindings/error": 21, "DriftFindings/warning": 0, "DriftFindings/info": 0,
			},
		},
		{
			name:    "mixed with probe",
			payload: payload([]string{inbound, initiated, alias, extra, outAPI}, 0, true),
			calls: []callJSON{
				{SID: inbound, Status: 200, Conformant: true},
				{SID: initiated, Status: 200},
				{SID: alias, Status: 200, Conformant: true},
				{SID: extra, Status: 200, Conformant: true},
				{SID: outAPI, Status: 200},
				{SID: "probe", Status: 404, Conformant: true, Probe: true},
			},
			findings: append(append(driftAggs(initiated), agg(statusEnum, 1, initiated)),
				agg(aliasTo, 1, alias), aggNames(undeclared, []string{"queue_time", "trunk_sid"}, 1, extra)),
			metrics: map[string]float64{
				"DriftChecks": 6, "DriftNonConformant": 2,
				"DriftFindings/error": 21, "DriftFindings/warning": 1, "DriftFindings/info": 1,
			},
		},
		{
			name:    "duplicates and case",
			payload: payload([]string{inbound, strings.ToUpper(inbound), inbound}, 0, false),
			calls:   []callJSON{{SID: inbound, Status: 200, Conformant: true}},
		},
		{
			name:    "sample recent from the List Calls page",
			list:    []string{machine, outAPI, queued, inbound},
			payload: payload([]string{outAPI}, 3, false),
			calls: []callJSON{
				{SID: outAPI, Status: 200},
				{SID: machine, Status: 200, Conformant: true},
				{SID: queued, Status: 200, Conformant: true},
			},
		},
		{
			name:    "defaults from the environment",
			cfg:     config{sampleRecent: 2, probeNotFound: true},
			list:    []string{queued, machine, inbound},
			payload: `{}`,
			calls: []callJSON{
				{SID: queued, Status: 200, Conformant: true},
				{SID: machine, Status: 200, Conformant: true},
				{SID: "probe", Status: 404, Conformant: true, Probe: true},
			},
		},
		{
			name:    "null input, nothing to do",
			payload: `null`,
			calls:   []callJSON{},
			metrics: map[string]float64{
				"DriftChecks": 0, "DriftNonConformant": 0,
				"DriftFindings/error": 0, "DriftFindings/warning": 0, "DriftFindings/info": 0,
			},
		},
		{
			name:    "unknown sid is checked as a 404",
			payload: payload([]string{recUnknownSID}, 0, false),
			calls:   []callJSON{{SID: recUnknownSID, Status: 404, Conformant: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, options{cfg: tt.cfg})
			if tt.list != nil {
				env.sw.SetCallList(tt.list)
			}
			r, raw, ierr := env.invoke(t.Context(), t, tt.payload)
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			var calls []callJSON
			for _, c := range r.Calls {
				if c.Probe {
					c.SID = "probe"
				}
				calls = append(calls, callJSON{SID: c.SID, Status: c.Status, Conformant: c.Conformant, Probe: c.Probe})
			}
			if diff := cmp.Diff(tt.calls, calls, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			nonConformant := 0
			for _, c := range tt.calls {
				if !c.Conformant {
					nonConformant++
				}
			}
			if r.Checked != len(tt.calls) || r.NonConformant != nonConformant || r.Partial {
				t.Errorf("checked %d, non-conformant %d, partial %v; want %d, %d, false",
					r.Checked, r.NonConformant, r.Partial, len(tt.calls), nonConformant)
			}
			if tt.findings != nil {
				if diff := cmp.Diff(tt.findings, r.Findings, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
			}
			if r.Spec.Name != contract.SpecName || r.Spec.SHA256 != contract.SpecSHA256 {
				t.Errorf("spec = %+v", r.Spec)
			}
			if !r.StartedAt.Equal(fixedNow) || !r.FinishedAt.Equal(fixedNow) {
				t.Errorf("started %v, finished %v; want %v", r.StartedAt, r.FinishedAt, fixedNow)
			}
			if tt.metrics != nil {
				if diff := cmp.Diff(tt.metrics, metricsOf(t, env.metrics.String())); diff != "" {
					t.Errorf("metrics (-want +got):\n%s", diff)
				}
			}
			checkLogLine(t, env.logs.String(), raw)
			assertNoSecrets(t, "report", string(raw))
			assertNoSecrets(t, "logs", env.logs.String())
			assertNoSecrets(t, "metrics", env.metrics.String())
		})
	}
}

// checkLogLine checks that the invocation logged exactly one line, holding
// the report it returned.
func checkLogLine(t *testing.T, logs string, report []byte) {
	t.Helper()
	if n := strings.Count(logs, "\n"); n != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", n, logs)
	}
	var line struct {
		Msg     string          `json:"msg"`
		Outcome string          `json:"outcome"`
		Report  json.RawMessage `json:"report"`
	}
	if err := json.Unmarshal([]byte(logs), &line); err != nil {
		t.Fatal(err)
	}
	var a, b any
	_ = json.Unmarshal(line.Report, &a)
	_ = json.Unmarshal(report, &b)
	if line.Msg != "driftcheck" || line.Outcome != "ok" {
		t.Errorf("log line msg %q outcome %q", line.Msg, line.Outcome)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("logged report differs from the returned one (-returned +logged):\n%s", diff)
	}
}

// TestProbe points the replay server's not-found answer at other recordings.
func TestProbe(t *testing.T) {
	t.Parallel()
	read := func(name string) *recording.Recording {
		rec, err := recording.ReadRecording(testdataDir + "/recordings/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	probeStatus := contract.Fingerprint(drift.RuleProbeStatus, contract.PointerStatus, "404 for an unknown Call SID")
	tests := []struct {
		name       string
		notFound   *recording.Recording
		status     int
		conformant bool
		rules      []string
	}{
		{name: "SignalWire 404", status: 404, conformant: true},
		{name: "404 without code and more_info", notFound: read(rec404Drift), status: 404,
			rules: []string{contract.RuleRequired, contract.RuleRequired}},
		{name: "200 for an unknown sid", notFound: read(recInbound), status: 200,
			// The recording's own SID differs from the probe's: two identity warnings.
			rules: []string{drift.RuleProbeStatus, contract.RuleIdentity, contract.RuleIdentity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, options{replay: []replay.Option{replay.WithNotFound(tt.notFound)}})
			r, _, ierr := env.invoke(t.Context(), t, `{"probe_not_found": true}`)
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			if len(r.Calls) != 1 {
				t.Fatalf("calls = %+v, want the probe alone", r.Calls)
			}
			c := r.Calls[0]
			if !c.Probe || c.Status != tt.status || c.Conformant != tt.conformant {
				t.Errorf("probe = %+v, want status %d conformant %v", c, tt.status, tt.conformant)
			}
			if len(c.SID) != 36 || c.SID[14] != '4' {
				t.Errorf("probe sid %q is not a version 4 UUID", c.SID)
			}
			var rules []string
			for _, a := range r.Findings {
				rules = append(rules, a.Rule)
				if a.Rule == drift.RuleProbeStatus && a.Fingerprint != probeStatus {
					t.Errorf("probe finding fingerprint %s, want %s", a.Fingerprint, probeStatus)
				}
			}
			if diff := cmp.Diff(tt.rules, rules); diff != "" {
				t.Errorf("finding rules (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeadline runs out of time in the middle of a run.
func TestDeadline(t *testing.T) {
	t.Parallel()
	inbound, machine, queued := sidOf(t, recInbound), sidOf(t, recMachine), sidOf(t, recQueued)
	tests := []struct {
		name    string
		workers int
		delays  map[string]time.Duration
		sids    []string
		checked []string
	}{
		{
			name:    "a check in flight is cut short",
			workers: 4,
			delays:  map[string]time.Duration{machine: time.Minute},
			sids:    []string{inbound, machine, queued},
			checked: []string{inbound, queued},
		},
		{
			name:    "no check starts too late",
			workers: 1,
			delays:  map[string]time.Duration{inbound: 900 * time.Millisecond},
			sids:    []string{inbound, machine, queued},
			checked: []string{inbound},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, options{})
			env.h.workers = tt.workers
			env.h.reserve = 200 * time.Millisecond
			env.h.startMargin = time.Second
			for sid, d := range tt.delays {
				env.sw.Script(sid, replay.Scripted{Delay: d})
			}
			ctx, cancel := context.WithTimeout(t.Context(), 1800*time.Millisecond)
			defer cancel()
			start := time.Now()
			r, _, ierr := env.invoke(ctx, t, payload(tt.sids, 0, false))
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			if left := 1800*time.Millisecond - time.Since(start); left < 100*time.Millisecond {
				t.Errorf("answered %v before the deadline, want at least 100ms", left)
			}
			var got []string
			for _, c := range r.Calls {
				got = append(got, c.SID)
			}
			if diff := cmp.Diff(tt.checked, got); diff != "" {
				t.Errorf("checked (-want +got):\n%s", diff)
			}
			if !r.Partial || r.Checked != len(tt.checked) {
				t.Errorf("partial %v checked %d, want true %d", r.Partial, r.Checked, len(tt.checked))
			}
			if m := metricsOf(t, env.metrics.String()); m["DriftChecks"] != float64(len(tt.checked)) {
				t.Errorf("DriftChecks = %v", m["DriftChecks"])
			}
		})
	}
}

// TestOperationalErrors covers the failures that are function errors.
func TestOperationalErrors(t *testing.T) {
	t.Parallel()
	inbound := sidOf(t, recInbound)
	malformedList := func(body string) func(http.Handler) http.Handler {
		return func(sw http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/Calls") {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, body)
					return
				}
				sw.ServeHTTP(w, r)
			})
		}
	}
	tests := []struct {
		name    string
		opts    options
		script  map[string][]replay.Scripted
		payload string
		typ     string
		message string // substring
	}{
		{
			name:    "secret missing",
			opts:    options{noPut: true},
			payload: payload([]string{inbound}, 0, false),
			typ:     fail.CredentialsUnavailable,
			message: "SignalWire credentials unavailable",
		},
		{
			name:    "secret malformed",
			opts:    options{secret: func(string) string { return `{"project_id": "x"` }},
			payload: payload(nil, 5, false),
			typ:     fail.CredentialsUnavailable,
		},
		{
			name:    "space_url refused",
			opts:    options{secret: func(string) string { return secretJSON("http://example.com", testToken) }},
			payload: payload([]string{inbound}, 0, false),
			typ:     fail.CredentialsUnavailable,
		},
		{
			name:    "token refused on a call",
			opts:    options{secret: func(u string) string { return secretJSON(u, "PTwrong-token-0000") }},
			payload: payload([]string{inbound}, 0, false),
			typ:     fail.AccessDenied,
			message: "call " + inbound + ": HTTP 401",
		},
		{
			name:    "token refused on the list",
			opts:    options{secret: func(u string) string { return secretJSON(u, "PTwrong-token-0000") }},
			payload: payload(nil, 5, false),
			typ:     fail.AccessDenied,
			message: "list calls: HTTP 401",
		},
		{
			name:    "list page malformed",
			opts:    options{wrap: malformedList(`{"calls": "none"}`)},
			payload: payload(nil, 5, false),
			typ:     fail.UpstreamUnavailable,
			message: "list calls: no usable page",
		},
		{
			name:    "list page without calls",
			opts:    options{wrap: malformedList(`{"page": 0}`)},
			payload: payload(nil, 5, false),
			typ:     fail.UpstreamUnavailable,
		},
		{
			name:    "list page with an invalid sid",
			opts:    options{wrap: malformedList(`{"calls": [{"sid": "CA123"}]}`)},
			payload: payload(nil, 5, false),
			typ:     fail.UpstreamUnavailable,
		},
		{
			name:    "5xx persisting",
			payload: payload([]string{sidOf(t, rec500)}, 0, false),
			typ:     fail.UpstreamUnavailable,
			message: "HTTP 500",
		},
		{
			name: "503 after retries",
			script: map[string][]replay.Scripted{inbound: {
				{Status: 503}, {Status: 503}, {Status: 503},
			}},
			payload: payload([]string{inbound}, 0, false),
			typ:     fail.UpstreamUnavailable,
			message: "HTTP 503",
		},
		{
			name:    "connection resets",
			script:  map[string][]replay.Scripted{inbound: {{Reset: true}, {Reset: true}, {Reset: true}, {Reset: true}, {Reset: true}, {Reset: true}}},
			payload: payload([]string{inbound}, 0, false),
			typ:     fail.UpstreamUnavailable,
			message: "call " + inbound + ": no answer",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, tt.opts)
			for sid, sc := range tt.script {
				env.sw.Script(sid, sc...)
			}
			_, _, ierr := env.invoke(t.Context(), t, tt.payload)
			if ierr == nil || ierr.Type != tt.typ {
				t.Fatalf("got %+v, want errorType %s", ierr, tt.typ)
			}
			if !strings.Contains(ierr.Message, tt.message) {
				t.Errorf("message %q lacks %q", ierr.Message, tt.message)
			}
			if n := strings.Count(env.logs.String(), "\n"); n != 1 {
				t.Errorf("%d log lines, want 1", n)
			}
			if !strings.Contains(env.logs.String(), `"outcome":"`+tt.typ+`"`) {
				t.Errorf("log lacks the outcome: %s", env.logs.String())
			}
			if env.metrics.String() != "" {
				t.Errorf("a failed run emitted drift metrics: %s", env.metrics.String())
			}
			assertNoSecrets(t, "message", ierr.Message)
			assertNoSecrets(t, "logs", env.logs.String())
		})
	}
}

// TestSecretUnavailable makes Secrets Manager itself fail.
func TestSecretUnavailable(t *testing.T) {
	t.Parallel()
	env := setup(t, options{})
	env.sm.SetFault(testSecretID, secretsserver.InternalError)
	_, _, ierr := env.invoke(t.Context(), t, payload([]string{sidOf(t, recInbound)}, 0, false))
	if ierr == nil || ierr.Type != fail.CredentialsUnavailable {
		t.Fatalf("got %+v, want CredentialsUnavailable", ierr)
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	env := setup(t, options{})
	many := make([]string, maxCallSIDs+1)
	for i := range many {
		many[i] = fmt.Sprintf("c0c0ca11-0000-4000-8000-%012d", i)
	}
	tests := []struct {
		name, payload, message string
	}{
		{"unknown member", `{"call_sid": "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`, `unknown member "call_sid"`},
		{"not a uuid", `{"call_sids": ["c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "CA0123"]}`, "call_sids[1] is not a UUID"},
		{"sample negative", `{"sample_recent": -1}`, "sample_recent -1 is outside 0..1000"},
		{"sample too large", `{"sample_recent": 1001}`, "sample_recent 1001 is outside 0..1000"},
		{"too many sids", payload(many, 0, false), "call_sids has 101 entries; at most 100"},
		{"not an object", `["c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"]`, "input is not a JSON object"},
		{"wrong type", `{"probe_not_found": "yes"}`, "probe_not_found has the wrong type"},
		{"sample not an integer", `{"sample_recent": 2.5}`, "sample_recent has the wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, ierr := env.invoke(t.Context(), t, tt.payload)
			if ierr == nil || ierr.Type != fail.InvalidRequest {
				t.Fatalf("got %+v, want InvalidRequest", ierr)
			}
			if !strings.Contains(ierr.Message, tt.message) {
				t.Errorf("message %q lacks %q", ierr.Message, tt.message)
			}
		})
	}
	if env.sw.Requests() != 0 {
		t.Errorf("invalid input reached SignalWire (%d requests)", env.sw.Requests())
	}
}

// TestEvents runs every sample input in testdata/driftcheck through Handler.Invoke.
func TestEvents(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(testdataDir, "driftcheck", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample inputs: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			env := setup(t, options{cfg: config{sampleRecent: defaultSampleRecent, probeNotFound: true}})
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, raw, ierr := env.invoke(t.Context(), t, string(b))
			if ierr != nil {
				t.Fatalf("function error %s: %s", ierr.Type, ierr.Message)
			}
			if r.Checked == 0 || r.Partial {
				t.Errorf("checked %d, partial %v", r.Checked, r.Partial)
			}
			assertNoSecrets(t, "report", string(raw))
			assertNoSecrets(t, "logs", env.logs.String())
		})
	}
}
