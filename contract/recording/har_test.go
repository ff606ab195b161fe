package recording_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

const (
	harCallURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	harBody    = `{"sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","status":"completed"}`
)

// harDoc is a HAR with two "Retrieve a Call" entries (plain and base64
// content) and five entries that must be skipped.
var harDoc = `{"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
 {"request": {"method": "GET", "url": "` + harCallURL + `",
   "headers": [{"name": "Accept", "value": "application/json"},
               {"name": "Authorization", "value": "Basic c2VjcmV0"},
               {"name": "cookie", "value": "session=secret"}]},
  "response": {"status": 200,
   "headers": [{"name": "content-type", "value": "application/json; charset=utf-8"},
               {"name": "Set-Cookie", "value": "session=secret"},
               {"name": ":status", "value": "200"}],
   "content": {"size": 64, "mimeType": "application/json", "text": ` + jsonString(harBody) + `}}},
 {"request": {"method": "GET", "url": "https://user:pass@example.signalwire.com/api/laml/2010-04-01/Accounts/B3F1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D/Calls/c0c0ca11-0002-4a1e-8b0b-1ba0c0111ed1?x=1", "headers": []},
  "response": {"status": 404, "headers": [],
   "content": {"mimeType": "application/json", "encoding": "base64", "text": "` + base64.StdEncoding.EncodeToString([]byte(`{"code":20404}`)) + `"}}},
 {"request": {"method": "GET", "url": "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
 {"request": {"method": "POST", "url": "` + harCallURL + `", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
 {"request": {"method": "GET", "url": "` + harCallURL + `/", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
 {"request": {"method": "get", "url": "` + harCallURL + `", "headers": []},
  "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}},
 {"request": {"method": "GET", "url": "` + harCallURL + `", "headers": []},
  "response": {"status": 0, "headers": [], "content": {"size": 0, "mimeType": ""}}}
]}}`

func jsonString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func TestParseHAR(t *testing.T) {
	t.Parallel()
	entries, skipped, err := recording.ParseHAR("session.har", []byte(harDoc))
	if err != nil {
		t.Fatalf("ParseHAR: %v", err)
	}
	want := []recording.HAREntry{
		{
			Index:         0,
			RequestHeader: http.Header{"Accept": {"application/json"}},
			Exchange: contract.Exchange{
				Method: "GET",
				URL:    harCallURL,
				Status: 200,
				Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				Body:   []byte(harBody),
			},
		},
		{
			Index:         1,
			RequestHeader: http.Header{},
			Exchange: contract.Exchange{
				Method: "GET",
				URL:    "https://example.signalwire.com/api/laml/2010-04-01/Accounts/B3F1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D/Calls/c0c0ca11-0002-4a1e-8b0b-1ba0c0111ed1?x=1",
				Status: 404,
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   []byte(`{"code":20404}`),
			},
		},
		{
			Index:         6,
			RequestHeader: http.Header{},
			Exchange:      contract.Exchange{Method: "GET", URL: harCallURL, Header: http.Header{}},
			Unusable:      "response.status 0 is not an HTTP status (no response was captured)",
		},
	}
	if diff := cmp.Diff(want, entries); diff != "" {
		t.Errorf("entries mismatch (-want +got):\n%s", diff)
	}
	if skipped != 4 {
		t.Errorf("skipped = %d, want 4", skipped)
	}
}

