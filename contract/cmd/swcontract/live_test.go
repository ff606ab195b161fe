package main

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "github.com/pb33f/go-yaml"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"

	"github.com/callwire/callwire/contract/report"
)

const (
	testProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testToken     = "PTtesttoken-6d1f0c8e2b7a4f55a9e3"
)

// liveEnv is a replay server over testdata/recordings and the environment
// that points the CLI at it.
type liveEnv struct {
	sw  *replay.Server
	env map[string]string
}

func setupLive(t *testing.T) *liveEnv {
	t.Helper()
	sw := replay.New(replay.WithCredentials(testProjectID, testToken))
	if err := sw.LoadDir(testdataDir + "/recordings"); err != nil {
		t.Fatal(err)
	}
	u, err := sw.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sw.Close() })
	return &liveEnv{sw: sw, env: map[string]string{
		"SIGNALWIRE_PROJECT_ID":   testProjectID,
		"SIGNALWIRE_API_TOKEN":    testToken,
		"SIGNALWIRE_SPACE_URL":    u,
		"CALLWIRE_ALLOW_LOOPBACK": "true",
	}}
}

func (e *liveEnv) getenv(k string) string { return e.env[k] }

// recSID returns the Call SID of testdata/recordings/name.json.
func recSID(t *testing.T, name string) string {
	t.Helper()
	rec, err := recording.ReadRecording(testdataDir + "/recordings/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
}

// liveReport is the part of check's and live's JSON report the tests compare.
type liveReport struct {
	Checked       int `json:"checked"`
	Nonconformant int `json:"nonconformant"`
	Results       []struct {
		Source     string             `json:"source"`
		URL        string             `json:"url"`
		Status     int                `json:"status"`
		Conformant bool               `json:"conformant"`
		Findings   []contract.Finding `json:"findings"`
	} `json:"results"`
}

// fingerprints maps each result's Call SID (the last URL segment) to its
// sorted finding fingerprints.
func (r liveReport) fingerprints() map[string][]string {
	m := map[string][]string{}
	for _, res := range r.Results {
		sid := res.URL[strings.LastIndex(res.URL, "/")+1:]
		fps := []string{}
		for _, f := range res.Findings {
			fps = append(fps, f.Fingerprint)
		}
		slices.Sort(fps)
		m[sid] = fps
	}
	return m
}

func decodeReport(t *testing.T, b []byte) liveReport {
	t.Helper()
	var r liveReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, b)
	}
	return r
}

// assertNoToken fails when the API token or its Basic auth form shows up.
func assertNoToken(t *testing.T, where string, b []byte) {
	t.Helper()
	for _, s := range []string{testToken, "Basic ", "Authorization"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s contains %q", where, s)
		}
	}
}

