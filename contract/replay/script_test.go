package replay

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScript(t *testing.T) {
	t.Parallel()
	rec := readRecording(t, "conformant/200-completed-outbound-machine.json")
	sid := recordingSID(rec)
	recorded := reply{Status: 200, Body: recordedBody(rec)}
	const unknownSID = "ffffffff-0000-4000-8000-000000000000"

	// step is one request and what it must get; wantErr expects no response.
	type step struct {
		sid      string        // default: the recording's SID
		timeout  time.Duration // request deadline; 0 means none
		want     reply
		wantErr  bool
		minDelay time.Duration
	}
	tests := []struct {
		name   string
		script []Scripted
		steps  []step
	}{
		{
			name: "503 then recording",
			script: []Scripted{{
				Status: 503,
				Header: http.Header{"Retry-After": {"1"}, "Content-Type": {"application/json"}},
				Body:   []byte(`{"code":503,"message":"Service Unavailable","status":503}`),
			}},
			steps: []step{
				{want: reply{Status: 503, Header: http.Header{"Retry-After": {"1"}, "Content-Type": {"application/json"}},
					Body: `{"code":503,"message":"Service Unavailable","status":503}`}},
				{want: recorded},
				{want: recorded},
			},
		},
		{
			name:   "responses in order",
			script: []Scripted{{Status: 500}, {Status: 429, Header: http.Header{"Retry-After": {"2"}}}},
			steps: []step{
				{want: reply{Status: 500}},
				{want: reply{Status: 429, Header: http.Header{"Retry-After": {"2"}}}},
				{want: recorded},
			},
		},
		{
			name:   "reset then recording",
			script: []Scripted{{Reset: true}},
			steps:  []step{{wantErr: true}, {want: recorded}},
		},
		{
			name:   "delay then recording",
			script: []Scripted{{Delay: 150 * time.Millisecond}},
			steps:  []step{{want: recorded, minDelay: 150 * time.Millisecond}, {want: recorded}},
		},
		{
			name:   "delay past the client deadline",
			script: []Scripted{{Delay: time.Minute, Status: 200}},
			steps:  []step{{timeout: 100 * time.Millisecond, wantErr: true}, {want: recorded}},
		},
		{
			name:   "delay then reset",
			script: []Scripted{{Delay: 50 * time.Millisecond, Reset: true}},
			steps:  []step{{wantErr: true, minDelay: 50 * time.Millisecond}, {want: recorded}},
		},
		{
			name:   "body without status is 200",
			script: []Scripted{{Body: []byte("{}")}},
			steps:  []step{{want: reply{Status: 200, Body: "{}"}}, {want: recorded}},
		},
		{
			name:   "unknown sid falls back to not found",
			script: []Scripted{{Status: 502, Body: []byte("bad gateway")}},
			steps: []step{
				{sid: unknownSID, want: reply{Status: 502, Body: "bad gateway"}},
				{sid: unknownSID, want: reply{Status: 404, Body: notFoundBody}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, base := loadedServer(t)
			target := sid
			if tt.steps[0].sid != "" {
				target = tt.steps[0].sid
			}
			s.Script(target, tt.script...)
			// A fresh connection per request: net/http's Transport would retry a
			// GET whose reused connection is reset, hiding the fault.
			c := newClient(t)
			c.Transport.(*http.Transport).DisableKeepAlives = true
			for i, st := range tt.steps {
				if st.sid == "" {
					st.sid = sid
				}
				ctx := t.Context()
				if st.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, st.timeout)
					defer cancel()
				}
				start := time.Now()
				got, err := send(ctx, c, http.MethodGet, base+callPath(testAccount, st.sid), nil)
				elapsed := time.Since(start)
				switch {
				case st.wantErr && err == nil:
					t.Fatalf("step %d: got status %d, want no response", i, got.Status)
				case !st.wantErr && err != nil:
					t.Fatalf("step %d: %v", i, err)
				case st.timeout > 0 && !errors.Is(err, context.DeadlineExceeded):
					t.Errorf("step %d: error %v, want the deadline", i, err)
				}
				if elapsed < st.minDelay {
					t.Errorf("step %d: answered after %v, want at least %v", i, elapsed, st.minDelay)
				}
				if st.wantErr {
					continue
				}
				got.Header = pick(got.Header, st.want.Header)
				if diff := cmp.Diff(st.want, got); diff != "" {
					t.Errorf("step %d (-want +got):\n%s", i, diff)
				}
			}
			if got, want := s.RequestsFor(target), int64(len(tt.steps)); got != want {
				t.Errorf("RequestsFor(%s) = %d, want %d", target, got, want)
			}
		})
	}
}
