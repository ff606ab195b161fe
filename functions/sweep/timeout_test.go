package sweep

import (
	"fmt"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// pageBudget is the time template.yaml's Timeout comment allows one page:
// a List Calls request for 1000 calls, ten BatchGetItem requests and the
// SendMessageBatch requests for the calls not yet published.
const pageBudget = 6 * time.Second

// TestDeployTimeout checks the sweep's Timeout against its page limit: the
// default number of pages fits at pageBudget each; the first page fits
// even when SignalWire takes a whole request's bound, with the margin in
// which no page is asked for; and the Timeout is one Lambda accepts.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	timeout, s := testkit.Timeout(t, "SweepFunction")
	if need := defaultPageLimit * pageBudget; timeout < need {
		t.Errorf("Timeout %v is below %v: %d pages (the default page limit) at %v each", timeout, need, defaultPageLimit, pageBudget)
	}
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := perRequest + pageMargin; timeout < need {
		t.Errorf("Timeout %v is below one SignalWire request's bound %v plus the page margin %v", timeout, perRequest, pageMargin)
	}
	if timeout > 15*time.Minute {
		t.Errorf("Timeout %v is above Lambda's 15 minutes", timeout)
	}
	if def, _ := stack.At(s.Template, "Parameters", "SweepPageLimit", "Default"); def != defaultPageLimit {
		t.Errorf("SweepPageLimit Default %v, want the code's default %d", def, defaultPageLimit)
	}
	if def, _ := stack.At(s.Template, "Parameters", "SweepWindow", "Default"); def != fmt.Sprintf("%dh", int(defaultWindow.Hours())) {
		t.Errorf("SweepWindow Default %v, want the code's default %v", def, defaultWindow)
	}
}
