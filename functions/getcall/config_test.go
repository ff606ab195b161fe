package getcall

import (
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/testkit"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, mode string
		want       retrieve.Mode
		wantErr    string
	}{
		{name: "default", want: retrieve.ModeWarn},
		{name: "strict", mode: "strict", want: retrieve.ModeStrict},
		{name: "unknown", mode: "loud", wantErr: `CONTRACT_MODE "loud" must be warn, strict or off`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(testkit.Getenv(t, Env(), map[string]string{"SIGNALWIRE_SECRET_ID": "s", "CONTRACT_MODE": tt.mode}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || cfg.mode != tt.want || cfg.SecretID != "s" {
				t.Errorf("loadConfig = %+v, %v; want mode %s", cfg, err, tt.want)
			}
		})
	}
}
