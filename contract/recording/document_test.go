package recording_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

// harWith is a HAR with one "Retrieve a Call" entry whose response has the
// given header list and content.
func harWith(headers, content string) string {
	return `{"log":{"entries":[{"request":{"method":"GET","url":"` + harCallURL + `","headers":[]},` +
		`"response":{"status":200,"headers":[` + headers + `],"content":` + content + `}}]}}`
}

// TestHARHeadersAsReceived: the header list is what was received;
// content.mimeType stands in only for a list without Content-Type, and a
// repeated field is still reported.
func TestHARHeadersAsReceived(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	const content = `{"mimeType":"application/json","text":"{}"}`
	for _, tt := range []struct {
		name     string
		headers  string
		want     []string
		repeated bool
	}{
		{"no Content-Type", `{"name":"Server","value":"x"}`, []string{"application/json"}, false},
		{"empty Content-Type", `{"name":"Content-Type","value":""}`, []string{""}, false},
		{"empty and text/html", `{"name":"content-type","value":""},{"name":"Content-Type","value":"text/html"}`, []string{"", "text/html"}, true},
		{"text/html", `{"name":"Content-Type","value":"text/html"}`, []string{"text/html"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries, _, err := recording.ParseHAR("h.har", []byte(harWith(tt.headers, content)))
			if err != nil || len(entries) != 1 {
				t.Fatalf("ParseHAR = %d entries, %v", len(entries), err)
			}
			ex := entries[0].Exchange
			if diff := cmp.Diff(tt.want, ex.Header.Values("Content-Type")); diff != "" {
				t.Errorf("Content-Type mismatch (-want +got):\n%s", diff)
			}
			res := v.Check(ex)
			repeated := slices.ContainsFunc(res.Findings, func(f contract.Finding) bool { return f.Rule == contract.RuleHeaderRepeated })
			if repeated != tt.repeated {
				t.Errorf("header.repeated %t, want %t: %+v", repeated, tt.repeated, res.Findings)
			}
			if res.Conformant && tt.want[0] != "application/json" {
				t.Errorf("conformant with Content-Type %q", tt.want)
			}
		})
	}
}

// TestHARUnusableEntries: a "Retrieve a Call" entry that cannot be checked
// is handed out with its reason, never quoting the file, and the entries
// after it are still read.
func TestHARUnusableEntries(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-body"
	call := func(response string) string {
		return `{"request":{"method":"GET","url":"` + harCallURL + `"},"response":` + response + `}`
	}
	doc := `{"log":{"entries":[` + strings.Join([]string{
		call(`{"status":200,"content":{"encoding":"base64","text":"` + secret + `!"}}`),
		call(`{"status":200,"content":{"encoding":"gzip` + secret + strings.Repeat("z", 50) + `","text":"x"}}`),
		call(`{"status":"200","content":{"text":"` + secret + `"}}`),
		call(`{"status":0}`),
		`{"request":{"method":"GET","url":7},"response":{"status":200}}`,
		call(`{"status":200,"content":{"text":"{}"}}`),
	}, ",") + `]}}`
	var got []string
	sum, err := recording.ScanHAR("u.har", strings.NewReader(doc), func(e recording.HAREntry) error {
		got = append(got, fmt.Sprintf("%d %s", e.Index, e.Unusable))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0 response.content: text is not valid base64",
		`1 response.content: encoding "gzips3cr3t-bodyzzzzzzzzzzzzzzzzz…" is not supported`,
		"2 response.status must be int (byte 202)",
		"3 response.status 0 is not an HTTP status (no response was captured)",
		"5 ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries mismatch (-want +got):\n%s", diff)
	}
	if sum.Entries != 6 || sum.Skipped != 1 {
		t.Errorf("summary %+v, want 6 entries, 1 skipped", sum)
	}
}

