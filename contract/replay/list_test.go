package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
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
			matching := all
			if tt.setList != nil {
				matching = slices.DeleteFunc(slices.Clone(tt.setList), func(sid string) bool { _, ok := bodies[sid]; return !ok })
			}
			wantSIDs := tt.wantSIDs
			if wantSIDs == nil {
				wantSIDs = matching[:min(tt.wantSize, len(matching))]
			}
			uri := listPath + fmt.Sprintf("?Page=0&PageSize=%d", tt.wantSize)
			zero := 0
			want := page{URI: uri, FirstPageURI: uri, Page: &zero, PageSize: tt.wantSize}
			if len(matching) > tt.wantSize {
				next := listPath + fmt.Sprintf("?Page=1&PageSize=%d&PageToken=PA1", tt.wantSize)
				want.NextPageURI = &next
			}
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

// TestServeHTTPListPaging walks the pages of a filtered list by following
// next_page_uri, as a client does, and checks the filters.
func TestServeHTTPListPaging(t *testing.T) {
	t.Parallel()
	s := New()
	if err := s.LoadDir(recordingsDir); err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	base := startServer(t, s)
	client := newClient(t)
	listPath := "/api/laml/2010-04-01/Accounts/" + testAccount + "/Calls"
	walk := func(query string) (sids []string, pages int) {
		next := listPath + query
		for next != "" {
			got := mustDo(t, client, http.MethodGet, base+next, nil)
			var p page
			if err := json.Unmarshal([]byte(got.Body), &p); err != nil {
				t.Fatalf("page %d: %v", pages, err)
			}
			pages++
			for _, c := range p.Calls {
				var call struct {
					SID string `json:"sid"`
				}
				_ = json.Unmarshal(c, &call)
				sids = append(sids, call.SID)
			}
			next = ""
			if p.NextPageURI != nil {
				next = *p.NextPageURI
			}
		}
		return sids, pages
	}
	all, _ := walk("?PageSize=1000")
	paged, pages := walk("?PageSize=2")
	if diff := cmp.Diff(all, paged); diff != "" || pages != (len(all)+1)/2 {
		t.Errorf("%d pages of 2; calls (-one page +paged):\n%s", pages, diff)
	}
	completed, _ := walk("?PageSize=3&Status=completed")
	if len(completed) == 0 || len(completed) >= len(all) {
		t.Errorf("Status=completed kept %d of %d calls", len(completed), len(all))
	}
	ended, _ := walk("?PageSize=3&" + url.Values{"EndTime>": {"Tue, 10 Mar 2026 00:00:00 GMT"}, "EndTime<": {"Sat, 21 Mar 2026 00:00:00 GMT"}}.Encode())
	if len(ended) != 8 { // 10, 11, 12, 13, 16, 17, 19 and 20 March
		t.Errorf("EndTime between 10 and 21 March kept %d calls, want 8: %v", len(ended), ended)
	}
	if got := mustDo(t, client, http.MethodGet, base+listPath+"?EndTime%3E=yesterday", nil); got.Status != http.StatusBadRequest {
		t.Errorf("an unreadable EndTime> got %d, want 400", got.Status)
	}
}
