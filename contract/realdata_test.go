package contract_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
)

// realdataDir holds real SignalWire and Twilio responses collected from public
// repositories. It sits beside the project checkout and is not part of it; the
// tests that read it skip when it is absent. CALLWIRE_REALDATA overrides it.
func realdataDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CALLWIRE_REALDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "realdata")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.md")); err != nil {
		t.Skipf("no real-world responses at %s (set CALLWIRE_REALDATA to run these): %v", dir, err)
	}
	return dir
}

// realExpect lists, per file name prefix, the findings MANIFEST.md describes for that body.
var realExpect = map[string][]string{
	"signalwire/call-failed-outbound-api":                 {"/direction", "/audio_in_mos", "/sip_result_code"},
	"signalwire/call-initiated-outbound-api-null-times":   {"/status", "/direction", "/audio_in_mos"},
	"signalwire/call-no-answer-outbound-dial-child":       {"/direction", "/audio_in_mos"},
	"signalwire/call-completed-inbound-price-float":       {"/audio_in_mos", "/sip_result_code", "/audio_rtt_avg"},
	"signalwire/call-canceled-outbound-dial-child":        {"/direction", "/audio_out_lost"},
	"signalwire/call-queued-outbound-api-hand-anonymised": {"/direction", "/account_sid"},
	"signalwire/call-completed-inbound-2024-TRANSCRIBED":  {"/audio_in_mos", "/audio_rtt_avg", "/audio_out_lost"},
	"twilio/twilio-call-queued-outbound-api":              {"/sid", "/date_created", "/duration", "/formatted_to"},
	"twilio/twilio-call-completed-inbound-price-string":   {"/sid", "/price", "/duration", "/formatted_to"},
	"signalwire/error-messages-21717-string-code-http422": {"status", "/code"},
	"signalwire/calls-list-completed-outbound-api":        {"/audio_in_mos"},
	"signalwire/calls-list-page0":                         {"/audio_in_mos"},
}

// realStatus is the HTTP status each kind of body came with.
func realStatus(name string) int {
	switch {
	case strings.Contains(name, "error-404"):
		return http.StatusNotFound
	case strings.Contains(name, "http422"):
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func TestRealData(t *testing.T) {
	t.Parallel()
	dir := realdataDir(t)
	v := newValidator(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".meta.json") || strings.HasPrefix(rel, "spec/") {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for prefix, w := range realExpect {
				if strings.HasPrefix(rel, prefix) {
					want = w
				}
			}
			bodies := [][]byte{data}
			if strings.Contains(rel, "calls-list") {
				// A list page: check each call in it as if it were retrieved alone.
				var page struct {
					Calls []json.RawMessage `json:"calls"`
				}
				if err := json.Unmarshal(data, &page); err != nil {
					t.Fatal(err)
				}
				bodies = nil
				for _, c := range page.Calls {
					bodies = append(bodies, c)
				}
			}
			status := realStatus(rel)
			for i, body := range bodies {
				ex := contract.Exchange{Method: "GET", URL: callURLFor(body), Status: status,
					Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body}
				res := v.Check(ex)
				checked++
				if status == http.StatusNotFound {
					// Both 404 bodies (SignalWire's CLI example, Twilio's) fit CompatibilityErrorResponse.
					if !res.Conformant {
						t.Errorf("404 body %d: non-conformant: %v", i, summarize(res.Findings))
					}
					continue
				}
				if res.Conformant {
					t.Errorf("body %d: conformant, want non-conformant", i)
				}
				for _, w := range want {
					found := false
					for _, f := range res.Findings {
						if matches(f, w) {
							found = true
						}
					}
					if !found {
						t.Errorf("body %d: no finding for %s; got %v", i, w, summarize(res.Findings))
					}
				}
			}
		})
	}
	if checked == 0 {
		t.Fatalf("no bodies found under %s", dir)
	}
}

// callURLFor builds the request URL a body would have been retrieved with,
// using its own sid when it is one and a fixed account.
func callURLFor(body []byte) string {
	var b struct {
		SID string `json:"sid"`
	}
	_ = json.Unmarshal(body, &b)
	sid := b.SID
	if len(sid) != 36 {
		sid = "00000000-0000-4000-8000-000000000000"
	}
	return "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/" + sid
}
