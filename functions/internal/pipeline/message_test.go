package pipeline_test

import (
	"errors"
	"testing"

	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

func TestParseHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantSID string
		wantErr bool
	}{
		{name: "callback", body: `{"call_sid":"C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1","status":"completed","sequence":3,"source":"callback"}`, wantSID: "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},
		{name: "not json", body: `call_sid=x`, wantErr: true},
		{name: "bad sid", body: `{"call_sid":"CA123","status":"completed"}`, wantErr: true},
		{name: "no status", body: `{"call_sid":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := pipeline.ParseHint([]byte(tt.body))
			if tt.wantErr {
				if !errors.Is(err, pipeline.ErrMessage) {
					t.Fatalf("ParseHint error = %v, want ErrMessage", err)
				}
				return
			}
			if err != nil || h.CallSID != tt.wantSID {
				t.Fatalf("ParseHint = %+v, %v; want sid %s", h, err, tt.wantSID)
			}
		})
	}
}

func TestEventIDStable(t *testing.T) {
	t.Parallel()
	a := pipeline.EventID("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", voice.StatusCompleted)
	b := pipeline.EventID("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", voice.StatusCompleted)
	c := pipeline.EventID("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1", voice.StatusBusy)
	if a != b || a == c {
		t.Errorf("EventID not a function of (sid, status): %q %q %q", a, b, c)
	}
}
