package getcall

import (
	"math"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestDeployTimeout checks getcall's Timeout against the SignalWire client:
// it gives one request the client's whole bound, so a slow answer is not
// cut short by a deadline the client's retry margin was not made for.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	timeout, _ := testkit.Timeout(t, "GetCallFunction")
	perRequest := signalwire.NewHTTPClient().Timeout
	if perRequest <= 0 {
		t.Fatal("the SignalWire HTTP client has no timeout")
	}
	if timeout < perRequest {
		t.Errorf("Timeout %v is below one SignalWire request's bound %v", timeout, perRequest)
	}
	// Beyond a few requests' worth of time only a hung caller waits.
	if limit := time.Duration(math.Ceil(3*perRequest.Seconds())) * time.Second; timeout > limit {
		t.Errorf("Timeout %v is above %v, three SignalWire requests' bound; a synchronous caller would give up first", timeout, limit)
	}
}
