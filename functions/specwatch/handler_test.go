package specwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/specevent"
	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

const testdataDir = "../../testdata"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docServer serves one document at a time over loopback HTTPS, with an
// ETag, and answers 304 to a matching If-None-Match.
type docServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	status   int
	noETag   bool
	requests int
}

func newDocServer(t *testing.T, body []byte) *docServer {
	t.Helper()
	d := &docServer{body: body, status: http.StatusOK}
	d.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.requests++
		if d.status != http.StatusOK {
			w.WriteHeader(d.status)
			return
		}
		sum := sha256.Sum256(d.body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if !d.noETag {
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		}
		_, _ = w.Write(d.body)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) set(body []byte, status int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.body, d.status = body, status
}

// fakeCalls serves recorded bodies as the live sample.
type fakeCalls struct {
	bodies [][]byte
}

func (f *fakeCalls) ListCallSIDs(_ context.Context, n int) ([]string, error) {
	var sids []string
	for i := range f.bodies[:min(n, len(f.bodies))] {
		sids = append(sids, string(rune('a'+i)))
	}
	return sids, nil
}

func (f *fakeCalls) GetCallRaw(_ context.Context, sid string) (*signalwire.Response, error) {
	return &signalwire.Response{StatusCode: 200, Body: f.bodies[int(sid[0]-'a')]}, nil
}

// recordedBody returns the response body of a recording.
func recordedBody(t *testing.T, name string) []byte {
	t.Helper()
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(readTestdata(t, filepath.Join("recordings", name)), &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Response.Body
}

// env is one spec watch against loopback servers: the document, DynamoDB
// and EventBridge, with the real SDK clients.
type env struct {
	docs    *docServer
	db      aws.Config
	table   string
	bus     *eventsserver.Server
	awsCfg  aws.Config
	calls   *fakeCalls
	metrics *testkit.SyncBuffer
	logs    *testkit.SyncBuffer
}

func newEnv(t *testing.T, first []byte) *env {
	t.Helper()
	e := &env{docs: newDocServer(t, first), table: "callwire-idempotency", calls: &fakeCalls{},
		metrics: &testkit.SyncBuffer{}, logs: &testkit.SyncBuffer{}}
	dsrv := dynamoserver.New()
	du, err := dsrv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dsrv.Close)
	if err := dsrv.CreateTable(e.table, idempotency.AttrID); err != nil {
		t.Fatal(err)
	}
	e.bus = eventsserver.New()
	eu, err := e.bus.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.bus.Close)
	e.bus.CreateBus("callwire")
	base := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDCALLWIRETEST", "callwire-test-secret", "")}
	e.awsCfg = base.Copy()
	e.awsCfg.BaseEndpoint = aws.String(eu)
	dcfg := base.Copy()
	dcfg.BaseEndpoint = aws.String(du)
	e.db = dcfg
	return e
}

// handler builds a handler as a cold start would, with the document
// server's URL; overrides go into the environment.
func (e *env) handler(t *testing.T, overrides map[string]string) *Handler {
	t.Helper()
	u, _ := url.Parse(e.docs.URL + "/fern/apis/compatibility/openapi.yaml")
	vars := map[string]string{
		"SPEC_URL": u.String(), "CALLWIRE_ALLOW_LOOPBACK": "true", "IDEMPOTENCY_TABLE": e.table,
		"EVENT_BUS_NAME": "callwire", "SIGNALWIRE_SECRET_ID": "callwire/signalwire",
	}
	for k, v := range overrides {
		vars[k] = v
	}
	cfg, err := loadConfig(testkit.Getenv(t, Env(), vars))
	if err != nil {
		t.Fatal(err)
	}
	return NewFrom(Deps{
		Config:    cfg,
		State:     idempotency.New(e.db, e.table),
		Bus:       events.New(e.awsCfg, "callwire", cfg.Source),
		Calls:     e.calls,
		Transport: e.docs.Client().Transport,
		Log:       slog.New(slog.NewJSONHandler(e.logs, nil)),
		Metrics:   emf.NewWriter(e.metrics, Metrics),
	})
}

