package driftcheck

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

// TestClassify checks that SignalWire's failures and ours are told apart: an
// error of no known class is Internal, never UpstreamUnavailable.
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", voice.ErrUpstream), typeUpstreamUnavailable},
		{fmt.Errorf("x: %w", voice.ErrRateLimited), typeUpstreamUnavailable},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), typeUpstreamUnavailable},
		{fmt.Errorf("x: %w", voice.ErrCredentials), typeCredentialsUnavailable},
		{fmt.Errorf("x: %w", voice.ErrUnauthorized), typeAccessDenied},
		{fmt.Errorf("x: %w", voice.ErrInternal), typeInternal},
		{errors.New("a bug of ours"), typeInternal},
	}
	for _, tt := range tests {
		if got, _ := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
