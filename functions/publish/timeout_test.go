package publish

import (
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestDeployTimeout checks the function's Timeout against what a batch
// needs: one SignalWire request's whole bound (one attempt, all calls of the
// batch at once) and the time kept for publishing after it.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	s, err := stack.Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := stack.At(s.Template, "Resources", "PublishFunction", "Properties", "Timeout")
	secs, ok := raw.(int)
	if !ok {
		t.Fatalf("Timeout = %v, want a number of seconds", raw)
	}
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := perRequest + publishReserve; time.Duration(secs)*time.Second < need {
		t.Errorf("Timeout %ds is below one SignalWire request's bound plus the publish reserve (%v)", secs, need)
	}
}
