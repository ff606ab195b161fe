package contract_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

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