// TestHARCredentials: every credential a HAR holds is named once, by
// header or parameter, never by value; the entries stay usable and their
// URLs carry no credential.
func TestHARCredentials(t *testing.T) {
	t.Parallel()
	const secret = "TOPSECRETVALUE"
	doc := `{"log":{"entries":[
 {"request":{"method":"GET","url":"https://u:` + secret + `@example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1?Page=1&api_token=` + secret + `&Access-Token=` + secret + `#frag",
   "headers":[{"name":"authorization","value":"Basic ` + secret + `"},{"name":"Cookie","value":"s=` + secret + `"}]},
  "response":{"status":200,"headers":[{"name":"Set-Cookie","value":"s=` + secret + `"}],"content":{"mimeType":"application/json","text":"{}"}}},
 {"request":{"method":"GET","url":"https://example.signalwire.com/other?key=` + secret + `","headers":[{"name":"Authorization","value":"Bearer ` + secret + `"}]},
  "response":{"status":200,"content":{}}},
 {"request":{"method":"GET","url":"` + harCallURL + `"},"response":{"status":200,"content":{"text":"{}"}}}]}}`
	var entries []recording.HAREntry
	sum, err := recording.ScanHAR("c.har", strings.NewReader(doc), func(e recording.HAREntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Authorization header", "Cookie header", "Set-Cookie header", "URL user information",
		`query parameter "Access-Token"`, `query parameter "api_token"`, `query parameter "key"`}
	slices.Sort(want)
	if diff := cmp.Diff(want, sum.Credentials); diff != "" {
		t.Errorf("credentials mismatch (-want +got):\n%s", diff)
	}
	if len(entries) != 2 || entries[0].Unusable != "" || entries[1].Unusable != "" {
		t.Fatalf("entries %+v, want two usable", entries)
	}
	if got, want := entries[0].Exchange.URL, "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1?Page=1&api_token=REDACTED&Access-Token=REDACTED"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if s := fmt.Sprintf("%+v %+v", entries, sum); strings.Contains(s, secret) {
		t.Errorf("a credential's value survived reading: %s", s)
	}
}

// TestReadDocument: a HAR and a recording are told apart by content.
func TestReadDocument(t *testing.T) {
	t.Parallel()
	rec, err := os.ReadFile(testdataDir + "/recordings/conformant/200-completed-inbound-human.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, data string
		har        bool
		entries    int
		err        string
	}{
		{name: "HAR", data: harDoc, har: true, entries: 3},
		{name: "HAR with log last", data: `{"_x":{"a":[1,2]},"comment":"c","log":{"entries":[]}}`, har: true},
		{name: "recording", data: string(rec)},
		{name: "recording with a log field", data: strings.Replace(string(rec), `{`, `{"log2":1,`, 1), err: `invalid JSON: unknown field "log2"`},
		{name: "array", data: `[1]`, err: "invalid JSON: "},
		{name: "truncated", data: `{"request": {`, err: "invalid JSON: malformed"},
		{name: "text", data: "not a recording", err: "invalid JSON: syntax error"},
		{name: "empty", data: " \n\t", err: "empty input"},
		{name: "broken HAR", data: `{"log": {"entries": 3}}`, har: true, err: "not a HAR: log.entries is not an array"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := 0
			doc, err := recording.ReadDocument("in", strings.NewReader(tt.data), func(recording.HAREntry) error { n++; return nil })
			if tt.err == "" && err != nil {
				t.Fatalf("ReadDocument: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("ReadDocument error = %v, want %q", err, tt.err)
			}
			if (doc.HAR != nil) != (tt.har && err == nil || tt.har && doc.HAR != nil) || n != tt.entries {
				t.Errorf("HAR %v, %d entries; want HAR %t, %d entries", doc.HAR, n, tt.har, tt.entries)
			}
			if tt.err == "" && !tt.har && doc.Recording == nil {
				t.Errorf("no recording")
			}
			if tt.name == "empty" && !errors.Is(err, recording.ErrEmpty) {
				t.Errorf("error %v, want ErrEmpty", err)
			}
		})
	}
}

// TestScanHARStreams: entries are handed out as they are read, before the
// rest of the document has arrived.
func TestScanHARStreams(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	got := make(chan int, 1)
	done := make(chan error, 1)
	go func() {
		_, err := recording.ReadDocument("pipe", pr, func(e recording.HAREntry) error {
			got <- e.Index
			return nil
		})
		done <- err
	}()
	entry := `{"request":{"method":"GET","url":"` + harCallURL + `"},"response":{"status":200,"content":{"text":"{}"}}}`
	if _, err := io.WriteString(pw, `{"log":{"entries":[`+entry+`,`); err != nil {
		t.Fatal(err)
	}
	if i := <-got; i != 0 {
		t.Fatalf("first entry %d", i)
	}
	if _, err := io.WriteString(pw, entry+`]}}`); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if i := <-got; i != 1 {
		t.Fatalf("second entry %d", i)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	_ = http.MethodGet
}