func TestReadHAR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "session.har")
	if err := os.WriteFile(path, []byte(harDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, skipped, err := recording.ReadHAR(path)
	if err != nil {
		t.Fatalf("ReadHAR: %v", err)
	}
	if len(entries) != 3 || skipped != 4 {
		t.Errorf("ReadHAR = %d entries, %d skipped; want 3, 4", len(entries), skipped)
	}

	_, _, err = recording.ReadHAR(filepath.Join(dir, "missing.har"))
	var he *recording.HARError
	if !errors.As(err, &he) || he.Path != filepath.Join(dir, "missing.har") || !strings.HasPrefix(he.Reason, "cannot read") {
		t.Errorf("ReadHAR(missing) error = %v, want a *HARError naming the file", err)
	}
}

func TestParseHARErrors(t *testing.T) {
	t.Parallel()
	// secret marks content that must never show up in an error.
	const secret = "s3cr3t-body"
	entry := func(content string) string {
		return `{"log":{"entries":[{"request":{"method":"GET","url":"` + harCallURL + `","headers":[]},` +
			`"response":{"status":200,"headers":[],"content":` + content + `}}]}}`
	}
	tests := []struct {
		name   string
		data   string
		reason string
	}{
		{name: "not JSON", data: "<html>" + secret, reason: "invalid JSON: syntax error at byte 1"},
		{name: "empty", data: "", reason: "invalid JSON: empty file"},
		{name: "truncated", data: `{"log":{"entries":[{"request":`, reason: "invalid JSON: truncated"},
		{name: "trailing data", data: `{"log":{"entries":[]}} {"` + secret + `":1}`, reason: "trailing data after the HAR document"},
		{name: "no log", data: `{"` + secret + `":1}`, reason: "not a HAR: log is missing"},
		{name: "no entries", data: `{"log":{"version":"1.2"}}`, reason: "not a HAR: log.entries is missing"},
		{name: "entries not an array", data: `{"log":{"entries":{"a":"` + secret + `"}}}`, reason: "not a HAR: log.entries is not an array"},
		{name: "log twice", data: `{"log":{"entries":[]},"log":{"entries":[]}}`, reason: "not a HAR: log appears twice"},
		{name: "truncated after an entry", data: strings.TrimSuffix(entry(`{"text":"{}"}`), "]}}"), reason: "invalid JSON: truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := recording.ParseHAR("bad.har", []byte(tt.data))
			var he *recording.HARError
			if !errors.As(err, &he) {
				t.Fatalf("ParseHAR error = %v, want *contract.HARError", err)
			}
			if he.Path != "bad.har" || he.Reason != tt.reason {
				t.Errorf("HARError = {%q, %q}, want {%q, %q}", he.Path, he.Reason, "bad.har", tt.reason)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q echoes file content", err)
			}
		})
	}
}

