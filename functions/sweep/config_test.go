package sweep

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/testkit"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	required := map[string]string{"SIGNALWIRE_SECRET_ID": "s", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q", "IDEMPOTENCY_TABLE": "t"}
	settings := boot.Settings{SecretID: "s", CacheTTL: boot.DefaultCacheTTL, StaleTTL: boot.DefaultStaleTTL}
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string // substrings, all of them in one error
	}{
		{name: "defaults", env: required, want: config{Settings: settings, queueURL: required["QUEUE_URL"], table: "t",
			window: 2 * time.Hour, pageSize: 1000, pageLimit: 50, ttl: idempotency.DefaultTTL}},
		{name: "edges", env: with(required, "SWEEP_WINDOW", "168h", "SWEEP_PAGE_SIZE", "1", "SWEEP_PAGE_LIMIT", "1000", "IDEMPOTENCY_TTL_HOURS", "1"),
			want: config{Settings: settings, queueURL: required["QUEUE_URL"], table: "t", window: 168 * time.Hour, pageSize: 1, pageLimit: 1000, ttl: time.Hour}},
		{
			name: "every problem at once",
			env:  map[string]string{"SWEEP_WINDOW": "9m", "SWEEP_PAGE_SIZE": "1001", "SWEEP_PAGE_LIMIT": "0", "IDEMPOTENCY_TTL_HOURS": "8761"},
			wantErr: []string{"SIGNALWIRE_SECRET_ID is required", "QUEUE_URL is required: the callback queue's URL",
				"IDEMPOTENCY_TABLE is required: the published-events table", `SWEEP_WINDOW "9m" must be a duration from 10m0s to 168h0m0s, such as 2h`,
				`SWEEP_PAGE_SIZE "1001" must be an integer from 1 to 1000`, `SWEEP_PAGE_LIMIT "0" must be an integer from 1 to 1000`,
				`IDEMPOTENCY_TTL_HOURS "8761" must be an integer from 1 to 8760`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(testkit.Getenv(t, Env(), tt.env))
			if tt.wantErr != nil {
				for _, s := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), s) {
						t.Errorf("error %v lacks %q", err, s)
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

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
