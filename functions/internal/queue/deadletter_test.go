package queue

import (
	"testing"
)

// TestDeadLetters sends a message with its reason to a loopback SQS
// endpoint with the real SDK and reads both back.
func TestDeadLetters(t *testing.T) {
	t.Parallel()
	srv, cfg, url := loopbackQueue(t, "dlq")
	d := NewDeadLetters(cfg, url)
	const body = `{"call_sid":"c0c0ca11-0000-4a1e-8b0b-1ba0c0111ed1","status":"completed","source":"sweep"}`
	if err := d.Send(t.Context(), body, "unknown_status"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "Unknown Status", "x\n", string(make([]byte, 65))} {
		if err := d.Send(t.Context(), body, bad); err == nil {
			t.Errorf("Send with reason %q: no error", bad)
		}
	}
	msgs := srv.Messages("dlq")
	if len(msgs) != 1 {
		t.Fatalf("%d messages on the queue, want 1", len(msgs))
	}
	if msgs[0].Body != body {
		t.Errorf("body %q, want %q", msgs[0].Body, body)
	}
	a, ok := msgs[0].Attributes[ReasonAttribute]
	if !ok || a.DataType != "String" || a.StringValue == nil || *a.StringValue != "unknown_status" {
		t.Errorf("reason attribute %+v (present %v), want String unknown_status", a, ok)
	}
}
