package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/signalwire"
)

const (
	testProject = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testToken   = "PTsweep-test-token-77aa"
)

var testNow = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)

// listServer serves List Calls from calls, pageSize per page, newest first
// as given; fail maps a page number to a status it answers instead.
type listServer struct {
	mu       sync.Mutex
	calls    []string // JSON call objects
	fail     map[int]int
	requests []string
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.RawQuery)
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	page, _ := strconv.Atoi(q.Get("Page"))
	if st, ok := s.fail[page]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		fmt.Fprintf(w, `{"code":20429,"message":"Too Many Requests","status":%d}`, st)
		return
	}
	from := min(page*size, len(s.calls))
	to := min(from+size, len(s.calls))
	next := "null"
	if to < len(s.calls) {
		next = strconv.Quote(r.URL.Path + "?Page=" + strconv.Itoa(page+1) + "&PageSize=" + strconv.Itoa(size) + "&PageToken=PA" + strconv.Itoa(page+1))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fmt.Fprintf(w, `{"calls":[%s],"next_page_uri":%s,"page":%d,"page_size":%d}`, strings.Join(s.calls[from:to], ","), next, page, size)
}

// recordedCall is the body of a conformant recording, decoded.
var recordedCall = sync.OnceValue(func() map[string]any {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "recordings", "conformant", "200-completed-inbound-human.json"))
	if err != nil {
		panic(err)
	}
	var rec struct {
		Response struct {
			Body map[string]any `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		panic(err)
	}
	return rec.Response.Body
})

// call returns a conformant call object numbered i, in status.
func call(i int, status string) string {
	c := maps.Clone(recordedCall())
	c["sid"] = sidOf(i)
	c["status"] = status
	c["uri"] = "/api/laml/2010-04-01/Accounts/" + testProject + "/Calls/" + sidOf(i)
	b, _ := json.Marshal(c)
	return string(b)
}

func sidOf(i int) string { return fmt.Sprintf("c0c0ca11-%04x-4a1e-8b0b-1ba0c0111ed1", i) }

type fakePublished map[string]bool

func (f fakePublished) Published(_ context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		if f[id] {
			out[id] = true
		}
	}
	return out, nil
}

type fakeQueue struct {
	mu    sync.Mutex
	hints []pipeline.Hint
}

func (q *fakeQueue) Send(_ context.Context, hints []pipeline.Hint) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.hints = append(q.hints, hints...)
	return len(hints), nil
}

type env struct {
	h       *handler
	list    *listServer
	queue   *fakeQueue
	logs    *bytes.Buffer
	metrics *bytes.Buffer
}

func setup(t *testing.T, calls []string, published fakePublished, pageSize, pageLimit int) *env {
	t.Helper()
	ls := &listServer{calls: calls, fail: map[int]int{}}
	ts := httptest.NewServer(ls)
	t.Cleanup(ts.Close)
	creds := signalwire.NewStaticCredentials(signalwire.Credentials{ProjectID: testProject, APIToken: testToken, SpaceURL: ts.URL})
	client := signalwire.NewClient(creds, nil, signalwire.WithLoopback(), signalwire.WithRetry(2, time.Millisecond, time.Millisecond))
	e := &env{list: ls, queue: &fakeQueue{}, logs: &bytes.Buffer{}, metrics: &bytes.Buffer{}}
	e.h = &handler{
		cfg:       config{window: 2 * time.Hour, pageSize: pageSize, pageLimit: pageLimit},
		calls:     client,
		published: published,
		queue:     e.queue,
		validator: sync.OnceValues(contract.New),
		log:       slog.New(slog.NewJSONHandler(e.logs, nil)),
		metrics:   emf.NewWriter(e.metrics, Metrics),
		dims:      emf.Dimensions("sweep", ""),
		now:       func() time.Time { return testNow },
	}
	return e
}

func TestSweep(t *testing.T) {
	t.Parallel()
	calls := []string{
		call(1, "completed"), call(2, "in-progress"), call(3, "busy"), call(4, "completed"),
		call(5, "no-answer"), call(6, "canceled"), call(7, "failed"), call(8, "ringing"),
	}
	tests := []struct {
		name         string
		published    fakePublished
		pageSize     int
		pageLimit    int
		fail         map[int]int
		wantQueued   []string
		wantReport   Report
		wantErrType  string
		wantRequests int
	}{
		{
			name: "pages until the end", pageSize: 3, pageLimit: 10,
			wantQueued: []string{sidOf(1), sidOf(3), sidOf(4), sidOf(5), sidOf(6), sidOf(7)},
			wantReport: Report{Pages: 3, Listed: 8, Finished: 6, Enqueued: 6, Complete: true},
		},
		{
			name: "already published calls are not queued again", pageSize: 100, pageLimit: 10,
			published:  fakePublished{pipeline.EventID(sidOf(1), "completed"): true, pipeline.EventID(sidOf(5), "no-answer"): true},
			wantQueued: []string{sidOf(3), sidOf(4), sidOf(6), sidOf(7)},
			wantReport: Report{Pages: 1, Listed: 8, Finished: 6, Published: 2, Enqueued: 4, Complete: true},
		},
		{
			name: "page limit leaves the window unfinished", pageSize: 2, pageLimit: 2,
			wantQueued: []string{sidOf(1), sidOf(3), sidOf(4)},
			wantReport: Report{Pages: 2, Listed: 4, Finished: 3, Enqueued: 3, Stopped: "page limit (2 pages of 2) reached"},
		},
		{
			name: "429 mid-sweep keeps what was read", pageSize: 3, pageLimit: 10, fail: map[int]int{1: http.StatusTooManyRequests},
			wantQueued:  []string{sidOf(1), sidOf(3)},
			wantReport:  Report{Pages: 1, Listed: 3, Finished: 2, Enqueued: 2, Stopped: "SignalWire: rate limited after retries"},
			wantErrType: typeUpstreamUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, calls, tt.published, tt.pageSize, tt.pageLimit)
			for k, v := range tt.fail {
				e.list.fail[k] = v
			}
			rep, err := e.h.Handle(t.Context(), nil)
			if tt.wantErrType != "" {
				var ie messages.InvokeResponse_Error
				if !errorsAs(err, &ie) || ie.Type != tt.wantErrType {
					t.Fatalf("Handle error = %v, want errorType %s", err, tt.wantErrType)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got := *rep
			want := tt.wantReport
			want.WindowStart, want.WindowEnd = testNow.Add(-2*time.Hour), testNow
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			var queued []string
			for _, h := range e.queue.hints {
				if h.Source != pipeline.SourceSweep {
					t.Errorf("hint source %q", h.Source)
				}
				queued = append(queued, h.CallSID)
			}
			if diff := cmp.Diff(tt.wantQueued, queued); diff != "" {
				t.Errorf("queued (-want +got):\n%s", diff)
			}
			if !strings.Contains(e.metrics.String(), `"SweepWindowsNotFinished":`) {
				t.Errorf("no SweepWindowsNotFinished metric: %s", e.metrics.String())
			}
			if !want.Complete && !strings.Contains(e.logs.String(), `"level":"WARN"`) && !strings.Contains(e.logs.String(), `"level":"ERROR"`) {
				t.Errorf("an unfinished window logged quietly: %s", e.logs.String())
			}
			if strings.Contains(e.logs.String()+e.metrics.String(), testToken) {
				t.Error("the token reached the output")
			}
		})
	}
}

// TestSweepWindowQuery checks the List Calls filters: the calls that ended in
// the window, for a scheduled run and a backfill.
func TestSweepWindowQuery(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil, 50, 5)
	if _, err := e.h.Handle(t.Context(), json.RawMessage(`{"window_end":"2026-03-02T12:00:00Z","window":"30m"}`)); err != nil {
		t.Fatal(err)
	}
	want := "EndTime%3C=Mon%2C+02+Mar+2026+12%3A00%3A00+GMT&EndTime%3E=Mon%2C+02+Mar+2026+11%3A30%3A00+GMT&PageSize=50"
	if diff := cmp.Diff([]string{want}, e.list.requests); diff != "" {
		t.Errorf("List Calls query (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{"window":"1s"}`, `{"window_end":"tomorrow"}`, `{"window_end":"2027-01-01T00:00:00Z"}`, `{"x":1}`, `[]`} {
		_, err := e.h.Handle(t.Context(), json.RawMessage(bad))
		var ie messages.InvokeResponse_Error
		if !errorsAs(err, &ie) || ie.Type != typeInvalidRequest {
			t.Errorf("input %s: error %v, want InvalidRequest", bad, err)
		}
	}
}

// TestSweepDriftedPage checks that a page whose calls break the contract is
// counted and still yields the calls it can.
func TestSweepDriftedPage(t *testing.T) {
	t.Parallel()
	calls := []string{
		strings.Replace(call(1, "completed"), `"direction":"inbound"`, `"direction":"outbound-api"`, 1),
		`{"sid":"CA123","status":"completed"}`,
		`"not an object"`,
		call(2, "busy"),
	}
	e := setup(t, calls, nil, 10, 5)
	rep, err := e.h.Handle(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Findings == 0 || rep.Unreadable != 2 || rep.Enqueued != 2 || !rep.Complete {
		t.Errorf("report %+v: want findings, 2 unreadable, 2 enqueued, complete", rep)
	}
	if !slices.ContainsFunc(e.queue.hints, func(h pipeline.Hint) bool { return h.CallSID == sidOf(1) }) {
		t.Errorf("the drifted call was not queued: %+v", e.queue.hints)
	}
}

func errorsAs(err error, target *messages.InvokeResponse_Error) bool {
	ie, ok := err.(messages.InvokeResponse_Error)
	if ok {
		*target = ie
	}
	return ok
}
