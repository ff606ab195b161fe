package driftcheck

import (
	"testing"

	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestDeployTimeout checks driftcheck's Timeout against its time budget: a
// run must have room for a List Calls page and one check, each taking the
// SignalWire client's whole bound, before the margin in which no check
// starts; otherwise a slow SignalWire leaves every run empty.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	timeout, _ := testkit.Timeout(t, "DriftCheckFunction")
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := 2*perRequest + defaultStartMargin; timeout < need {
		t.Errorf("Timeout %v is below %v: a List Calls page and one check (%v each) and the start margin %v", timeout, need, perRequest, defaultStartMargin)
	}
	if defaultReserve >= defaultStartMargin {
		t.Errorf("reserve %v is not below the start margin %v", defaultReserve, defaultStartMargin)
	}
}
