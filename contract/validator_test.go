package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/openapi"
	"github.com/callwire/callwire/contract/recording"
)

const callURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

func conformantExchange(t testing.TB) contract.Exchange {
	t.Helper()
	rec, err := recording.ReadRecording(testdataDir + "/recordings/conformant/200-completed-inbound-human.json")
	if err != nil {
		t.Fatal(err)
	}
	return rec.Exchange()
}

// sharedRaw is the unwrapped libopenapi-validator for the pinned spec.
var sharedRaw = sync.OnceValues(func() (validator.Validator, error) { return openapi.NewRaw(contract.Spec) })

// rawCheck runs the unwrapped libopenapi-validator on an exchange, to show the gaps this package closes.
func rawCheck(t *testing.T, ex contract.Exchange) (bool, string) {
	t.Helper()
	raw, err := sharedRaw()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(ex.Method, ex.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := &http.Response{StatusCode: ex.Status, Header: ex.Header, Body: io.NopCloser(bytes.NewReader(ex.Body)), Request: req}
	ok, errs := raw.ValidateHttpResponse(req, resp)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message+" | "+e.Reason)
	}
	return ok, strings.Join(msgs, "\n")
}

func TestGapEmptyBody(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, body := range []string{"", "  \n\t"} {
		ex := conformantExchange(t)
		ex.Body = []byte(body)
		if ok, _ := rawCheck(t, ex); !ok {
			t.Logf("the raw validator now rejects an empty body (%q); the gap may be closed upstream", body)
		}
		res := v.Check(ex)
		if res.Conformant || len(res.Findings) != 1 || res.Findings[0].Rule != contract.RuleBodyEmpty {
			t.Errorf("body %q: got %+v, want one body.empty finding", body, res.Findings)
		}
	}
}

func TestGapMissingRootProperty(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	ex := conformantExchange(t)
	ex.Body = bytes.Replace(ex.Body, []byte(`"duration"`), []byte(`"duration_x"`), 1)
	ok, msgs := rawCheck(t, ex)
	if ok {
		t.Fatal("raw validator accepted a body without duration")
	}
	if !strings.Contains(msgs, "duration") {
		t.Logf("raw validator no longer names duration: %s", msgs)
	}
	res := v.Check(ex)
	var got []string
	for _, f := range res.Findings {
		if f.Severity == contract.SeverityError {
			got = append(got, f.Rule+" "+f.Pointer)
		}
	}
	if strings.Join(got, ",") != "schema.required /duration" {
		t.Errorf("error findings = %v, want [schema.required /duration]", got)
	}
}

