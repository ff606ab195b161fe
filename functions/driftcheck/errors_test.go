package driftcheck

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/callwire/callwire/functions/internal/fail"
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
		{fmt.Errorf("x: %w", voice.ErrUpstream), fail.UpstreamUnavailable},
		{fmt.Errorf("x: %w", voice.ErrRateLimited), fail.UpstreamUnavailable},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), fail.UpstreamUnavailable},
		{fmt.Errorf("x: %w", voice.ErrCredentials), fail.CredentialsUnavailable},
		{fmt.Errorf("x: %w", voice.ErrUnauthorized), fail.AccessDenied},
		{fmt.Errorf("x: %w", voice.ErrInternal), fail.Internal},
		{errors.New("a bug of ours"), fail.Internal},
	}
	for _, tt := range tests {
		if got, _ := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
