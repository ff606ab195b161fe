package fail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	narrow := Table{
		Types:     []string{UpstreamUnavailable, Internal},
		Overrides: []Class{{Sentinel: voice.ErrRateLimited, Type: UpstreamUnavailable, Message: "busy"}},
	}
	tests := []struct {
		name       string
		table      Table
		err        error
		wantType   string
		wantStatus int
		wantReason string
	}{
		{"not found", Table{}, fmt.Errorf("get: %w", voice.ErrNotFound), CallNotFound, http.StatusNotFound, "not_found"},
		{"deadline alone", Table{}, context.DeadlineExceeded, UpstreamUnavailable, http.StatusGatewayTimeout, "deadline"},
		{"upstream past the deadline", Table{}, fmt.Errorf("%w: %w", voice.ErrUpstream, context.DeadlineExceeded), UpstreamUnavailable, http.StatusGatewayTimeout, "deadline"},
		{"known class past the deadline", Table{}, fmt.Errorf("%w: %w", voice.ErrNotFound, context.DeadlineExceeded), CallNotFound, http.StatusNotFound, "not_found"},
		{"unknown", Table{}, errors.New("boom"), Internal, http.StatusInternalServerError, "internal"},
		{"cancelled", Table{}, context.Canceled, Internal, http.StatusInternalServerError, "internal"},
		{"override first", narrow, fmt.Errorf("%w: %w", voice.ErrRateLimited, voice.ErrNotFound), UpstreamUnavailable, 0, ""},
		{"undocumented class passed over", narrow, fmt.Errorf("%w: %w", voice.ErrInvalidSID, voice.ErrUpstream), UpstreamUnavailable, http.StatusBadGateway, "upstream"},
		{"no documented class", narrow, fmt.Errorf("x: %w", voice.ErrNotFound), Internal, http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.table.Classify(tt.err)
			if c.Type != tt.wantType || c.Status != tt.wantStatus || c.Reason != tt.wantReason {
				t.Errorf("Classify(%v) = %s/%d/%q, want %s/%d/%q", tt.err, c.Type, c.Status, c.Reason, tt.wantType, tt.wantStatus, tt.wantReason)
			}
		})
	}
}