// TestGapMessageEmbedsURL shows the raw message names the concrete URL, and
// checks that our fingerprints do not change with it.
func TestGapMessageEmbedsURL(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	a := conformantExchange(t)
	a.Body = bytes.Replace(a.Body, []byte(`"inbound"`), []byte(`"outbound-api"`), 1)
	b := a
	b.URL = strings.Replace(a.URL, "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "c0c0ca11-0002-4b0b-9a55-0ac41be00002", 1)
	b.Body = bytes.ReplaceAll(a.Body, []byte("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"), []byte("c0c0ca11-0002-4b0b-9a55-0ac41be00002"))
	_, msgA := rawCheck(t, a)
	_, msgB := rawCheck(t, b)
	if msgA == msgB {
		t.Logf("raw messages no longer differ by URL")
	}
	ra, rb := v.Check(a), v.Check(b)
	if len(ra.Findings) == 0 || len(ra.Findings) != len(rb.Findings) {
		t.Fatalf("findings differ: %v vs %v", ra.Findings, rb.Findings)
	}
	for i := range ra.Findings {
		if ra.Findings[i].Fingerprint != rb.Findings[i].Fingerprint {
			t.Errorf("fingerprint of %s differs between calls", ra.Findings[i].Pointer)
		}
		if strings.Contains(ra.Findings[i].Fingerprint, "c0c0ca11") {
			t.Errorf("fingerprint embeds a SID")
		}
	}
}

func TestCheckExchange(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	tests := []struct {
		name   string
		mutate func(*contract.Exchange)
		want   []string // rule pointer of error findings
	}{
		{"conformant", func(*contract.Exchange) {}, nil},
		{"charset", func(ex *contract.Exchange) {
			ex.Header = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		}, nil},
		{"no content type", func(ex *contract.Exchange) { ex.Header = http.Header{} }, []string{"content-type header:Content-Type"}},
		{"html", func(ex *contract.Exchange) {
			ex.Header = http.Header{"Content-Type": {"text/html"}}
		}, []string{"content-type header:Content-Type"}},
		{"unknown path", func(ex *contract.Exchange) {
			ex.URL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/x/Messages"
		},
			[]string{"operation.unknown request"}},
		{"POST", func(ex *contract.Exchange) { ex.Method = "POST" }, []string{"operation.unknown request"}},
		{"path sid not uuid", func(ex *contract.Exchange) {
			ex.URL = strings.Replace(ex.URL, "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "CA123", 1)
		},
			[]string{"schema.format request:Sid"}},
		{"undocumented 418", func(ex *contract.Exchange) {
			ex.Status = 418
			ex.Body = []byte(`{"code":418,"message":"I'm a teapot","more_info":"https://example.com","status":418}`)
		}, []string{"status.undocumented status"}},
		{"undocumented 429 with a call body", func(ex *contract.Exchange) { ex.Status = 429 },
			[]string{"schema.required /code", "schema.required /message", "schema.required /more_info", "schema.type /status", "status.undocumented status"}},
		{"array body", func(ex *contract.Exchange) { ex.Body = []byte(`[1,2]`) }, []string{"schema.type "}},
		{"answered_by robot", func(ex *contract.Exchange) {
			ex.Body = bytes.Replace(ex.Body, []byte(`"answered_by": "human"`), []byte(`"answered_by": "robot"`), 1)
		}, []string{"schema.enum /answered_by"}},
		{"nested required", func(ex *contract.Exchange) {
			ex.Body = bytes.Replace(ex.Body, []byte(`"recordings"`), []byte(`"recordingz"`), 1)
		}, []string{"schema.required /subresource_uris/recordings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := conformantExchange(t)
			tt.mutate(&ex)
			res := v.Check(ex)
			var got []string
			for _, f := range res.Findings {
				if f.Severity == contract.SeverityError {
					got = append(got, f.Rule+" "+f.Pointer)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("errors = %q, want %q", got, tt.want)
			}
			if res.Conformant != (len(tt.want) == 0) {
				t.Errorf("conformant = %v", res.Conformant)
			}
		})
	}
}

func TestFingerprintStable(t *testing.T) {
	t.Parallel()
	// A fixed value: changing the fingerprint scheme breaks every stored drift baseline.
	if got, want := contract.Fingerprint("schema.enum", "/direction", "one of inbound, outbound"), "4052ce1e457fbc05"; got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
}

func TestSpecPinned(t *testing.T) {
	t.Parallel()
	onDisk, err := os.ReadFile(contract.SpecName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, contract.Spec) || len(contract.SpecSHA256) != 64 {
		t.Errorf("embedded spec differs from %s", contract.SpecName)
	}
}

// withMembers returns ex with members (such as `"a":1,"b":2`) added at the
// start of its body's top-level object.
func withMembers(ex contract.Exchange, members string) contract.Exchange {
	i := bytes.IndexByte(ex.Body, '{')
	ex.Body = append([]byte(string(ex.Body[:i+1])+members+","), ex.Body[i+1:]...)
	return ex
}

// ruleFindings returns the findings of res with the given rule.
func ruleFindings(res contract.Result, rule string) []contract.Finding {
	var out []contract.Finding
	for _, f := range res.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestUndeclaredOneFindingPerObject: the undeclared properties of one object
// make one finding, at the object, whatever their number; its fingerprint
// covers every name and not their order.
func TestUndeclaredOneFindingPerObject(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	base := conformantExchange(t)
	undeclared := func(members string) []contract.Finding {
		t.Helper()
		res := v.Check(withMembers(base, members))
		if !res.Conformant {
			t.Fatalf("%s: not conformant: %v", members, summarize(res.Findings))
		}
		return ruleFindings(res, "schema.undeclared")
	}
	two := undeclared(`"queue_time":1,"trunk_sid":"x"`)
	if len(two) != 1 || two[0].Pointer != "" || two[0].Severity != contract.SeverityInfo ||
		!strings.Contains(two[0].Message, "queue_time") || !strings.Contains(two[0].Message, "trunk_sid") {
		t.Fatalf("two undeclared properties: got %v, want one info finding at the root naming both", summarize(two))
	}
	if swapped := undeclared(`"trunk_sid":"x","queue_time":1`); len(swapped) != 1 || swapped[0].Fingerprint != two[0].Fingerprint {
		t.Errorf("the fingerprint depends on the order of the members: %v vs %v", summarize(swapped), summarize(two))
	}
	if three := undeclared(`"queue_time":1,"trunk_sid":"x","zz_new":true`); len(three) != 1 || three[0].Fingerprint == two[0].Fingerprint {
		t.Errorf("a new undeclared property left the fingerprint as it was: %v", summarize(three))
	}
	many := make([]string, 90_000)
	for i := range many {
		many[i] = fmt.Sprintf(`"u%05d":0`, i)
	}
	flood := undeclared(strings.Join(many, ","))
	if len(flood) != 1 || !strings.Contains(flood[0].Message, "90000 properties") || len(flood[0].Message) > 512 {
		t.Errorf("90,000 undeclared properties: got %d findings, message %.600q", len(flood), flood[0].Message)
	}
}

// TestFindingsCapped: an exchange lists at most contract.MaxFindings
// findings, the most severe first, the last saying how many were left out.
func TestFindingsCapped(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	base := conformantExchange(t)
	dups := make([]string, 300)
	for i := range dups {
		dups[i] = `{"a":1,"a":2}`
	}
	undeclared := `"x":[` + strings.Join(dups, ",") + `]`
	for _, tt := range []struct {
		name   string
		errors int
	}{
		// 300 objects repeating a name (warnings) and the undeclared x (info).
		{"warnings", 0},
		// and 3 errors, which must all be kept.
		{"errors", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := withMembers(base, undeclared)
			if tt.errors > 0 {
				for _, r := range [][2]string{{`"duration": 282`, `"duration": "1"`}, {`"inbound"`, `"up"`}, {`"answered_by": "human"`, `"answered_by": "robot"`}} {
					ex.Body = bytes.Replace(ex.Body, []byte(r[0]), []byte(r[1]), 1)
				}
			}
			total := 301 + tt.errors
			res := v.Check(ex)
			if len(res.Findings) != 100 {
				t.Fatalf("%d findings, want 100", len(res.Findings))
			}
			last := res.Findings[len(res.Findings)-1]
			if last.Rule != "findings.truncated" || !strings.HasPrefix(last.Message, fmt.Sprintf("%d of %d", total-99, total)) {
				t.Errorf("last finding %+v, want findings.truncated counting %d of %d", last, total-99, total)
			}
			if res.Conformant != (tt.errors == 0) {
				t.Errorf("conformant = %t with %d errors", res.Conformant, tt.errors)
			}
			if res.Errors() != tt.errors {
				t.Errorf("%d errors kept, want all %d: %v", res.Errors(), tt.errors, summarize(res.Findings[:5]))
			}
			for _, f := range res.Findings {
				if len(f.Message) > 1024 || len(f.Pointer) > 300 || len(f.Actual) > 512 {
					t.Errorf("unbounded finding: %.200q", f.Message)
				}
			}
		})
	}
}

// TestHostileBodies: bodies that are not JSON in the sense of RFC 8259, or
// that JSON readers disagree on, get their own findings.
func TestHostileBodies(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	base := conformantExchange(t)
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name    string
		body    string
		want    string // rule pointer severity of the finding expected
		message string // substring of its message
		only    bool   // want is the only finding
	}{
		{"0xFF in a string", `{"sid":"a` + "\xff" + `b"}`, "body.invalid-json  error", "invalid UTF-8 at byte 10", true},
		{"overlong slash", `{"to":"` + "\xc0\xaf" + `"}`, "body.invalid-json  error", "invalid UTF-8 at byte 8", true},
		{"surrogate as UTF-8", `{"to":"` + "\xed\xa0\x80" + `"}`, "body.invalid-json  error", "invalid UTF-8 at byte 8", true},
		{"broken enum value", `{"direction":"inbo` + "\xe2\x82" + `nd"}`, "body.invalid-json  error", "invalid UTF-8 at byte 19", true},
		{"invalid name", `{"` + "\xff" + `":1}`, "body.invalid-json  error", "invalid UTF-8 at byte 3", true},
		{"too deep", deep(10001), "body.too-deep  error", "nested deeper than 10000 levels", true},
		{"too deep object", strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001), "body.too-deep  error", "nested deeper than 10000 levels", true},
		{"form feed", "\f", "body.invalid-json  error", "syntax error at byte 1", true},
		{"vertical tab", " \v ", "body.invalid-json  error", "syntax error at byte 2", true},
		{"no-break space", "\u00a0", "body.invalid-json  error", "syntax error at byte 1", true},
		{"next line", "\u0085", "body.invalid-json  error", "syntax error at byte 1", true},
		{"JSON whitespace", " \t\r\n", "body.empty  error", "empty", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := base
			ex.Body = []byte(tt.body)
			res := v.Check(ex)
			var got []string
			found := false
			for _, f := range res.Findings {
				got = append(got, f.Rule+" "+f.Pointer+" "+string(f.Severity))
				if f.Rule+" "+f.Pointer+" "+string(f.Severity) == tt.want && strings.Contains(f.Message, tt.message) {
					found = true
				}
			}
			if !found || tt.only && len(got) != 1 {
				t.Errorf("findings %q, want %q with %q", got, tt.want, tt.message)
			}
		})
	}
	// Nesting up to the limit is fine: the body is checked as any other.
	ex := base
	ex.Body = []byte(deep(10000))
	if got := v.Check(ex).Findings; len(got) != 1 || got[0].Rule != "schema.type" {
		t.Errorf("10,000 levels: %v, want the one schema.type of an array body", summarize(got))
	}
}

