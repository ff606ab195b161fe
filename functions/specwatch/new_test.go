package specwatch

import (
	"testing"

	"github.com/callwire/callwire/functions/internal/logcap"
)

// TestNewBoundsLogLines: the handler a cold start builds logs through
// logcap, as every function does, so no line of a run (whose changes may
// be many) passes 16 KiB.
func TestNewBoundsLogLines(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"IDEMPOTENCY_TABLE": "callwire-published", "EVENT_BUS_NAME": "callwire", "SIGNALWIRE_SECRET_ID": "callwire/signalwire",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example-secret",
	}
	h, err := New(t.Context(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h.log.Handler().(*logcap.Handler); !ok {
		t.Errorf("the log handler is %T, want *logcap.Handler", h.log.Handler())
	}
}