// TestHARMatchesLikeRecordings: a HAR entry is taken exactly when a
// recording of the same request resolves to the operation (methods are
// case-sensitive, the path must match exactly); a recording that does not
// is reported as operation.unknown.
func TestHARMatchesLikeRecordings(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, url string
		taken       bool
	}{
		{"GET", harCallURL, true},
		{"GET", harCallURL + "?Page=1#x", true},
		{"GET", "https://u:p@example.signalwire.com" + strings.TrimPrefix(harCallURL, "https://example.signalwire.com"), true},
		{"GET", harCallURL + ".json", true}, // the Sid is then not a UUID: schema.format
		{"GET", strings.Replace(harCallURL, "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "AC123", 1), true},
		{"get", harCallURL, false},
		{"Get", harCallURL, false},
		{"HEAD", harCallURL, false},
		{"GET", harCallURL + "/", false},
		{"GET", strings.Replace(harCallURL, "/Calls/", "/Calls//", 1), false},
		{"GET", strings.Replace(harCallURL, "/api/laml/2010-04-01", "/proxy/api/laml/2010-04-01", 1), false},
		{"GET", strings.Replace(harCallURL, "/api/laml/2010-04-01", "", 1), false},
		{"GET", strings.Replace(harCallURL, "/Accounts/", "/accounts/", 1), false},
		{"GET", harCallURL + "/Recordings", false},
	} {
		har := `{"log":{"entries":[{"request":{"method":` + jsonString(tt.method) + `,"url":` + jsonString(tt.url) + `},` +
			`"response":{"status":200,"content":{"mimeType":"application/json","text":"{}"}}}]}}`
		entries, _, err := recording.ParseHAR("m.har", []byte(har))
		if err != nil {
			t.Fatal(err)
		}
		if taken := len(entries) == 1; taken != tt.taken {
			t.Errorf("HAR %s %s: taken %t, want %t", tt.method, tt.url, taken, tt.taken)
		}
		rec, err := recording.ParseRecording("m.json", []byte(`{"request":{"method":`+jsonString(tt.method)+`,"url":`+jsonString(tt.url)+`},"response":{"status":200,"body":{}}}`))
		if err != nil {
			t.Fatal(err)
		}
		res := v.Check(rec.Exchange())
		unknown := slices.ContainsFunc(res.Findings, func(f contract.Finding) bool { return f.Rule == contract.RuleOperation })
		if unknown == tt.taken || (res.Operation != "") != tt.taken {
			t.Errorf("recording %s %s: operation %q, operation.unknown %t; want known %t", tt.method, tt.url, res.Operation, unknown, tt.taken)
		}
	}
}

func TestParseHARTooLarge(t *testing.T) {
	t.Parallel()
	doc := `{"log":{"entries":[{"request":{"method":"GET","url":"` + harCallURL + `"},"response":{"status":200,"content":{"text":"` +
		strings.Repeat("x", 2000) + `"}}}]}}`
	_, err := recording.ScanHARLimit("big.har", strings.NewReader(doc), 1000, func(recording.HAREntry) error { return nil })
	var he *recording.HARError
	if !errors.As(err, &he) || he.Reason != "a value larger than 1000 bytes" {
		t.Errorf("ScanHAR(entry too large) error = %v, want a size HARError", err)
	}
}

// TestHARDeepBody: a body nested past the contract's limit is checked, and
// reported as body.too-deep.
func TestHARDeepBody(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	har := `{"log":{"entries":[{"request":{"method":"GET","url":"` + harCallURL + `"},` +
		`"response":{"status":200,"content":{"mimeType":"application/json","text":"` + body + `"}}}]}}`
	entries, _, err := recording.ParseHAR("deep.har", []byte(har))
	if err != nil || len(entries) != 1 {
		t.Fatalf("ParseHAR = %d entries, %v", len(entries), err)
	}
	if got := v.Check(entries[0].Exchange).Findings; len(got) != 1 || got[0].Rule != contract.RuleBodyTooDeep {
		t.Errorf("findings %+v, want one body.too-deep", got)
	}
}

// TestHARBodyBytesKept: a HAR's text is unquoted byte for byte, so a body
// whose bytes are not UTF-8 reaches the check as captured and is reported,
// whether the HAR holds it as text or in base64.
func TestHARBodyBytesKept(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	body := `{"sid":"a` + "\xff" + `b","to":"` + "\xc0\xaf" + `"}`
	for _, content := range []string{
		`{"mimeType":"application/json","text":"` + strings.ReplaceAll(body, `"`, `\"`) + `"}`,
		`{"mimeType":"application/json","encoding":"base64","text":"` + base64.StdEncoding.EncodeToString([]byte(body)) + `"}`,
	} {
		har := `{"log":{"entries":[{"request":{"method":"GET","url":"` + harCallURL + `"},"response":{"status":200,"content":` + content + `}}]}}`
		entries, _, err := recording.ParseHAR("utf8.har", []byte(har))
		if err != nil || len(entries) != 1 {
			t.Fatalf("ParseHAR = %d entries, %v", len(entries), err)
		}
		if got := string(entries[0].Exchange.Body); got != body {
			t.Errorf("body %q, want %q as in the file", got, body)
		}
		if got := v.Check(entries[0].Exchange).Findings; len(got) != 1 || got[0].Rule != contract.RuleBodyInvalidJSON ||
			!strings.Contains(got[0].Message, "invalid UTF-8 at byte 10") {
			t.Errorf("findings %+v, want body.invalid-json at byte 10", got)
		}
	}
}
