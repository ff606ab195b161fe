package recording_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

// harSeedURL is a "Retrieve a Call" URL as a browser export writes it.
const harSeedURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

// harSeeds are documents next to a valid HAR: each check of ParseHAR just
// passed or just failed.
var harSeeds = []string{
	`{"log":{"entries":[]}}`,
	`{"log":{}}`,
	`{"log":null}`,
	`{}`,
	`{"log":{"entries":[{}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"https://u:p@h/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1?x=1#f"},"response":{"status":200}}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"` + harSeedURL + `"},"response":{"status":200,"content":{"encoding":"base64","text":"!!"}}}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"` + harSeedURL + `"},"response":{"status":200,"content":{"encoding":"gzip","text":"x"}}}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"` + harSeedURL + `","headers":[{"name":"authorization","value":"Basic eA=="},{"name":"Proxy-Authorization","value":"x"},{"name":"COOKIE","value":"s"}]},` +
		`"response":{"status":599,"headers":[{"name":"set-cookie","value":"s"},{"name":":status","value":"599"},{"name":"","value":"x"}],"content":{"mimeType":"text/html","text":"<html>"}}}]}}`,
	`{"log":{"entries":[{"request":{"method":"get","url":"` + harSeedURL + `"},"response":{"status":200}}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"` + harSeedURL + `"},"response":{"status":600}}]}}`,
	`{"log":{"entries":[{"request":{"method":"GET","url":"%zz/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},"response":{"status":200}}]}}`,
	`{"log":{"entries":[]}} {}`,
	`{"log":{"entries":[]}}}`, // a stray closing brace after the document (found by fuzzing)
	`{"log":{"entries":[]}}]`,
	`{"log":{"entries":{}}}`,
	`null`, `[]`, ``,
}

// harCallPath is an independent statement of the request paths ParseHAR
// takes: the operation's path template, exactly.
var harCallPath = regexp.MustCompile(`^/api/laml/2010-04-01/Accounts/[^/]+/Calls/[^/]+$`)

// FuzzParseHAR feeds any document to ParseHAR. It either fails with a
// *HARError or returns GET "Retrieve a Call" exchanges without credentials,
// cookies or user information, accounting for every entry.
func FuzzParseHAR(f *testing.F) {
	// Each recording as a one-entry HAR, with its body as text and as base64.
	for _, path := range fuzzRecordingFiles(f) {
		rec, err := recording.ReadRecording(path)
		if err != nil {
			f.Fatal(err)
		}
		ex := rec.Exchange()
		f.Add(harOf(ex, false))
		f.Add(harOf(ex, true))
	}
	for _, s := range harSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, skipped, err := recording.ParseHAR("fuzz.har", data)
		if err != nil {
			var he *recording.HARError
			if !errors.As(err, &he) || he.Path != "fuzz.har" {
				t.Fatalf("error %v (%T) is not a *HARError for the name given", err, err)
			}
			if entries != nil || skipped != 0 {
				t.Errorf("%d entries, %d skipped returned with an error", len(entries), skipped)
			}
			if n := len(err.Error()); n > 512 {
				t.Errorf("error message of %d bytes", n)
			}
			return
		}
		var doc struct {
			Log struct {
				Entries []json.RawMessage `json:"entries"`
			} `json:"log"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("ParseHAR accepted a document encoding/json refuses: %v", err)
		}
		if len(entries)+skipped != len(doc.Log.Entries) || skipped < 0 {
			t.Fatalf("%d entries + %d skipped, but the file has %d", len(entries), skipped, len(doc.Log.Entries))
		}
		last := -1
		for _, e := range entries {
			if e.Index <= last || e.Index >= len(doc.Log.Entries) {
				t.Fatalf("entry index %d out of order or range", e.Index)
			}
			last = e.Index
			checkHAREntry(t, e)
		}
	})
}

func checkHAREntry(t *testing.T, e recording.HAREntry) {
	t.Helper()
	ex := e.Exchange
	if e.Unusable == "" && (ex.Status < 100 || ex.Status > 599) {
		t.Fatalf("entry %d: status %d, and not unusable", e.Index, ex.Status)
	}
	if ex.Method != http.MethodGet || ex.Header == nil || e.RequestHeader == nil {
		t.Fatalf("entry %d: method %q, status %d, headers %v/%v", e.Index, ex.Method, ex.Status, ex.Header, e.RequestHeader)
	}
	u, err := url.Parse(ex.URL)
	if err != nil || u.User != nil || !harCallPath.MatchString(u.EscapedPath()) {
		t.Fatalf("entry %d: URL %q (user %v): %v", e.Index, ex.URL, u.User, err)
	}
	for _, name := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
		if _, ok := e.RequestHeader[name]; ok {
			t.Fatalf("entry %d kept request header %s", e.Index, name)
		}
	}
	for name := range e.RequestHeader {
		if strings.HasPrefix(name, ":") {
			t.Fatalf("entry %d kept pseudo-header %s", e.Index, name)
		}
	}
	for name := range ex.Header {
		if name == "Set-Cookie" || strings.HasPrefix(name, ":") {
			t.Fatalf("entry %d kept response header %s", e.Index, name)
		}
	}
}

// harOf writes ex as a HAR with one entry.
func harOf(ex contract.Exchange, b64 bool) []byte {
	type header struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	var hs []header
	for k, vs := range ex.Header {
		for _, v := range vs {
			hs = append(hs, header{k, v})
		}
	}
	content := map[string]string{"mimeType": ex.Header.Get("Content-Type"), "text": string(ex.Body)}
	if b64 {
		content["encoding"] = "base64"
		content["text"] = base64.StdEncoding.EncodeToString(ex.Body)
	}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "entries": []any{map[string]any{
		"request":  map[string]any{"method": ex.Method, "url": ex.URL, "headers": []header{{"Accept", "application/json"}}},
		"response": map[string]any{"status": ex.Status, "headers": hs, "content": content},
	}}}}
	b, _ := json.Marshal(doc)
	return b
}