// invoke runs the handler through the Lambda runtime's handler wrapper.
func invoke(t *testing.T, h *Handler) (Report, error) {
	t.Helper()
	out, err := lambda.NewHandler(h.Handle).Invoke(t.Context(), []byte(`{"source":"aws.scheduler","detail-type":"Scheduled Event","detail":{}}`))
	var rep Report
	if out != nil {
		if jerr := json.Unmarshal(out, &rep); jerr != nil {
			t.Fatalf("report %s: %v", out, jerr)
		}
	}
	return rep, err
}

func (e *env) events(t *testing.T) []eventsserver.Event {
	t.Helper()
	evs := e.bus.Events("callwire")
	for _, ev := range evs {
		if ev.DetailType != specevent.DetailType || ev.Source != "callwire.specwatch" {
			t.Errorf("event %s from %s, want %s from callwire.specwatch", ev.DetailType, ev.Source, specevent.DetailType)
		}
		if err := specevent.Validate([]byte(ev.Detail)); err != nil {
			t.Errorf("event detail: %v", err)
		}
	}
	return evs
}

func summary(rep Report) []string {
	var out []string
	for _, c := range rep.Changes {
		out = append(out, c.Severity+" "+c.Operation+" "+c.Kind+" "+c.Pointer+" "+string(c.Reality))
	}
	return out
}

func TestChangedOnceThenUnchanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, readTestdata(t, "specwatch/published-v1.yaml"))
	rep, err := invoke(t, e.handler(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"breaking Retrieve a Call enum-value-added 200 /direction not-exercised",
		"breaking Retrieve a Call format-changed 200 /price not-exercised",
		"non-breaking Retrieve a Call format-added 200 /duration not-exercised",
		"info Retrieve a Call object-closed 200 /subresource_uris not-exercised",
	}
	if diff := cmp.Diff(want, summary(rep)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if rep.Outcome != OutcomeChanged || rep.Baseline != "pinned" || rep.Breaking != 2 || rep.EventID == "" {
		t.Errorf("report = %+v, want changed against pinned, 2 breaking, an event id", rep)
	}
	if n := len(e.events(t)); n != 1 {
		t.Fatalf("%d events after the first run, want 1", n)
	}
	if !strings.Contains(e.metrics.String(), `"SpecBreakingChanges":2`) {
		t.Errorf("metrics %s lack SpecBreakingChanges 2", e.metrics.String())
	}

	// The same document again: a 304, then after a restart (a new handler)
	// still nothing, and without an ETag the digest says the same.
	for i, h := range []*Handler{e.handler(t, nil), e.handler(t, nil)} {
		rep, err := invoke(t, h)
		if err != nil || rep.Outcome != OutcomeUnchanged || len(rep.Changes) != 0 {
			t.Errorf("run %d: %+v, %v; want unchanged", i+2, rep, err)
		}
	}
	e.docs.mu.Lock()
	e.docs.noETag = true
	e.docs.mu.Unlock()
	if rep, err := invoke(t, e.handler(t, nil)); err != nil || rep.Outcome != OutcomeUnchanged {
		t.Errorf("without an ETag: %+v, %v; want unchanged", rep, err)
	}
	if n := len(e.events(t)); n != 1 {
		t.Fatalf("%d events after unchanged runs, want still 1", n)
	}

	// A later version: what changed since the last version seen, List
	// Calls included.
	e.docs.set(readTestdata(t, "specwatch/published-v2.yaml"), http.StatusOK)
	rep, err = invoke(t, e.handler(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"breaking Retrieve a Call enum-value-added 200 /direction not-exercised",
		"breaking List Calls enum-value-added 200 /calls/*/direction not-exercised",
		"breaking List Calls required-removed 200 /page_size not-exercised",
	}
	if diff := cmp.Diff(want, summary(rep)); diff != "" {
		t.Errorf("changes since v1 (-want +got):\n%s", diff)
	}
	if rep.Baseline != "last-seen" || len(e.events(t)) != 2 {
		t.Errorf("baseline %q, %d events; want last-seen and 2", rep.Baseline, len(e.events(t)))
	}
}

func TestFailuresAreCountedNotTakenForNoChange(t *testing.T) {
	t.Parallel()
	pinnedLike := readTestdata(t, "specwatch/published-v1.yaml")
	vanished := []byte(strings.NewReplacer("  /Accounts/{AccountSid}/Calls/{Sid}:\n", "  /Accounts/{AccountSid}/Calls/{Sid}/Gone:\n",
		"operationId: retrieve-a-call", "operationId: gone").Replace(string(pinnedLike)))
	tests := []struct {
		name      string
		body      []byte
		status    int
		overrides map[string]string
		stage     string
		detail    string
	}{
		{name: "HTTP 503", body: pinnedLike, status: http.StatusServiceUnavailable, stage: "fetch", detail: "answered HTTP 503"},
		{name: "HTTP 404", body: pinnedLike, status: http.StatusNotFound, stage: "fetch", detail: "answered HTTP 404"},
		{name: "too large", body: pinnedLike, status: http.StatusOK, overrides: map[string]string{"SPEC_MAX_BYTES": "1000"}, stage: "fetch", detail: "larger than 1000 bytes"},
		{name: "not OpenAPI", body: []byte("<html>moved</html>"), status: http.StatusOK, stage: "document", detail: "not an OpenAPI document"},
		{name: "Swagger 2", body: []byte("swagger: '2.0'\n"), status: http.StatusOK, stage: "document", detail: "Swagger 2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.body)
			e.docs.set(tt.body, tt.status)
			rep, err := invoke(t, e.handler(t, tt.overrides))
			if err == nil || rep.Outcome != "" && rep.Outcome != OutcomeFailed {
				t.Fatalf("run = %+v, %v; want a failure", rep, err)
			}
			if !strings.Contains(err.Error(), tt.stage+": ") || !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q, want stage %s and %q", err, tt.stage, tt.detail)
			}
			if !strings.Contains(e.metrics.String(), `"SpecWatchFailures":1`) {
				t.Errorf("metrics %s lack SpecWatchFailures 1", e.metrics.String())
			}
			if n := len(e.events(t)); n != 0 {
				t.Errorf("%d events, want none", n)
			}
			if _, seen, _ := idempotency.New(e.db, e.table).LoadSpec(t.Context()); seen {
				t.Error("a failed run recorded a version as seen")
			}
		})
	}
	t.Run("operation vanished", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, vanished)
		rep, err := invoke(t, e.handler(t, nil))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Retrieve a Call"}, rep.Vanished); diff != "" || rep.Breaking == 0 {
			t.Errorf("vanished (-want +got):\n%s (report %+v)", diff, rep)
		}
		if !strings.Contains(e.metrics.String(), `"SpecOperationsVanished":1`) {
			t.Errorf("metrics %s lack SpecOperationsVanished 1", e.metrics.String())
		}
	})
}

