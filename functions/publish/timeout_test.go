package publish

import (
	"testing"

	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestDeployTimeout checks the function's Timeout against what a batch
// needs: one SignalWire request's whole bound (one attempt, all calls of the
// batch at once) and the time kept for publishing after it.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	timeout, _ := testkit.Timeout(t, "PublishFunction")
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := perRequest + publishReserve; timeout < need {
		t.Errorf("Timeout %v is below one SignalWire request's bound plus the publish reserve (%v)", timeout, need)
	}
}
