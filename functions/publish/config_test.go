package publish

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/testkit"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	required := map[string]string{"SIGNALWIRE_SECRET_ID": "callwire/prod", "EVENT_BUS_NAME": "callwire-calls", "IDEMPOTENCY_TABLE": "callwire-published"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range required {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want config
	}{
		{"defaults", required, config{
			Settings: boot.Settings{SecretID: "callwire/prod", CacheTTL: boot.DefaultCacheTTL, StaleTTL: boot.DefaultStaleTTL},
			mode:     retrieve.ModeWarn, bus: "callwire-calls", source: "callwire", table: "callwire-published",
			ttl: idempotency.DefaultTTL, concurrency: 10,
		}},
		{"all set", with(map[string]string{
			"CONTRACT_MODE": "strict", "EVENT_SOURCE": "com.example.calls", "IDEMPOTENCY_TTL_HOURS": "336",
			"RETRIEVE_CONCURRENCY": "4", "EVENT_BUS_NAME": "arn:aws:events:us-east-1:123456789012:event-bus/calls",
		}), config{
			Settings: boot.Settings{SecretID: "callwire/prod", CacheTTL: boot.DefaultCacheTTL, StaleTTL: boot.DefaultStaleTTL},
			mode:     retrieve.ModeStrict, bus: "arn:aws:events:us-east-1:123456789012:event-bus/calls", source: "com.example.calls",
			table: "callwire-published", ttl: 336 * time.Hour, concurrency: 4,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(testkit.Getenv(t, Env(), tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(testkit.Getenv(t, Env(), map[string]string{
		"EVENT_SOURCE": "aws.calls", "IDEMPOTENCY_TTL_HOURS": "8761", "RETRIEVE_CONCURRENCY": "0", "CONTRACT_MODE": "loud", "DEAD_LETTER_QUEUE_URL": "ftp://queue",
	}))
	if err == nil {
		t.Fatal("loadConfig succeeded")
	}
	for _, want := range []string{"SIGNALWIRE_SECRET_ID", "EVENT_BUS_NAME", "IDEMPOTENCY_TABLE", "EVENT_SOURCE", "IDEMPOTENCY_TTL_HOURS", "RETRIEVE_CONCURRENCY", "CONTRACT_MODE", "DEAD_LETTER_QUEUE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}
