package driftcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/testkit"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string // substrings, all of them in one error
	}{
		{
			name: "defaults",
			env:  map[string]string{"SIGNALWIRE_SECRET_ID": "callwire/signalwire"},
			want: config{Settings: boot.Settings{SecretID: "callwire/signalwire", CacheTTL: 5 * time.Minute, StaleTTL: time.Hour}, sampleRecent: 20, probeNotFound: true},
		},
		{
			name: "all set",
			env: map[string]string{"SIGNALWIRE_SECRET_ID": "arn:aws:secretsmanager:us-east-1:1:secret:x", "SECRET_CACHE_TTL": "30s",
				"SECRET_STALE_TTL": "10m", "DRIFT_SAMPLE_RECENT": "0", "DRIFT_PROBE_NOT_FOUND": "false", "AWS_LAMBDA_FUNCTION_NAME": "callwire-prod-DriftCheckFunction-1A2B"},
			want: config{Settings: boot.Settings{SecretID: "arn:aws:secretsmanager:us-east-1:1:secret:x", CacheTTL: 30 * time.Second,
				StaleTTL: 10 * time.Minute, FunctionName: "callwire-prod-DriftCheckFunction-1A2B"}},
		},
		{
			name: "every problem at once",
			env:  map[string]string{"SECRET_CACHE_TTL": "soon", "DRIFT_SAMPLE_RECENT": "1001", "DRIFT_PROBE_NOT_FOUND": "maybe"},
			wantErr: []string{"SIGNALWIRE_SECRET_ID is required", `SECRET_CACHE_TTL "soon"`,
				`DRIFT_SAMPLE_RECENT "1001" must be an integer from 0 to 1000`, `DRIFT_PROBE_NOT_FOUND "maybe"`},
		},
		{
			name:    "negative sample",
			env:     map[string]string{"SIGNALWIRE_SECRET_ID": "x", "DRIFT_SAMPLE_RECENT": "-1"},
			wantErr: []string{"DRIFT_SAMPLE_RECENT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(testkit.Getenv(t, Env(), tt.env))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}
