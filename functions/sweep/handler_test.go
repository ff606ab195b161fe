package sweep

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
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/idempotency"
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
	h       *Handler
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
	e.h = &Handler{
		cfg:       config{window: 2 * time.Hour, pageSize: pageSize, pageLimit: pageLimit, ttl: idempotency.DefaultTTL},
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
			wantErrType: fail.UpstreamUnavailable,
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
		if !errorsAs(err, &ie) || ie.Type != fail.InvalidRequest {
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

// pageFunc serves one List Calls page: the calls and the next_page_uri
// ("" for null) for the request.
type pageFunc func(r *http.Request) (calls []string, next string)

// setupPages is setup with a List Calls server answering through serve.
func setupPages(t *testing.T, pageSize, pageLimit int, serve pageFunc) *env {
	t.Helper()
	e := setup(t, nil, nil, pageSize, pageLimit)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls, next := serve(r)
		n := "null"
		if next != "" {
			n = strconv.Quote(next)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"calls":[%s],"next_page_uri":%s,"page_size":%d}`, strings.Join(calls, ","), n, pageSize)
	}))
	t.Cleanup(ts.Close)
	creds := signalwire.NewStaticCredentials(signalwire.Credentials{ProjectID: testProject, APIToken: testToken, SpaceURL: ts.URL})
	e.h.calls = signalwire.NewClient(creds, nil, signalwire.WithLoopback(), signalwire.WithRetry(2, time.Millisecond, time.Millisecond))
	return e
}

// TestSweepPaginationLoop checks that no next_page_uri makes the sweep read
// a page twice or queue a call and status twice: a link to the same or an
// earlier page (however its query is spelled) or a page of calls all seen
// before stops the window as pagination_loop, counted in
// SweepPaginationLoops, and never as the page limit.
func TestSweepPaginationLoop(t *testing.T) {
	t.Parallel()
	const path = "/api/laml/2010-04-01/Accounts/" + testProject + "/Calls"
	page0 := []string{call(1, "completed"), call(2, "busy")}
	page1 := []string{call(3, "failed"), call(4, "no-answer")}
	pages := func(next0, next1 string) pageFunc {
		return func(r *http.Request) ([]string, string) {
			if r.URL.Query().Get("Page") == "1" {
				return page1, next1
			}
			return page0, next0
		}
	}
	first := "EndTime%3C=Mon%2C+02+Mar+2026+16%3A00%3A00+GMT&EndTime%3E=Mon%2C+02+Mar+2026+14%3A00%3A00+GMT&PageSize=2"
	tests := []struct {
		name       string
		serve      pageFunc
		wantQueued []string
		wantPages  int
	}{
		{name: "next page is the same page", serve: pages(path+"?"+first, ""), wantQueued: []string{sidOf(1), sidOf(2)}, wantPages: 1},
		{
			name:       "next page is the first, its query reordered and re-encoded",
			serve:      pages(path+"?Page=1&PageSize=2", path+"?PageSize=2&EndTime%3E=Mon,%2002%20Mar%202026%2014:00:00%20GMT&EndTime%3C=Mon%2C+02+Mar+2026+16%3A00%3A00+GMT"),
			wantQueued: []string{sidOf(1), sidOf(2), sidOf(3), sidOf(4)}, wantPages: 2,
		},
		{
			name:       "next page is an earlier page with members reordered",
			serve:      pages(path+"?Page=1&PageSize=2&PageToken=PA1", path+"?PageToken=PA%31&PageSize=2&Page=1"),
			wantQueued: []string{sidOf(1), sidOf(2), sidOf(3), sidOf(4)}, wantPages: 2,
		},
		{
			name: "every page a new token, the same calls",
			serve: func(r *http.Request) ([]string, string) {
				n, _ := strconv.Atoi(r.URL.Query().Get("Page"))
				return page0, path + "?Page=" + strconv.Itoa(n+1) + "&PageSize=2&PageToken=PA" + strconv.Itoa(n+1)
			},
			wantQueued: []string{sidOf(1), sidOf(2)}, wantPages: 2,
		},
		{
			name: "every page a new token, an empty page",
			serve: func(r *http.Request) ([]string, string) {
				n, _ := strconv.Atoi(r.URL.Query().Get("Page"))
				return nil, path + "?Page=" + strconv.Itoa(n+1) + "&PageSize=2"
			},
			wantPages: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setupPages(t, 2, 50, tt.serve)
			rep, err := e.h.Handle(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Complete || rep.Stopped != stopPaginationLoop || rep.Loop == "" {
				t.Errorf("report %+v: want stopped %q with the evidence", rep, stopPaginationLoop)
			}
			if rep.Pages != tt.wantPages {
				t.Errorf("pages = %d, want %d", rep.Pages, tt.wantPages)
			}
			var queued []string
			for _, h := range e.queue.hints {
				queued = append(queued, h.CallSID)
			}
			if diff := cmp.Diff(tt.wantQueued, queued); diff != "" {
				t.Errorf("queued (-want +got):\n%s", diff)
			}
			if strings.Contains(e.logs.String(), "page limit") {
				t.Errorf("a loop reported as the page limit: %s", e.logs.String())
			}
			if !strings.Contains(e.metrics.String(), `"SweepPaginationLoops":1`) {
				t.Errorf("SweepPaginationLoops not 1: %s", e.metrics.String())
			}
		})
	}
}

// TestSweepRepeatedCalls checks that a call listed again on a later page
// (pages overlap while calls end) is queued once per run.
func TestSweepRepeatedCalls(t *testing.T) {
	t.Parallel()
	const path = "/api/laml/2010-04-01/Accounts/" + testProject + "/Calls"
	e := setupPages(t, 2, 50, func(r *http.Request) ([]string, string) {
		switch r.URL.Query().Get("Page") {
		case "1":
			return []string{call(2, "busy"), call(3, "completed")}, path + "?Page=2&PageSize=2"
		case "2":
			return []string{call(3, "completed"), call(4, "failed")}, ""
		}
		return []string{call(1, "completed"), call(2, "busy")}, path + "?Page=1&PageSize=2"
	})
	rep, err := e.h.Handle(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Complete || rep.Repeated != 2 || rep.Enqueued != 4 || rep.Finished != 4 {
		t.Errorf("report %+v: want complete, 2 repeated, 4 finished and enqueued", rep)
	}
	if len(e.queue.hints) != 4 {
		t.Errorf("queued %d hints, want 4: %+v", len(e.queue.hints), e.queue.hints)
	}
	if !strings.Contains(e.metrics.String(), `"SweepPaginationLoops":0`) {
		t.Errorf("SweepPaginationLoops not 0: %s", e.metrics.String())
	}
}

// TestSweepPageFindings checks the findings of a page that is not what was
// asked for: more calls than the page size, and calls of another account
// (found, never queued).
func TestSweepPageFindings(t *testing.T) {
	t.Parallel()
	const other = "0ff1ce00-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	foreign := strings.Replace(call(3, "completed"), testProject, other, -1)
	noAccount := strings.Replace(call(4, "completed"), `"account_sid":"`+testProject+`"`, `"account_sid":null`, 1)
	upper := strings.Replace(call(5, "completed"), `"account_sid":"`+testProject+`"`, `"account_sid":"`+strings.ToUpper(testProject)+`"`, 1)
	var calls []string
	for i := range 20 {
		calls = append(calls, call(100+i, "completed"))
	}
	tests := []struct {
		name                  string
		calls                 []string
		wantOversized         int
		wantForeign           int
		wantQueued, wantFound int
	}{
		{name: "a page ten times the size asked", calls: calls, wantOversized: 1, wantQueued: 20, wantFound: 1},
		{name: "calls of another account", calls: []string{call(1, "completed"), foreign}, wantForeign: 1, wantQueued: 1, wantFound: 1},
		{name: "a call with no account", calls: []string{noAccount}, wantForeign: 1, wantFound: 2},
		{name: "the project's sid in upper case", calls: []string{upper}, wantQueued: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(tt.calls[0], "account_sid") {
				t.Fatal("fixture without account_sid")
			}
			e := setupPages(t, 2, 50, func(*http.Request) ([]string, string) { return tt.calls, "" })
			rep, err := e.h.Handle(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OversizedPages != tt.wantOversized || rep.ForeignAccount != tt.wantForeign || rep.Findings < tt.wantFound || (tt.wantFound == 0 && rep.Findings != 0) {
				t.Errorf("report %+v: want %d oversized, %d foreign, findings at least %d", rep, tt.wantOversized, tt.wantForeign, tt.wantFound)
			}
			for _, h := range e.queue.hints {
				if h.CallSID == sidOf(3) || h.CallSID == sidOf(4) {
					t.Errorf("the call %s of no project account was queued", h.CallSID)
				}
			}
			if len(e.queue.hints) != tt.wantQueued {
				t.Errorf("queued %d, want %d", len(e.queue.hints), tt.wantQueued)
			}
		})
	}
}

// TestSweepDeadlineInPage checks that a page cut by the deadline is reported
// as the deadline, not as SignalWire being unavailable.
func TestSweepDeadlineInPage(t *testing.T) {
	t.Parallel()
	e := setupPages(t, 2, 50, func(r *http.Request) ([]string, string) {
		<-r.Context().Done()
		return nil, ""
	})
	ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
	defer cancel()
	rep, err := e.h.Handle(ctx, nil)
	if err != nil {
		t.Fatalf("Handle = %v: a deadline is not SignalWire failing", err)
	}
	if rep.Complete || rep.Stopped != stopDeadlineInPage {
		t.Errorf("report %+v: want stopped %q", rep, stopDeadlineInPage)
	}
	if strings.Contains(e.logs.String(), "unavailable") {
		t.Errorf("a deadline logged as unavailable: %s", e.logs.String())
	}
}

// TestSweepStrictInput checks that an input that is not exactly what the
// sweep reads is refused before any List Calls request: unknown, repeated or
// case-folded members, trailing data, values that are not strings, and
// windows that end before they start, end more than 5 minutes from now,
// are longer than the idempotency TTL or start before the Unix epoch.
func TestSweepStrictInput(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil, 50, 5)
	for _, bad := range []string{
		`{"window":"1s"}`, `{"window_end":"tomorrow"}`, `{"x":1}`, `[]`, `"30m"`, `42`, `{`,
		`{"Window":"30m"}`, `{"WINDOW_END":"2026-03-02T12:00:00Z"}`,
		`{"window":"30m","window":"1h"}`, `{"window_end":"2026-03-02T12:00:00Z","window_end":"2026-03-02T13:00:00Z"}`,
		`{"window":"30m"} {"window":"1h"}`, `{"window":"30m"}x`, `{"window":"30m"}]`, `{} {}`,
		`{"window":null}`, `{"window_end":null}`, `{"window":1800}`, `{"window":["30m"]}`,
		`{"window_end":"0001-01-01T00:00:00Z"}`, `{"window_end":"0001-01-01T00:10:00Z","window":"10m"}`,
		`{"window_end":"2026-03-02T16:05:01Z"}`, `{"window_end":"2027-01-01T00:00:00Z"}`,
		`{"window":"169h"}`, `{"window_end":"1970-01-01T00:09:59Z","window":"10m"}`, `{"window":"-30m"}`,
	} {
		before := len(e.list.requests)
		_, err := e.h.Handle(t.Context(), json.RawMessage(bad))
		var ie messages.InvokeResponse_Error
		if !errorsAs(err, &ie) || ie.Type != fail.InvalidRequest {
			t.Errorf("input %s: error %v, want InvalidRequest", bad, err)
		}
		if len(e.list.requests) != before {
			t.Errorf("input %s reached List Calls", bad)
		}
	}
	for _, good := range []string{
		``, `null`, `{}`, ` {"window":"30m"} `, `{"window_end":"2026-03-02T16:05:00Z"}`,
		`{"window":"168h"}`, `{"window_end":"2026-02-23T16:10:00Z","window":"10m"}`, `{"window_end":"1970-01-01T00:10:00Z","window":"10m"}`,
	} {
		if _, err := e.h.Handle(t.Context(), json.RawMessage(good)); err != nil {
			t.Errorf("input %q: %v", good, err)
		}
	}
}
