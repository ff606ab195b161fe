package getcall

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/voice"
)

// eventSeeds are shapes next to the accepted ones: each field that tells the
// shapes apart, present, null, of the wrong type or combined with another.
var eventSeeds = []string{
	`{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`,
	`{"call_sid":null}`,
	`{"call_sid":1}`,
	`{"call_sid":"../Messages"}`,
	`{"detail-type":"CallCompleted","detail":{"call_sid":"c0c0ca11-0002-4b0b-9a55-0ac41be00002"}}`,
	`{"detail":{"CallSid":"c0c0ca11-0002-4b0b-9a55-0ac41be00002"}}`,
	`{"detail":null}`,
	`{"detail":"c0c0ca11-0002-4b0b-9a55-0ac41be00002"}`,
	`{"detail-type":"x"}`,
	`{"detail":{},"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`,
	`{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","call_sid":"c0c0ca11-0002-4b0b-9a55-0ac41be00002"}`,
	`{"detail":{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","x":[{"a":1,"a":2}]}}`,
	`{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","requestContext":{"http":{"method":"GET","path":"/calls/x"}}}`,
	`{"requestContext":{"http":null},"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`,
	`{"Call_Sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`,
	`{"rawPath":"/calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","requestContext":{"stage":"$default","http":{"method":"GET","path":"/calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}}}`,
	`{"rawPath":"/prod/calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1","requestContext":{"stage":"prod","http":{"method":"GET","path":"/calls/x"}}}`,
	`{"requestContext":{"http":{"method":"GET","path":"/calls/..%2FMessages"}}}`,
	`{"requestContext":{"http":{"method":"GET","path":"/calls//c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}}}`,
	`{"requestContext":{"http":{"method":"DELETE","path":"/calls/c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}}}`,
	`{"requestContext":{"http":{"method":"GET"}},"rawPath":null}`,
	`{"requestContext":{"http":{"method":1}}}`,
	`{"requestContext":"x","call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`,
	` 	{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"} `,
	`{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}{}`,
	`[1,2]`,
	`null`,
	`"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"`,
	``,
	`{`,
}

// FuzzDecodeEvent feeds any payload to decodeEvent and, for HTTP events, the
// path to route. A payload is either one of the accepted shapes or an
// InvalidRequest whose message never repeats the payload.
func FuzzDecodeEvent(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(testdataDir, "events", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no events in %s: %v", testdataDir, err)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range eventSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		req, err := decodeEvent(payload)
		if err != nil {
			if !errors.Is(err, errInvalidRequest) {
				t.Fatalf("error %v does not wrap errInvalidRequest", err)
			}
			if c := classify(err); c.Type != fail.InvalidRequest || c.Status != http.StatusBadRequest {
				t.Errorf("classified as %s/%d, want %s/400", c.Type, c.Status, fail.InvalidRequest)
			}
			if n := len(err.Error()); n > 512 {
				t.Errorf("error message of %d bytes", n)
			}
			if req != (request{}) {
				t.Errorf("request %+v returned with an error", req)
			}
			return
		}
		switch req.kind {
		case kindHTTP:
			if req.method == "" {
				t.Fatalf("HTTP request without a method: %+v", req)
			}
			sid, status := route(req.method, req.path)
			checkRoute(t, req.method, req.path, sid, status)
		case kindDirect, kindEventBridge:
			if req.method != "" || req.path != "" {
				t.Fatalf("non-HTTP request carries HTTP fields: %+v", req)
			}
			checkSID(t, req.sid)
		default:
			t.Fatalf("unknown kind %d", req.kind)
		}
	})
}

// FuzzRoute checks route alone: only GET /calls/{one segment} is served, and
// only a canonical UUID in that segment gets past the SID parser.
func FuzzRoute(f *testing.F) {
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	for _, p := range []string{
		"/calls/" + sid, "/calls/" + strings.ToUpper(sid), "/calls/", "/calls", "/", "",
		"/calls/../Messages", "/calls/" + sid + "%2F..%2FMessages", "/calls//" + sid, "/calls/" + sid + "/",
		"/calls/%2e%2e", "/calls/" + sid + "\\..", "/calls/" + sid + "?x=1", "/calls/" + sid + "#x",
		"/CALLS/" + sid, "//calls/" + sid, "/calls/" + strings.Repeat("a", 300),
	} {
		f.Add("GET", p)
	}
	f.Add("POST", "/calls/"+sid)
	f.Add("get", "/calls/"+sid)
	f.Add("HEAD", "/calls/"+sid)
	f.Fuzz(func(t *testing.T, method, path string) {
		sid, status := route(method, path)
		checkRoute(t, method, path, sid, status)
	})
}

func checkRoute(t *testing.T, method, path, sid string, status int) {
	t.Helper()
	switch status {
	case 0:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		if sid != "" {
			t.Fatalf("route(%q, %q) = %q with status %d", method, path, sid, status)
		}
		if status == http.StatusMethodNotAllowed && method == http.MethodGet {
			t.Fatalf("route(GET, %q) answered 405", path)
		}
		return
	default:
		t.Fatalf("route(%q, %q) status %d, want 0, 404 or 405", method, path, status)
	}
	if method != http.MethodGet {
		t.Fatalf("route(%q, %q) served a method other than GET", method, path)
	}
	if len(path) > maxPathLen || path != "/calls/"+sid || sid == "" || strings.ContainsAny(sid, "/\\%") {
		t.Fatalf("route(GET, %q) served sid %q", path, sid)
	}
	checkSID(t, sid)
}

// checkSID checks that whatever reaches the SID parser is either a UUID or
// an InvalidCallSid.
func checkSID(t *testing.T, sid string) {
	t.Helper()
	got, err := voice.ParseSID(sid)
	if err != nil {
		if c := classify(err); c.Type != fail.InvalidCallSid || c.Status != http.StatusBadRequest {
			t.Fatalf("ParseSID(%q) error classified as %s/%d", sid, c.Type, c.Status)
		}
		return
	}
	if len(got) != 36 || got != strings.ToLower(sid) {
		t.Fatalf("ParseSID(%q) = %q", sid, got)
	}
}