// TestDuplicateMembers: a member name that appears twice in an object is a
// warning at the object, naming it, whichever value comes last.
func TestDuplicateMembers(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	base := conformantExchange(t)
	var sid string
	if err := json.Unmarshal(base.Body, &struct {
		SID *string `json:"sid"`
	}{&sid}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, members, pointer, names string
	}{
		// The body already holds the real sid, last: readers that keep the first value see a bad one.
		{"bad first", `"sid":"not-a-uuid"`, "", `"sid"`},
		{"good first", `"sid":"` + sid + `"`, "", `"sid"`},
		{"nested", `"subresource_uris":{"recordings":"/a","recordings":"/b","notifications":null}`, "", `"subresource_uris"`},
		{"inside an undeclared value", `"x":[{},{"k":1,"k":2,"j":1,"j":2}]`, "/x/1", `"j", "k"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := v.Check(withMembers(base, tt.members))
			dups := ruleFindings(res, "body.duplicate-key")
			if len(dups) == 0 {
				t.Fatalf("no body.duplicate-key finding; got %v", summarize(res.Findings))
			}
			found := false
			for _, f := range dups {
				if f.Pointer == tt.pointer && f.Severity == contract.SeverityWarning && strings.Contains(f.Message, tt.names) {
					found = true
				}
			}
			if !found {
				t.Errorf("no warning at %q naming %s; got %v", tt.pointer, tt.names, summarize(dups))
			}
		})
	}
}

// TestMatchIsExact: the request must be the documented method, exactly, and
// the documented path, exactly.
func TestMatchIsExact(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, tt := range []struct {
		name, method, url string
		known             bool
	}{
		{"documented", "GET", callURL, true},
		{"query and fragment", "GET", callURL + "?a=1#f", true},
		{"lower-case method", "get", callURL, false},
		{"mixed-case method", "Get", callURL, false},
		{"trailing slash", "GET", callURL + "/", false},
		{"double slash", "GET", strings.Replace(callURL, "/Calls/", "/Calls//", 1), false},
		{"empty parameter", "GET", strings.Replace(callURL, "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "", 1), false},
		{"no base path", "GET", strings.Replace(callURL, "/api/laml/2010-04-01", "", 1), false},
		{"case of a literal segment", "GET", strings.Replace(callURL, "/Calls/", "/calls/", 1), false},
		{"extra segment", "GET", callURL + "/Recordings", false},
		{"relative", "GET", "api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := conformantExchange(t)
			ex.Method, ex.URL = tt.method, tt.url
			res := v.Check(ex)
			if known := res.Operation != ""; known != tt.known {
				t.Errorf("%s %s: operation %q, want known %t", tt.method, tt.url, res.Operation, tt.known)
			}
			if unknown := len(ruleFindings(res, "operation.unknown")) > 0; unknown == tt.known {
				t.Errorf("%s %s: findings %v", tt.method, tt.url, summarize(res.Findings))
			}
		})
	}
}

// TestSubresourceUndeclared: an undeclared property inside subresource_uris
// (declared through a $ref that carries a description) is reported there.
func TestSubresourceUndeclared(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	ex := conformantExchange(t)
	ex.Body = bytes.Replace(ex.Body, []byte(`"recordings"`), []byte(`"events":"/e","recordings"`), 1)
	got := ruleFindings(v.Check(ex), "schema.undeclared")
	if len(got) != 1 || got[0].Pointer != "/subresource_uris" || !strings.Contains(got[0].Message, `"events"`) {
		t.Errorf("got %v, want one schema.undeclared at /subresource_uris naming events", summarize(got))
	}
}

// prunedCases are bodies whose parts the pruned check leaves out: members
// that are undeclared, objects and arrays where the schema declares nothing,
// with repeated names and errors inside them.
var prunedCases = []string{
	`"x":{"a":1,"a":2},"y":[{"b":1,"b":{"c":1,"c":2}}]`,
	`"answered_by":{"a":1,"a":2}`,
	`"answered_by":["human"]`,
	`"direction":{"inbound":true}`,
	`"subresource_uris":{"recordings":"/r","notifications":null,"notifications":"/n","z":[1,{"q":1,"q":1}]}`,
	`"subresource_uris":[{"recordings":"/r"}]`,
	`"z":1,"z":2,"y":3`,
	`"duration":{"x":1}`,
	`"x":"` + "\xff" + `"`,
	`"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999),
}

// TestCheckMatchesCheckDecoded: Check, which builds only what the checks
// read, reports exactly what CheckDecoded, which decodes the whole body,
// reports.
func TestCheckMatchesCheckDecoded(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	var exchanges []contract.Exchange
	for _, sub := range []string{"conformant", "drift", "warning"} {
		for _, path := range recordingFiles(t, sub) {
			rec, err := recording.ReadRecording(path)
			if err != nil {
				t.Fatal(err)
			}
			exchanges = append(exchanges, rec.Exchange())
		}
	}
	base := conformantExchange(t)
	for _, members := range prunedCases {
		exchanges = append(exchanges, withMembers(base, members))
	}
	for _, body := range []string{`[{"a":1,"a":1}]`, `{"sid":[]}`, `"x"`, `{}`, `[]`} {
		ex := base
		ex.Body = []byte(body)
		exchanges = append(exchanges, ex)
	}
	for i, ex := range exchanges {
		full, _ := v.CheckDecoded(ex)
		if diff := cmp.Diff(full, v.Check(ex)); diff != "" {
			t.Errorf("exchange %d %.80q: Check differs from CheckDecoded (-CheckDecoded +Check):\n%s", i, ex.Body, diff)
		}
	}
}

// FuzzCheckMatchesCheckDecoded compares Check and CheckDecoded on any body,
// as a 200 and as a 404.
func FuzzCheckMatchesCheckDecoded(f *testing.F) {
	base := conformantExchange(f)
	f.Add(base.Body)
	for _, members := range prunedCases {
		f.Add(withMembers(base, members).Body)
	}
	v := newValidator(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{200, 404} {
			ex := base
			ex.Status, ex.Body = status, body
			full, _ := v.CheckDecoded(ex)
			if diff := cmp.Diff(full, v.Check(ex)); diff != "" {
				t.Errorf("status %d: Check differs from CheckDecoded (-CheckDecoded +Check):\n%s", status, diff)
			}
		}
	})
}

// TestFingerprintNames pins the fingerprint of a finding about names, as
// TestFingerprintStable pins Fingerprint: drift baselines store it.
func TestFingerprintNames(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	res := v.Check(withMembers(conformantExchange(t), `"queue_time":1,"trunk_sid":"x"`))
	got := ruleFindings(res, contract.RuleUndeclared)
	want := contract.FingerprintNames(contract.RuleUndeclared, "", "only declared properties", []string{"queue_time", "trunk_sid"})
	if len(got) != 1 || got[0].Fingerprint != want || want != "7ca5102572892eff" {
		t.Errorf("fingerprint %v, want %s (7ca5102572892eff)", summarize(got), want)
	}
	if contract.FingerprintNames(contract.RuleUndeclared, "", "only declared properties", []string{"queue_timetrunk_sid"}) == want {
		t.Errorf("names are not delimited in the fingerprint")
	}
}

// TestMatchNormalizesPaths: paths are compared after RFC 3986's
// normalization of percent-encoded unreserved characters (section 6.2.2.2),
// and the Twilio-style {Sid}.json is the same operation, its Sid read
// without the suffix (no format error, no identity warning). Other
// suffixes, and .json on any other segment, stay part of the parameter,
// whose format Check reports.
func TestMatchNormalizesPaths(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	const sid, account = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	const conformant, unknown = "", "operation.unknown"
	formatError := func(p string) string { return "schema.format request:" + p }
	for _, tt := range []struct {
		name, url string
		want      string // "" for conformant, else the one error finding
	}{
		{"%43alls", strings.Replace(callURL, "/Calls/", "/%43alls/", 1), conformant},
		{"lower-case hex %63", strings.Replace(callURL, "/Calls/", "/%43%61lls/", 1), conformant},
		{"every letter encoded", strings.Replace(callURL, "/Accounts/", "/%41%63%63%6F%75%6E%74%73/", 1), conformant},
		{"encoded digit and hyphens in the base path", strings.Replace(callURL, "/2010-04-01/", "/%32010%2D04%2D01/", 1), conformant},
		{"encoded letter in the base path", strings.Replace(callURL, "/api/", "/%61pi/", 1), conformant},
		{"encoded character in a parameter", strings.Replace(callURL, sid, "%63"+sid[1:], 1), conformant},
		{"{Sid}.json", callURL + ".json", conformant},
		{"{Sid}%2Ejson", callURL + "%2Ejson", conformant},
		{"{Sid}.%6Ason", callURL + ".%6Ason", conformant},
		{"{Sid}.json with a query", callURL + ".json?x=1", conformant},
		{"encoded slash is not a separator", strings.Replace(callURL, "/Calls/", "/Calls%2F", 1), unknown},
		{"encoded letter of another case", strings.Replace(callURL, "/Calls/", "/%63alls/", 1), unknown},
		{"encoded reserved character", strings.Replace(callURL, "/Calls/", "/Calls%3B/", 1), unknown},
		{".json on a fixed segment", strings.Replace(callURL, "/Calls/", "/Calls.json/", 1), unknown},
		{".json alone is no Sid", strings.Replace(callURL, sid, ".json", 1), formatError("Sid")},
		{".xml", callURL + ".xml", formatError("Sid")},
		{".JSON", callURL + ".JSON", formatError("Sid")},
		{".json twice", callURL + ".json.json", formatError("Sid")},
		{".json on the account", strings.Replace(callURL, account, account+".json", 1), formatError("AccountSid")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, params, ok := v.Match("GET", tt.url)
			if ok != (tt.want != unknown) {
				t.Fatalf("Match(%s) = %q, %v, %t; want a match %t", tt.url, id, params, ok, tt.want != unknown)
			}
			if tt.want == conformant && (params["Sid"] != sid || params["AccountSid"] != account) {
				t.Errorf("%s: params %v, want Sid %s and AccountSid %s", tt.url, params, sid, account)
			}
			ex := conformantExchange(t)
			ex.URL = tt.url
			res := v.Check(ex)
			var errs []string
			for _, f := range res.Findings {
				if f.Severity == contract.SeverityError {
					errs = append(errs, f.Rule+" "+f.Pointer)
				}
			}
			if tt.want == conformant {
				if len(res.Findings) != 0 {
					t.Errorf("%s: findings %v, want none", tt.url, summarize(res.Findings))
				}
				return
			}
			if len(errs) != 1 || errs[0] != tt.want && !strings.HasPrefix(errs[0], tt.want+" ") {
				t.Errorf("%s: errors %q, want %s", tt.url, errs, tt.want)
			}
		})
	}
}
