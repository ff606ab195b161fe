package getcall

import (
	"math"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// TestDeployTimeout checks getcall's Timeout against the SignalWire client:
// it gives one request the client's whole bound, so a slow answer is not
// cut short by a deadline the client's retry margin was not made for.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	s, err := stack.Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := stack.At(s.Template, "Resources", "GetCallFunction", "Properties", "Timeout")
	secs, ok := raw.(int)
	if !ok {
		t.Fatalf("Timeout = %v, want a number of seconds", raw)
	}
	timeout := time.Duration(secs) * time.Second
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