func TestLive(t *testing.T) {
	t.Parallel()
	var (
		inbound   = recSID(t, "conformant/200-completed-inbound-human")
		machine   = recSID(t, "conformant/200-completed-outbound-machine")
		alias     = recSID(t, "warning/200-alias-mismatch")
		outAPI    = recSID(t, "drift/200-direction-outbound-api-2019-shape")
		notFound  = recSID(t, "conformant/404-not-found")
		initiated = recSID(t, "drift/200-status-initiated-2019-shape")
	)
	tests := []struct {
		name    string
		args    []string
		list    []string
		env     map[string]string // overrides
		code    int
		sids    []string // results, in order
		nonconf int
		stderr  string // substring
	}{
		{name: "conformant", args: []string{"--sid", inbound, "--sid", machine, "--sid", notFound}, code: 0,
			sids: []string{inbound, machine, notFound}},
		{name: "drifted", args: []string{"--sid", outAPI, "--sid", initiated}, code: 1,
			sids: []string{outAPI, initiated}, nonconf: 2},
		{name: "mixed", args: []string{"--sid", inbound, "--sid", outAPI, "--sid", alias}, code: 1,
			sids: []string{inbound, outAPI, alias}, nonconf: 1},
		{name: "warning fails with --fail-on warning", args: []string{"--sid", alias, "--fail-on", "warning"}, code: 1,
			sids: []string{alias}},
		{name: "sample recent", args: []string{"--sid", machine, "--sample-recent", "2"}, list: []string{outAPI, machine, inbound},
			code: 1, sids: []string{machine, outAPI}, nonconf: 1},
		{name: "missing credentials", args: []string{"--sid", inbound},
			env:  map[string]string{"SIGNALWIRE_PROJECT_ID": "", "SIGNALWIRE_API_TOKEN": "", "SIGNALWIRE_SPACE_URL": ""},
			code: 2, stderr: "no SignalWire credentials: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL, or pass --secret-id"},
		{name: "token missing", args: []string{"--sid", inbound}, env: map[string]string{"SIGNALWIRE_API_TOKEN": ""},
			code: 2, stderr: "SIGNALWIRE_API_TOKEN not set"},
		{name: "token refused", args: []string{"--sid", inbound}, env: map[string]string{"SIGNALWIRE_API_TOKEN": "PTwrong-0000"},
			code: 2, stderr: "HTTP 401"},
		{name: "plain http to another host", args: []string{"--sid", inbound}, env: map[string]string{"SIGNALWIRE_SPACE_URL": "http://example.com"},
			code: 2, stderr: "scheme must be https"},
		{name: "5xx", args: []string{"--sid", recSID(t, "drift/500-undocumented-json-error")}, code: 2, stderr: "HTTP 500 after retries"},
		{name: "no calls", args: nil, code: 2, stderr: "pass --sid or --sample-recent"},
		{name: "List Calls returns none", args: []string{"--sample-recent", "5"}, list: []string{}, code: 2,
			stderr: "List Calls returned no calls; nothing checked"},
		{name: "bad sid", args: []string{"--sid", "CA123"}, code: 2, stderr: `invalid value "CA123" for flag -sid: want a Call SID (UUID)`},
		{name: "bad sample", args: []string{"--sample-recent", "1001"}, code: 2, stderr: "want an integer from 0 to 1000"},
		{name: "stray argument", args: []string{"--sid", inbound, "x.json"}, code: 2, stderr: `unexpected argument "x.json"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setupLive(t)
			if tt.list != nil {
				e.sw.SetCallList(tt.list)
			}
			for k, v := range tt.env {
				e.env[k] = v
			}
			var stdout, stderr bytes.Buffer
			code := runLive(append([]string{"--format", "json"}, tt.args...), &stdout, &stderr, e.getenv)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			assertNoToken(t, "stdout", stdout.Bytes())
			assertNoToken(t, "stderr", stderr.Bytes())
			if tt.code == 2 {
				if !strings.Contains(stderr.String(), tt.stderr) {
					t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
				}
				if stdout.Len() > 0 && !strings.Contains(stderr.String(), "Usage") {
					t.Errorf("a report was written: %s", stdout.String())
				}
				return
			}
			r := decodeReport(t, stdout.Bytes())
			var sids []string
			for _, res := range r.Results {
				sids = append(sids, res.Source)
			}
			if diff := cmp.Diff(tt.sids, sids); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if r.Checked != len(tt.sids) || r.Nonconformant != tt.nonconf {
				t.Errorf("checked %d non-conformant %d, want %d %d", r.Checked, r.Nonconformant, len(tt.sids), tt.nonconf)
			}
		})
	}
}

// TestDispatch checks that run knows the live and record commands.
func TestDispatch(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ cmd, want string }{
		{"live", "Usage: swcontract live"},
		{"record", "Usage: swcontract record"},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run([]string{tt.cmd, "-h"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("exit %d, stdout %q", code, stdout.String())
			}
		})
	}
}

// TestLiveFormats writes each format to --out.
func TestLiveFormats(t *testing.T) {
	t.Parallel()
	outAPI := recSID(t, "drift/200-direction-outbound-api-2019-shape")
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			e := setupLive(t)
			out := t.TempDir() + "/report"
			var stdout, stderr bytes.Buffer
			code := runLive([]string{"--sid", outAPI, "--format", format, "--out", out}, &stdout, &stderr, e.getenv)
			if code != 1 || stdout.Len() != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte("/direction")) {
				t.Errorf("%s report does not name /direction:\n%s", format, b)
			}
			assertNoToken(t, "report", b)
		})
	}
}

// TestDriftWorkflow checks that .github/workflows/drift.yml parses, records
// with the repository's secrets, writes JUnit and the job summary in
// Markdown, and runs swcontract with go tool so exit codes stay apart.
func TestDriftWorkflow(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../.github/workflows/drift.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Name string               `yaml:"name"`
		On   map[string]yaml.Node `yaml:"on"`
		Jobs map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("drift.yml does not parse: %v", err)
	}
	if _, ok := wf.On["schedule"]; !ok {
		t.Error("no schedule trigger")
	}
	if _, ok := wf.On["workflow_dispatch"]; !ok {
		t.Error("no workflow_dispatch trigger")
	}
	var uses, junit, summary []string
	var uploadAlways bool
	var env map[string]string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" {
				uses = append(uses, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "actions/upload-artifact@") && s.If == "always()" {
				uploadAlways = true
			}
			if strings.Contains(s.Run, "swcontract") && !strings.Contains(s.Run, "go tool swcontract ") {
				t.Errorf("step %q runs swcontract other than with go tool (go run turns exit 2 into 1): %q", s.Name, s.Run)
			}
			switch {
			case strings.Contains(s.Run, "swcontract record"):
				env = s.Env
			case strings.Contains(s.Run, "--format junit"):
				junit = append(junit, s.Run)
			case strings.Contains(s.Run, "--format markdown"):
				summary = append(summary, s.Run)
				if !strings.Contains(s.If, "always()") {
					t.Errorf("the job summary step runs if %q, want always()", s.If)
				}
			}
		}
	}
	for _, want := range []string{"actions/checkout@v4", "actions/setup-go@v5", "actions/upload-artifact@v4"} {
		if !slices.Contains(uses, want) {
			t.Errorf("no step uses %s", want)
		}
	}
	if !uploadAlways {
		t.Error("the report upload does not run if: always()")
	}
	if len(junit) != 1 || !strings.Contains(junit[0], "--out drift-report.xml") {
		t.Errorf("JUnit step = %q", junit)
	}
	if len(summary) != 1 || !strings.Contains(summary[0], `--out "$GITHUB_STEP_SUMMARY"`) {
		t.Errorf("job summary step = %q", summary)
	}
	for _, k := range []string{"SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE_URL"} {
		if env[k] != "${{ secrets."+k+" }}" {
			t.Errorf("env %s = %q, want the repository secret", k, env[k])
		}
	}
}
