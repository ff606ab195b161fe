package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/callwire/callwire/contract/recording"
	"github.com/google/go-cmp/cmp"
)

// page mirrors the List Calls page; the pointers tell null from absent.
type page struct {
	URI             string            `json:"uri"`
	FirstPageURI    string            `json:"first_page_uri"`
	NextPageURI     *string           `json:"next_page_uri"`
	PreviousPageURI *string           `json:"previous_page_uri"`
	Page            *int              `json:"page"`
	PageSize        int               `json:"page_size"`
	Calls           []json.RawMessage `json:"calls"`
}

func TestServeHTTPList(t *testing.T) {
	t.Parallel()
	listPath := "/api/laml/2010-04-01/Accounts/" + testAccount + "/Calls"
	busy := readRecording(t, "conformant/200-busy-outbound.json")
	human := readRecording(t, "conformant/200-completed-inbound-human.json")
	truncated := readRecording(t, "drift/200-truncated-json.json")
	notFound := readRecording(t, "conformant/404-not-found.json")
	listable := listableBodies(t)

	tests := []struct {
		name      string
		setList   []string // nil: leave the default list
		extra     int      // synthetic 200 recordings to add
		query     string
		wantSize  int
		wantSIDs  []string // nil: the first wantSize of the default list
		wantError bool
	}{
		{name: "default page size", wantSize: 50},
		{name: "page size honoured", query: "?PageSize=3", wantSize: 3},
		{name: "page size one", query: "?PageSize=1", wantSize: 1},
		{
			name:     "set list keeps order and skips unlisted",
			setList:  []string{recordingSID(human), "ffffffff-0000-4000-8000-000000000000", recordingSID(truncated), recordingSID(notFound), recordingSID(busy)},
			query:    "?PageSize=10",
			wantSize: 10,
			wantSIDs: []string{recordingSID(human), recordingSID(busy)},
		},
		{name: "set list cut at page size", setList: []string{recordingSID(human), recordingSID(busy)}, query: "?PageSize=1", wantSize: 1, wantSIDs: []string{recordingSID(human)}},
		{name: "empty set list", setList: []string{}, wantSize: 50, wantSIDs: []string{}},
		{name: "capped at 1000", extra: 1001, query: "?PageSize=5000", wantSize: 1000},
		{name: "zero page size", query: "?PageSize=0", wantError: true},
		{name: "negative page size", query: "?PageSize=-4", wantError: true},
		{name: "page size not a number", query: "?PageSize=ten", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New()
			if err := s.LoadDir(recordingsDir); err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			bodies := maps.Clone(listable)
			for i := range tt.extra {
				sid := fmt.Sprintf("aaaaaaaa-0000-4000-8000-%012d", i)
				rec := syntheticCall(sid)
				if err := s.Add(rec); err != nil {
					t.Fatalf("Add: %v", err)
				}
				bodies[sid] = string(rec.Response.Body)
			}
			all := slices.Sorted(maps.Keys(bodies))
			if tt.setList != nil {
				s.SetCallList(tt.setList)
			}
			base := startServer(t, s)
			got := mustDo(t, newClient(t), http.MethodGet, base+listPath+tt.query, nil)
			if tt.wantError {
				want := `{"code":21220,"message":"Invalid parameter","more_info":"https://developer.signalwire.com/compatibility-api/reference/error-codes","status":400}`
				if diff := cmp.Diff(reply{Status: 400, Body: want}, reply{Status: got.Status, Body: got.Body}); diff != "" {
					t.Errorf("response (-want +got):\n%s", diff)
				}
				return
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			var p page
			dec := json.NewDecoder(bytes.NewReader([]byte(got.Body)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				t.Fatalf("decode page: %v\n%s", err, got.Body)
			}
			wantSIDs := tt.wantSIDs
			if wantSIDs == nil {
				wantSIDs = all[:min(tt.wantSize, len(all))]
			}
			uri := listPath + fmt.Sprintf("?PageSize=%d&Page=0", tt.wantSize)
			zero := 0
			want := page{URI: uri, FirstPageURI: uri, Page: &zero, PageSize: tt.wantSize}
			wantCalls := make([]string, 0, len(wantSIDs))
			for _, sid := range wantSIDs {
				wantCalls = append(wantCalls, bodies[sid])
			}
			gotCalls := make([]string, 0, len(p.Calls))
			for _, c := range p.Calls {
				gotCalls = append(gotCalls, string(c))
			}
			p.Calls = nil
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantCalls, gotCalls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServeHTTPListFullCalls(t *testing.T) {
	t.Parallel()
	rec := readRecording(t, "conformant/200-completed-extra-fields.json")
	s := New()
	if err := s.Add(rec); err != nil {
		t.Fatalf("Add: %v", err)
	}
	base := startServer(t, s)
	got := mustDo(t, newClient(t), http.MethodGet, base+"/api/laml/2010-04-01/Accounts/"+testAccount+"/Calls?PageSize=5", nil)
	var p page
	if err := json.Unmarshal([]byte(got.Body), &p); err != nil {
		t.Fatalf("decode page: %v", err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, rec.Response.Body); err != nil {
		t.Fatalf("compact: %v", err)
	}
	if len(p.Calls) != 1 {
		t.Fatalf("got %d calls, want 1", len(p.Calls))
	}
	if diff := cmp.Diff(want.String(), string(p.Calls[0])); diff != "" {
		t.Errorf("listed call differs from the recorded body (-want +got):\n%s", diff)
	}
}

// listableBodies returns the compacted bodies, by SID, of the project's 200
// recordings whose body is a JSON object: the default call list.
func listableBodies(t *testing.T) map[string]string {
	t.Helper()
	files, err := recording.FindFiles(recordingsDir)
	if err != nil {
		t.Fatalf("FindFiles: %v", err)
	}
	bodies := make(map[string]string)
	for _, f := range files {
		rec, err := recording.ReadRecording(f)
		if err != nil {
			t.Fatalf("ReadRecording: %v", err)
		}
		var obj map[string]json.RawMessage
		if rec.Response.Status != http.StatusOK || rec.Response.BodyText != nil || json.Unmarshal(rec.Response.Body, &obj) != nil || obj == nil {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, rec.Response.Body); err != nil {
			t.Fatalf("compact %s: %v", f, err)
		}
		bodies[recordingSID(rec)] = buf.String()
	}
	return bodies
}

func syntheticCall(sid string) *recording.Recording {
	return &recording.Recording{
		Request: recording.RecordedRequest{Method: http.MethodGet, URL: "https://example.signalwire.com" + callPath(testAccount, sid)},
		Response: recording.RecordedResponse{
			Status:  http.StatusOK,
			Headers: http.Header{"Content-Type": {"application/json"}},
			Body:    json.RawMessage(`{"sid":"` + sid + `","status":"completed"}`),
		},
	}
}
