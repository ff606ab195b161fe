package recording_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/callwire/callwire/contract/recording"
)

// recordingSeeds are documents next to a valid recording: each check of
// ParseRecording just passed or just failed.
var recordingSeeds = []string{
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":99}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":600}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200,"body":null}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200,"body":{},"body_text":""}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200,"body_text":"<html>\u0000\ud800"}}`,
	`{"request":{"method":"GET","url":"u","headers":{"authorization":["Basic eA=="]}},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u","headers":{"Accept":null}},"response":{"status":200,"headers":{"A":[]}}}`,
	`{"request":{"method":"GET","url":"u","headers":{"accept":["a"],"ACCEPT":null}},"response":{"status":200,"headers":{"content-type":["x"],"Content-Type":["y"],"a b":["c"]}}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"expect":{"conformant":true,"findings":null}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"extra":1}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}} {}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}}]`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":"200"}}`,
	`{"request":{"method":"","url":"u"},"response":{"status":200}}`,
	`{"request":{"method":"GET"},"response":{"status":200}}`,
	`null`, `[]`, ``, `{`,
}

// FuzzParseRecording feeds any document to ParseRecording. It either fails
// with a *RecordingError or returns a recording that passes its own checks,
// gives an exchange, and reads back the same after being written out.
func FuzzParseRecording(f *testing.F) {
	for _, path := range fuzzRecordingFiles(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range recordingSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := recording.ParseRecording("fuzz.json", data)
		if err != nil {
			var re *recording.RecordingError
			if !errors.As(err, &re) || re.Path != "fuzz.json" {
				t.Fatalf("error %v (%T) is not a *RecordingError for the name given", err, err)
			}
			if n := len(err.Error()); n > 512 {
				t.Errorf("error message of %d bytes", n)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ParseRecording accepted a document that is not JSON: %q", data)
		}
		checkRecording(t, r)
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := recording.ParseRecording("fuzz.json", out)
		if err != nil {
			t.Fatalf("a parsed recording does not read back: %v\n%s", err, out)
		}
		again, err := json.Marshal(back)
		if err != nil || string(again) != string(out) {
			t.Fatalf("recording changes on a second round trip:\n%s\n%s", out, again)
		}
	})
}

func checkRecording(t *testing.T, r *recording.Recording) {
	t.Helper()
	if r.Request.Method == "" || r.Request.URL == "" || r.Response.Status < 100 || r.Response.Status > 599 {
		t.Fatalf("accepted an incomplete recording: %+v", r)
	}
	if r.Response.Body != nil && r.Response.BodyText != nil {
		t.Fatalf("accepted both body and body_text")
	}
	for k := range r.Request.Headers {
		if http.CanonicalHeaderKey(k) == "Authorization" {
			t.Fatalf("accepted an Authorization header")
		}
	}
	for _, h := range []http.Header{r.Request.Headers, r.Response.Headers} {
		for k := range h {
			if k != http.CanonicalHeaderKey(k) {
				t.Fatalf("header name %q is not in canonical form", k)
			}
		}
	}
	ex := r.Exchange()
	if ex.Header == nil || ex.Status != r.Response.Status || ex.Method != r.Request.Method {
		t.Fatalf("exchange %+v does not match the recording", ex)
	}
	if r.Response.Body != nil && !json.Valid(r.Response.Body) {
		t.Fatalf("body %q is not JSON", r.Response.Body)
	}
}

func fuzzRecordingFiles(f *testing.F) []string {
	f.Helper()
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no recordings: %v", err)
	}
	return files
}

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"