func TestReality(t *testing.T) {
	t.Parallel()
	// The published document drops "outbound" and adds "outbound-api".
	doc := []byte(strings.Replace(string(readTestdata(t, "specwatch/published-v1.yaml")),
		"        - inbound\n        - outbound\n        - outbound-api\n", "        - inbound\n        - outbound-api\n", 1))
	outbound := recordedBody(t, "conformant/200-busy-outbound.json")
	outboundAPI := recordedBody(t, "drift/200-direction-outbound-api-2019-shape.json")
	inbound := recordedBody(t, "conformant/200-ringing-inbound.json")
	extra := recordedBody(t, "conformant/200-completed-extra-fields.json")
	var m map[string]any
	if err := json.Unmarshal(inbound, &m); err != nil {
		t.Fatal(err)
	}
	m["subresource_uris"].(map[string]any)["transcriptions"] = "/x"
	undeclared, _ := json.Marshal(m)
	tests := []struct {
		name   string
		bodies [][]byte
		want   map[string]Reality // pointer -> verdict
	}{
		{"live follows the pinned document", [][]byte{outbound}, map[string]Reality{"200 /direction": RealityPinned}},
		{"live follows the published document", [][]byte{outboundAPI}, map[string]Reality{"200 /direction": RealityPublished}},
		{"live follows both", [][]byte{inbound}, map[string]Reality{"200 /direction": RealityBoth}},
		{"live follows neither", [][]byte{outbound, outboundAPI}, map[string]Reality{"200 /direction": RealityNeither}},
		{"no sample", nil, map[string]Reality{"200 /direction": RealityNotExercised}},
		{"a closed object", [][]byte{extra}, map[string]Reality{"200 /subresource_uris": RealityBoth}},
		{"a closed object live does not close", [][]byte{undeclared}, map[string]Reality{"200 /subresource_uris": RealityPinned}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, doc)
			e.calls.bodies = tt.bodies
			rep, err := invoke(t, e.handler(t, nil))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Reality{}
			for _, c := range rep.Changes {
				if _, ok := tt.want[c.Pointer]; ok {
					got[c.Pointer] = c.Reality
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			if rep.SampledCalls != len(tt.bodies) {
				t.Errorf("sampled %d calls, want %d", rep.SampledCalls, len(tt.bodies))
			}
			var ev struct {
				Changes []ChangeDetail `json:"changes"`
			}
			if evs := e.events(t); len(evs) != 1 || json.Unmarshal([]byte(evs[0].Detail), &ev) != nil {
				t.Fatalf("events = %+v, want one", evs)
			}
			for _, c := range ev.Changes {
				if w, ok := tt.want[c.Pointer]; ok && c.Reality != w {
					t.Errorf("event: %s reality %s, want %s", c.Pointer, c.Reality, w)
				}
			}
		})
	}
}

func TestHostGuard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, readTestdata(t, "specwatch/published-v1.yaml"))
	base := map[string]string{"IDEMPOTENCY_TABLE": "t", "EVENT_BUS_NAME": "b", "SIGNALWIRE_SECRET_ID": "s"}
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"plain http", map[string]string{"SPEC_URL": "http://raw.githubusercontent.com/x"}, "must be https"},
		{"other host", map[string]string{"SPEC_URL": "https://example.com/x"}, `host "example.com" is not in SPEC_ALLOWED_HOSTS`},
		{"loopback without the switch", map[string]string{"SPEC_URL": e.docs.URL}, "is not in SPEC_ALLOWED_HOSTS"},
		{"credentials", map[string]string{"SPEC_URL": "https://u:p@raw.githubusercontent.com/x"}, "must not carry credentials"},
		{"other port", map[string]string{"SPEC_URL": "https://raw.githubusercontent.com:8443/x"}, "default https port"},
		{"everything missing", map[string]string{"IDEMPOTENCY_TABLE": " ", "EVENT_BUS_NAME": "", "SIGNALWIRE_SECRET_ID": ""}, "IDEMPOTENCY_TABLE is required"},
	} {
		vars := map[string]string{}
		for k, v := range base {
			vars[k] = v
		}
		for k, v := range tt.vars {
			vars[k] = v
		}
		_, err := loadConfig(testkit.Getenv(t, Env(), vars))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: loadConfig = %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "u:p@") {
			t.Errorf("%s: the error echoes credentials: %v", tt.name, err)
		}
	}
	cfg, err := loadConfig(testkit.Getenv(t, Env(), base))
	if err != nil || cfg.URL.String() != DefaultURL || cfg.SampleCalls != defaultSampleCalls {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}

	// A redirect off the allowed hosts is not followed.
	e.docs.Server.Config.Handler = http.RedirectHandler("https://example.com/openapi.yaml", http.StatusFound)
	_, err = invoke(t, e.handler(t, nil))
	if err == nil || !strings.Contains(err.Error(), "redirect refused") {
		t.Errorf("a redirect off the allowlist: %v, want it refused", err)
	}
	var f *Failure
	if !errors.As(err, &f) || f.Stage != "fetch" {
		t.Errorf("error %T %v, want a *Failure at fetch", err, err)
	}
}
