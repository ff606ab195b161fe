package publish

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// recordedWithStatus is the recorded Retrieve a Call body of sidCompleted
// with its status replaced by status.
func recordedWithStatus(t *testing.T, status string) replay.Scripted {
	t.Helper()
	raw, err := os.ReadFile(testdataDir + "/recordings/conformant/200-completed-inbound-human.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Response struct {
			Body map[string]any `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	rec.Response.Body["status"] = status
	body, err := json.Marshal(rec.Response.Body)
	if err != nil {
		t.Fatal(err)
	}
	return replay.Scripted{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body}
}

// withDeadLetters gives env's handler a dead-letter queue on a loopback SQS
// server and returns the server.
func withDeadLetters(t *testing.T, env *testEnv) *sqsserver.Server {
	t.Helper()
	srv := sqsserver.New()
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	url, err := srv.CreateQueue("callback-dlq", nil)
	if err != nil {
		t.Fatal(err)
	}
	env.h.deadLetters = queue.NewDeadLetters(awsConfig(base), url)
	return srv
}

// TestStatusRule retrieves sidCompleted answering a status in SignalWire's
// drifted spellings and statuses it does not document: the first are
// published in the documented spelling with a drift finding, the others
// are acknowledged and sent to the dead-letter queue with their reason.
func TestStatusRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answered   string
		hint       string
		wantStatus string // "" when nothing may be published
	}{
		{"capitalised, terminal hint", "Completed", "completed", "completed"},
		{"capitalised, earlier hint", "Completed", "ringing", "completed"},
		{"underscore", "in_progress", "ringing", "in-progress"},
		{"trailing no-break space, terminal hint", "completed\u00a0", "completed", "completed"},
		{"upper case with tab", "\tNO_ANSWER", "no-answer", "no-answer"},
		{"callback status", "Initiated", "initiated", "initiated"},
		{"undocumented", "answered", "completed", ""},
		{"space inside", "in progress", "ringing", ""},
		{"empty after trimming", "\u00a0", "completed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t)
			dlq := withDeadLetters(t, env)
			env.sw.Script(sidCompleted, recordedWithStatus(t, tt.answered))
			rec := hintRecord(sidCompleted, tt.hint)
			resp := env.handle(t, rec)
			if got := failedIDs(resp); len(got) != 0 {
				t.Fatalf("item failures %v, want the record acknowledged\n%s", got, env.logs.String())
			}
			got := env.publishedDetails(t)
			msgs := dlq.Messages("callback-dlq")
			if tt.wantStatus == "" {
				if len(got) != 0 {
					t.Errorf("published %v, want nothing", eventIDs(got))
				}
				if len(msgs) != 1 || msgs[0].Body != rec.Body {
					t.Fatalf("dead-letter queue holds %+v, want the record", msgs)
				}
				if a := msgs[0].Attributes[queue.ReasonAttribute]; a.StringValue == nil || *a.StringValue != string(reasonUnknownStatus) {
					t.Errorf("reason attribute %+v, want %s", a, reasonUnknownStatus)
				}
				if n := env.metric(t, "HintsDeadLettered"); n != 1 {
					t.Errorf("HintsDeadLettered = %v, want 1", n)
				}
				return
			}
			if len(msgs) != 0 {
				t.Errorf("dead-letter queue holds %d messages, want none", len(msgs))
			}
			if diff := cmp.Diff([]string{sidCompleted + "/" + tt.wantStatus}, eventIDs(got)); diff != "" {
				t.Fatalf("published (-want +got):\n%s", diff)
			}
			if got[0].Status != tt.wantStatus || got[0].Call == nil || got[0].Call.Status != tt.wantStatus {
				t.Errorf("status %q, call %+v; want %q", got[0].Status, got[0].Call, tt.wantStatus)
			}
			if n := env.metric(t, "StatusDrift"); n != 1 {
				t.Errorf("StatusDrift = %v, want 1", n)
			}
		})
	}
}

// TestUnknownStatusWithoutDeadLetterQueue: without a dead-letter queue a
// record whose status is undocumented is an item failure, never published.
func TestUnknownStatusWithoutDeadLetterQueue(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.sw.Script(sidCompleted, recordedWithStatus(t, "answered"))
	rec := hintRecord(sidCompleted, "completed")
	resp := env.handle(t, rec)
	if diff := cmp.Diff([]string{rec.MessageId}, failedIDs(resp)); diff != "" {
		t.Errorf("item failures (-want +got):\n%s", diff)
	}
	if got := env.publishedDetails(t); len(got) != 0 {
		t.Errorf("published %v", eventIDs(got))
	}
}
