package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
)

const testdataDir = "../../../testdata"

// baseRecording is a conformant 200 recording; the fixtures are edits of it.
const baseRecording = testdataDir + "/recordings/conformant/200-completed-inbound-human.json"

// readBase returns the bytes of baseRecording.
func readBase(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(baseRecording)
	if err != nil {
		t.Fatalf("read base recording: %v", err)
	}
	return b
}

// replaceOnce replaces old, which must occur in b, with new.
func replaceOnce(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("base recording lacks %q", old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// harFor wraps body, a Retrieve a Call response, in a HAR with the call GET
// (body in base64) and a list GET, which check skips.
func harFor(t testing.TB, body []byte) []byte {
	t.Helper()
	const callURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	type m = map[string]any
	har := m{"log": m{"version": "1.2", "entries": []m{
		{"request": m{"method": "GET", "url": callURL, "headers": []m{{"name": "Accept", "value": "application/json"}}},
			"response": m{"status": 200, "headers": []m{},
				"content": m{"mimeType": "application/json", "encoding": "base64", "text": base64.StdEncoding.EncodeToString(body)}}},
		{"request": m{"method": "GET", "url": strings.TrimSuffix(callURL, "/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"), "headers": []m{}},
			"response": m{"status": 200, "headers": []m{}, "content": m{"mimeType": "application/json", "text": "{}"}}},
	}}}
	b, err := json.Marshal(har)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtures writes the test files into a new temp dir and returns its path:
//
//	ok.json         conformant
//	drift.json      non-conformant (/direction)
//	warn.json       conformant with a warning (to_formatted differs from formatted_to)
//	session.har     one conformant call GET and one skipped list GET
//	nested/deep/drift2.json  non-conformant
//	bad/broken.json  not JSON, in a directory of its own
func fixtures(t testing.TB) string {
	t.Helper()
	base := readBase(t)
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(base, &rec); err != nil {
		t.Fatal(err)
	}
	drift := replaceOnce(t, base, `"direction": "inbound"`, `"direction": "outbound-api"`)
	files := map[string][]byte{
		"ok.json":                 base,
		"drift.json":              drift,
		"warn.json":               replaceOnce(t, base, `"to_formatted": "(415) 555-0123"`, `"to_formatted": "415-555-0123"`),
		"session.har":             harFor(t, rec.Response.Body),
		"nested/deep/drift2.json": drift,
		"bad/broken.json":         []byte(`{"request": {`),
		"notes.txt":               []byte("not a recording"),
	}
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noCallsHAR is a HAR document whose two entries are not "Retrieve a Call" requests.
const noCallsHAR = `{"log": {"version": "1.2", "entries": [
 {"request": {"method": "GET", "url": "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
 {"request": {"method": "POST", "url": "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}}]}}`

// TestRunUnreadableFiles: files that cannot be read are each named on
// stderr, the others are checked and reported, and the exit code is 2,
// which outranks the 1 of a failing exchange.
func TestRunUnreadableFiles(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	// A body as deep as encoding/json allows makes the file itself too deep.
	deep := replaceOnce(t, readBase(t), `"body": {`, `"body": `+strings.Repeat("[", 9999)+strings.Repeat("]", 9999)+`, "x": {`)
	if err := os.WriteFile(p("bad/deep.json"), deep, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		checked string
	}{
		{"with a failing exchange", []string{p("drift.json"), p("bad"), p("ok.json")}, "checked 2, conformant 1, nonconformant 1"},
		{"with passing exchanges only", []string{p("bad"), p("ok.json"), p("session.har")}, "checked 2, conformant 2, nonconformant 0, skipped 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(append([]string{"check"}, tt.args...), nil, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			want := "swcontract: " + p("bad/broken.json") + ": invalid JSON: malformed\n" +
				"swcontract: " + p("bad/deep.json") + ": invalid JSON: nested deeper than 10000 levels\n"
			if stderr.String() != want {
				t.Errorf("stderr = %q, want %q", stderr.String(), want)
			}
			if !strings.Contains(stdout.String(), tt.checked) {
				t.Errorf("stdout = %q, want the report with %q", stdout.String(), tt.checked)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	empty := t.TempDir()
	other := t.TempDir()
	noCalls := filepath.Join(other, "nocalls.har")
	if err := os.WriteFile(noCalls, []byte(noCallsHAR), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyHAR := filepath.Join(other, "empty.har")
	if err := os.WriteFile(emptyHAR, []byte(`{"log": {"entries": []}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base := readBase(t)
	drift := replaceOnce(t, base, `"direction": "inbound"`, `"direction": "outbound-api"`)
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(base, &rec); err != nil {
		t.Fatal(err)
	}
	har := harFor(t, rec.Response.Body)
	const noneIsACall = "2 entries, none is a GET …/Accounts/{uuid}/Calls/{uuid}; nothing checked"
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // substring; "" means stdout must be empty
		stderr string // substring; "" means stderr must be empty
	}{
		{name: "no arguments", args: nil, code: 2, stderr: "swcontract: no command given\nrun 'swcontract -h' for help\n"},
		{name: "help", args: []string{"-h"}, code: 0, stdout: "Exit codes:"},
		{name: "help word", args: []string{"help"}, code: 0, stdout: "check"},
		{name: "version", args: []string{"--version"}, code: 0, stdout: "spec sha256 " + contract.SpecSHA256 + "\n"},
		{name: "version word", args: []string{"version"}, code: 0, stdout: "spec        " + contract.SpecName + "\n"},
		{name: "unknown command", args: []string{"bogus"}, code: 2, stderr: `swcontract: unknown command "bogus"`},
		{name: "check help", args: []string{"check", "-h"}, code: 0, stdout: "--fail-on error|warning"},
		{name: "check no path", args: []string{"check"}, code: 2, stderr: "no PATH given"},
		{name: "unknown flag", args: []string{"check", "--bogus", p("ok.json")}, code: 2, stderr: "flag provided but not defined: -bogus"},
		{name: "unknown format", args: []string{"check", "--format", "xml", p("ok.json")}, code: 2,
			stderr: `invalid value "xml" for flag -format: want text, json, junit, github, html, markdown`},
		{name: "unknown fail-on", args: []string{"check", "--fail-on", "info", p("ok.json")}, code: 2,
			stderr: `invalid value "info" for flag -fail-on: want error or warning`},
		{name: "conformant", args: []string{"check", p("ok.json")}, code: 0, stdout: "checked 1, conformant 1, nonconformant 0, skipped 0"},
		{name: "non-conformant", args: []string{"check", p("drift.json")}, code: 1, stdout: "schema.enum"},
		{name: "warning passes by default", args: []string{"check", p("warn.json")}, code: 0, stdout: "PASS conformant: " + p("warn.json")},
		{name: "warning fails on warning", args: []string{"check", "--fail-on", "warning", p("warn.json")}, code: 1, stdout: "FAIL conformant: " + p("warn.json")},
		{name: "error fails on warning", args: []string{"check", "--fail-on=warning", p("drift.json")}, code: 1, stdout: "FAIL nonconformant: "},
		{name: "clean passes on warning", args: []string{"check", "--fail-on=warning", p("ok.json")}, code: 0, stdout: "checked 1,"},
		{name: "har", args: []string{"check", p("session.har")}, code: 0, stdout: "checked 1, conformant 1, nonconformant 0, skipped 1"},
		{name: "several paths", args: []string{"check", p("ok.json"), p("session.har"), p("nested")}, code: 1, stdout: "checked 3, conformant 2, nonconformant 1, skipped 1"},
		{name: "flags after path", args: []string{"check", p("ok.json"), "--format", "github"}, code: 0, stdout: "checked 1,"},
		{name: "double dash", args: []string{"check", "--", p("ok.json")}, code: 0, stdout: "checked 1,"},
		{name: "same file twice", args: []string{"check", p("drift.json"), p("drift.json")}, code: 1, stdout: "checked 1, conformant 0, nonconformant 1"},
		{name: "same file spelled two ways", args: []string{"check", p("ok.json"), p("nested/../ok.json")}, code: 0, stdout: "checked 1,"},
		{name: "file inside a directory also named", args: []string{"check", p("nested"), p("nested/deep/drift2.json")}, code: 1, stdout: "checked 1,"},
		{name: "unreadable recording", args: []string{"check", p("bad/broken.json")}, code: 2,
			stdout: "checked 0,", stderr: "swcontract: " + p("bad/broken.json") + ": invalid JSON"},
		{name: "unreadable does not stop the run", args: []string{"check", p("ok.json"), p("bad"), p("drift.json")}, code: 2,
			stdout: "checked 2, conformant 1, nonconformant 1", stderr: "swcontract: " + p("bad/broken.json") + ": invalid JSON"},
		{name: "missing path", args: []string{"check", p("missing.json")}, code: 2,
			stdout: "UNUSABLE: " + p("missing.json") + ": no such file or directory",
			stderr: "swcontract: " + p("missing.json") + ": no such file or directory"},
		{name: "missing path beside a recording", args: []string{"check", p("missing.json"), p("drift.json")}, code: 2,
			stdout: "checked 1, conformant 0, nonconformant 1, skipped 0, unusable 1",
			stderr: "swcontract: " + p("missing.json") + ": no such file or directory"},
		{name: "empty directory", args: []string{"check", empty}, code: 2,
			stdout: "checked 0, conformant 0, nonconformant 0, skipped 0, unusable 1",
			stderr: "swcontract: " + empty + ": empty directory; nothing checked"},
		{name: "empty directory beside a recording", args: []string{"check", p("ok.json"), empty}, code: 2,
			stdout: "checked 1, conformant 1, nonconformant 0, skipped 0, unusable 1", stderr: empty + ": empty directory"},
		{name: "HAR without a call", args: []string{"check", noCalls}, code: 2,
			stdout: "UNUSABLE: " + noCalls + ": " + noneIsACall, stderr: "swcontract: " + noCalls + ": " + noneIsACall},
		{name: "HAR without entries", args: []string{"check", emptyHAR}, code: 2,
			stdout: "skipped 0, unusable 1", stderr: "swcontract: " + emptyHAR + ": no entries; nothing checked"},
		{name: "HAR without a call beside a drift", args: []string{"check", p("drift.json"), noCalls}, code: 2,
			stdout: "checked 1, conformant 0, nonconformant 1, skipped 2, unusable 1", stderr: noneIsACall},
		{name: "stdin recording", args: []string{"check", "-"}, stdin: string(base), code: 0, stdout: "checked 1, conformant 1, nonconformant 0, skipped 0"},
		{name: "stdin drift", args: []string{"check", "-"}, stdin: string(drift), code: 1, stdout: "FAIL nonconformant: stdin, call "},
		{name: "stdin HAR", args: []string{"check", "-"}, stdin: string(har), code: 0, stdout: "checked 1, conformant 1, nonconformant 0, skipped 1"},
		{name: "stdin HAR without a call", args: []string{"check", "-"}, stdin: noCallsHAR, code: 2, stdout: "unusable 1",
			stderr: "swcontract: stdin: " + noneIsACall},
		{name: "stdin twice", args: []string{"check", "-", "-"}, stdin: string(drift), code: 1, stdout: "checked 1, conformant 0, nonconformant 1"},
		{name: "stdin beside a file", args: []string{"check", p("ok.json"), "-"}, stdin: string(drift), code: 1, stdout: "checked 2, conformant 1, nonconformant 1"},
		{name: "stdin empty", args: []string{"check", "-"}, stdin: " \n", code: 2, stdout: "unusable 1",
			stderr: "swcontract: stdin: empty input; nothing checked"},
		{name: "stdin not JSON", args: []string{"check", "-"}, stdin: `{"request": {`, code: 2, stderr: "swcontract: stdin: invalid JSON", stdout: "UNUSABLE: stdin: invalid JSON"},
		{name: "stdin HAR that is broken", args: []string{"check", "-"}, stdin: `{"log": {"entries": 3}}`, code: 2, stderr: "swcontract: stdin: not a HAR: log.entries is not an array",
			stdout: "UNUSABLE: stdin: not a HAR: log.entries is not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, stdout.String(), stderr.String())
			}
			check := func(stream string, got, want string) {
				t.Helper()
				if want == "" && got != "" {
					t.Errorf("%s = %q, want it empty", stream, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", stream, got, want)
				}
			}
			check("stdout", stdout.String(), tt.stdout)
			check("stderr", stderr.String(), tt.stderr)
		})
	}
}

// TestRunUsageErrorsAreShort checks that a usage error is one line naming
// the problem and one pointing at the command's help, never the help itself.
func TestRunUsageErrorsAreShort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		cmd  string
	}{
		{args: nil, cmd: "swcontract"},
		{args: []string{"bogus"}, cmd: "swcontract"},
		{args: []string{"check"}, cmd: "swcontract check"},
		{args: []string{"check", "--format", "xml", "x.json"}, cmd: "swcontract check"},
		{args: []string{"live"}, cmd: "swcontract live"},
		{args: []string{"live", "--sample-recent", "2000"}, cmd: "swcontract live"},
		{args: []string{"live", "--sid", "x", "extra"}, cmd: "swcontract live"},
		{args: []string{"record", "--sid", "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}, cmd: "swcontract record"},
		{args: []string{"record", "--out", "x"}, cmd: "swcontract record"},
		{args: []string{"record", "--bogus"}, cmd: "swcontract record"},
		{args: []string{"diff", "a.yaml"}, cmd: "swcontract diff"},
		{args: []string{"diff", "--bogus", "a.yaml", "b.yaml"}, cmd: "swcontract diff"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, strings.NewReader(""), &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], tt.cmd+": ") || lines[1] != "run '"+tt.cmd+" -h' for help" {
				t.Errorf("stderr = %q, want %q and a line pointing at %q", stderr.String(), tt.cmd+": <problem>", tt.cmd+" -h")
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout = %q, want it empty", stdout.String())
			}
		})
	}
}

// TestSampleRecentRange checks that --sample-recent's help and its error
// give the same range, and that its ends are accepted.
func TestSampleRecentRange(t *testing.T) {
	t.Parallel()
	const rng = "0 to 1000"
	for _, usage := range []string{liveUsage, recordUsage} {
		if !strings.Contains(usage, "most recent calls from List Calls, "+rng) {
			t.Errorf("help does not give the range %s:\n%s", rng, usage)
		}
	}
	var stderr bytes.Buffer
	run([]string{"live", "--sample-recent", "2000"}, nil, io.Discard, &stderr)
	if !strings.Contains(stderr.String(), "want an integer from "+rng) {
		t.Errorf("stderr = %q, want the range %s", stderr.String(), rng)
	}
	for _, v := range []string{"0", "1000"} {
		var src sourceFlags
		fset := flag.NewFlagSet("x", flag.ContinueOnError)
		src.register(fset)
		if err := fset.Parse([]string{"--sample-recent", v}); err != nil {
			t.Errorf("--sample-recent %s: %v", v, err)
		}
	}
}

// jsonReport is the JSON report as a consumer decodes it.
type jsonReport struct {
	Spec struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"spec"`
	Checked       int `json:"checked"`
	Conformant    int `json:"conformant"`
	Nonconformant int `json:"nonconformant"`
	Skipped       int `json:"skipped"`
	Results       []struct {
		Source     string `json:"source"`
		Status     int    `json:"status"`
		Operation  string `json:"operation"`
		Conformant bool   `json:"conformant"`
		Findings   []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Pointer  string `json:"pointer"`
		} `json:"findings"`
	} `json:"results"`
}

func TestRunJSONDirectory(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	if err := os.RemoveAll(filepath.Join(dir, "bad")); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "--format", "json", dir}, nil, &stdout, &stderr); code != 1 {
		t.Fatalf("run = %d, want 1; stderr: %s", code, stderr.String())
	}
	var got jsonReport
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if got.Spec.Name != contract.SpecName || got.Spec.SHA256 != contract.SpecSHA256 {
		t.Errorf("spec = %+v, want %s %s", got.Spec, contract.SpecName, contract.SpecSHA256)
	}
	counts := []int{got.Checked, got.Conformant, got.Nonconformant, got.Skipped}
	if diff := cmp.Diff([]int{5, 3, 2, 1}, counts); diff != "" {
		t.Errorf("counts (checked, conformant, nonconformant, skipped) mismatch (-want +got):\n%s", diff)
	}
	var sources []string
	for _, r := range got.Results {
		rel, err := filepath.Rel(dir, r.Source)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, filepath.ToSlash(rel))
		if r.Operation == "" {
			t.Errorf("%s: operation is empty", rel)
		}
	}
	want := []string{"drift.json", "nested/deep/drift2.json", "ok.json", "session.har", "warn.json"}
	if diff := cmp.Diff(want, sources); diff != "" {
		t.Errorf("result order mismatch (-want +got):\n%s", diff)
	}
	var direction bool
	for _, f := range got.Results[0].Findings {
		direction = direction || f.Pointer == "/direction" && f.Severity == "error"
	}
	if got.Results[0].Conformant || !direction {
		t.Errorf("drift.json result = %+v, want non-conformant with an error at /direction", got.Results[0])
	}
}

func TestRunFormats(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	args := []string{filepath.Join(dir, "ok.json"), filepath.Join(dir, "drift.json"), filepath.Join(dir, "session.har")}
	tests := []struct {
		format string
		check  func(t *testing.T, out []byte)
	}{
		{format: "text", check: func(t *testing.T, out []byte) {
			s := string(out)
			if !strings.HasPrefix(s, "FAIL nonconformant: "+filepath.Join(dir, "drift.json")+", call c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1, HTTP 200\n") ||
				!strings.Contains(s, "  error  schema.enum  /direction: expected one of inbound, outbound, got outbound-api\n") ||
				!strings.HasSuffix(s, "checked 3, conformant 2, nonconformant 1, skipped 1 (spec "+contract.SpecName+" sha256 "+contract.SpecSHA256[:12]+"…)\n") {
				t.Errorf("text output:\n%s", s)
			}
			if strings.Contains(s, filepath.Join(dir, "ok.json")) {
				t.Errorf("text output lists a result without findings:\n%s", s)
			}
		}},
		{format: "json", check: func(t *testing.T, out []byte) {
			var r jsonReport
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if r.Checked != 3 || len(r.Results) != 3 || r.Skipped != 1 {
				t.Errorf("checked %d, %d results, skipped %d; want 3, 3, 1", r.Checked, len(r.Results), r.Skipped)
			}
		}},
		{format: "junit", check: func(t *testing.T, out []byte) {
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Skipped  int `xml:"skipped,attr"`
				Cases    []struct {
					Classname string    `xml:"classname,attr"`
					Failure   *struct{} `xml:"failure"`
				} `xml:"testsuite>testcase"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("not XML: %v\n%s", err, out)
			}
			if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Cases) != 3 {
				t.Errorf("tests=%d failures=%d skipped=%d cases=%d, want 3 1 1 3", doc.Tests, doc.Failures, doc.Skipped, len(doc.Cases))
			}
			if len(doc.Cases) == 3 && (doc.Cases[1].Classname != filepath.Join(dir, "drift.json") || doc.Cases[1].Failure == nil) {
				t.Errorf("second testcase = %+v, want drift.json with a failure", doc.Cases[1])
			}
		}},
		{format: "github", check: func(t *testing.T, out []byte) {
			want := "::error file=" + strings.NewReplacer(":", "%3A", ",", "%2C").Replace(filepath.Join(dir, "drift.json")) + ",title=schema.enum::/direction: expected one of inbound, outbound, got outbound-api\n"
			if !strings.Contains(string(out), want) {
				t.Errorf("github output lacks %q:\n%s", want, out)
			}
		}},
		{format: "html", check: func(t *testing.T, out []byte) {
			s := string(out)
			for _, want := range []string{"<!DOCTYPE html>", `id="verdict">FAIL<`, "<li><b>3</b>checked</li>", "<li><b>1</b>skipped</li>",
				"<code>schema.enum</code>", "/direction: expected one of inbound, outbound, got outbound-api", filepath.Join(dir, "drift.json")} {
				if !strings.Contains(s, want) {
					t.Errorf("html output lacks %q:\n%s", want, s)
				}
			}
		}},
		{format: "markdown", check: func(t *testing.T, out []byte) {
			s := string(out)
			for _, want := range []string{"## swcontract report: ❌ **FAIL**", "| 3 | 2 | 1 | 1 | 0 |",
				"| **error** (fails) | `schema.enum` | `/direction` | 1 | 1 | `/direction: expected one of inbound, outbound, got outbound-api` in `" + filepath.Join(dir, "drift.json")} {
				if !strings.Contains(s, want) {
					t.Errorf("markdown output lacks %q:\n%s", want, s)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(append([]string{"check", "--format", tt.format}, args...), nil, &stdout, &stderr); code != 1 {
				t.Fatalf("run = %d, want 1; stderr: %s", code, stderr.String())
			}
			tt.check(t, stdout.Bytes())
		})
	}
}

func TestRunOut(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	out := filepath.Join(t.TempDir(), "report.xml")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "--format", "junit", "--out", out, filepath.Join(dir, "ok.json")}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, want 0; stderr: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want it empty with --out", stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("read --out file: %v", err)
	}
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("--out file does not start with an XML header:\n%s", b)
	}

	stderr.Reset()
	bad := filepath.Join(dir, "no-such-dir", "report.xml")
	if code := run([]string{"check", "--out", bad, filepath.Join(dir, "ok.json")}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("run with an unwritable --out = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "swcontract: "+bad+": ") {
		t.Errorf("stderr = %q, want it to name %s", stderr.String(), bad)
	}
}

// TestCheckInputsInOrder checks that events come in input order whichever
// goroutine finishes first, and that unreadable inputs do not stop the
// others.
func TestCheckInputsInOrder(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	base := readBase(t)
	dir := t.TempDir()
	const n, firstBad = 300, 150
	var inputs []input
	for i := range n {
		data := base
		if i == firstBad || i == 40+firstBad || i == n-1 {
			data = []byte(`{"request": {`)
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d.json", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{name: path})
	}
	bad := map[int]bool{firstBad: true, 40 + firstBad: true, n - 1: true}
	for range 5 {
		i := 0
		for ev := range checkInputs(v, inputs, nil) {
			if ev.skipped != 0 || ev.warning != nil {
				continue
			}
			src := ""
			switch {
			case ev.result != nil:
				src = ev.result.Source
			case ev.unusable != nil:
				src = ev.unusable.Source
			}
			if src != inputs[i].name || bad[i] != (ev.unusable != nil) {
				t.Fatalf("event %d is about %s (unusable %t), want %s", i, src, ev.unusable != nil, inputs[i].name)
			}
			i++
		}
		if i != n {
			t.Fatalf("%d events, want %d", i, n)
		}
	}
}
