package recording_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

const recordingURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

func recordingWith(headers, body string) []byte {
	return []byte(`{"request":{"method":"GET","url":"` + recordingURL + `"},` +
		`"response":{"status":200,"headers":` + headers + `,"body":` + body + `}}`)
}

// TestRecordingHeaderNames: field names are case-insensitive, in recordings
// as in HAR files and the replay server: the reader gives them canonical
// form, joining the values of names that differ only in case.
func TestRecordingHeaderNames(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, headers string
		want          http.Header
		rules         []string // of the findings about headers
	}{
		{"lower case", `{"content-type":["application/json"],"x-request-id":["r1"]}`,
			http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r1"}}, nil},
		{"upper case", `{"CONTENT-TYPE":["application/json; charset=utf-8"]}`,
			http.Header{"Content-Type": {"application/json; charset=utf-8"}}, nil},
		{"two spellings", `{"content-type":["text/html"],"Content-Type":["application/json"]}`,
			http.Header{"Content-Type": {"application/json", "text/html"}}, []string{"header.repeated"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := recording.ParseRecording("h.json", recordingWith(tt.headers, `{}`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rec.Response.Headers); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			var rules []string
			for _, f := range v.Check(rec.Exchange()).Findings {
				if strings.HasPrefix(f.Pointer, "header:") {
					rules = append(rules, f.Rule)
				}
			}
			if !slices.Equal(rules, tt.rules) {
				t.Errorf("header findings %q, want %q", rules, tt.rules)
			}
		})
	}
	// An Authorization header is refused however it is spelled.
	_, err = recording.ParseRecording("a.json", []byte(`{"request":{"method":"GET","url":"u","headers":{"AUTHORIZATION":["Basic eA=="]}},"response":{"status":200}}`))
	if re, ok := errors.AsType[*recording.RecordingError](err); !ok || !strings.Contains(re.Reason, "Authorization") {
		t.Errorf("AUTHORIZATION: error %v, want a refusal", err)
	}
}

// TestRecordingDepth: a body nested as deep as the contract allows is read
// and checked; a file nested past encoding/json's limit, body included, is
// refused with a reason that says so.
func TestRecordingDepth(t *testing.T) {
	t.Parallel()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	rec, err := recording.ParseRecording("ok.json", recordingWith(`{"Content-Type":["application/json"]}`, deep(9990)))
	if err != nil {
		t.Fatalf("9,990 levels: %v", err)
	}
	if got := v.Check(rec.Exchange()).Findings; len(got) != 1 || got[0].Rule != contract.RuleType {
		t.Errorf("9,990 levels: findings %+v, want the schema.type of an array", got)
	}
	_, err = recording.ParseRecording("deep.json", recordingWith(`{}`, deep(9999)))
	re, ok := errors.AsType[*recording.RecordingError](err)
	if !ok || re.Reason != "invalid JSON: nested deeper than 10000 levels" {
		t.Errorf("9,999 levels in a recording: error %v, want it nested deeper than 10000 levels", err)
	}
}
