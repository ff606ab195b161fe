package boot

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// TestVarsSecretTTLs checks the two secret durations: a cache TTL
// that would make every read a Secrets Manager call is refused, and the
// stale TTL is bounded.
func TestVarsSecretTTLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		cache, stale  string
		wantCache     time.Duration
		wantStale     time.Duration
		wantErrPrefix string
	}{
		{name: "defaults", wantCache: DefaultCacheTTL, wantStale: DefaultStaleTTL},
		{name: "set", cache: "30s", stale: "15m", wantCache: 30 * time.Second, wantStale: 15 * time.Minute},
		{name: "least cache ttl", cache: "1s", wantCache: time.Second, wantStale: DefaultStaleTTL},
		{name: "no stale serving", stale: "0", wantCache: DefaultCacheTTL},
		{name: "longest stale ttl", stale: "24h", wantCache: DefaultCacheTTL, wantStale: 24 * time.Hour},
		{name: "zero cache ttl", cache: "0", wantErrPrefix: `SECRET_CACHE_TTL "0"`},
		{name: "zero seconds", cache: "0s", wantErrPrefix: `SECRET_CACHE_TTL "0s"`},
		{name: "sub-second cache ttl", cache: "999ms", wantErrPrefix: `SECRET_CACHE_TTL "999ms"`},
		{name: "nanosecond cache ttl", cache: "1ns", wantErrPrefix: `SECRET_CACHE_TTL "1ns"`},
		{name: "negative cache ttl", cache: "-5m", wantErrPrefix: `SECRET_CACHE_TTL "-5m"`},
		{name: "cache ttl not a duration", cache: "soon", wantErrPrefix: `SECRET_CACHE_TTL "soon"`},
		{name: "negative stale ttl", stale: "-1s", wantErrPrefix: `SECRET_STALE_TTL "-1s"`},
		{name: "stale ttl past a day", stale: "24h0m1s", wantErrPrefix: `SECRET_STALE_TTL "24h0m1s"`},
		{name: "stale ttl not a duration", stale: "1 hour", wantErrPrefix: `SECRET_STALE_TTL "1 hour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Settings
			err := Vars(&s).Load(mapEnv(map[string]string{
				"SIGNALWIRE_SECRET_ID": testSecretID, "SECRET_CACHE_TTL": tt.cache, "SECRET_STALE_TTL": tt.stale,
			}))
			if tt.wantErrPrefix != "" {
				if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), tt.wantErrPrefix) {
					t.Errorf("error = %v, want one starting %s", err, tt.wantErrPrefix)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if diff := cmp.Diff([]time.Duration{tt.wantCache, tt.wantStale}, []time.Duration{s.CacheTTL, s.StaleTTL}); diff != "" {
				t.Errorf("CacheTTL, StaleTTL (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecretsStaleTTL builds the source as every function does, from its
// settings, and has Secrets Manager throttle once the cache TTL is over:
// with a stale TTL the last good secret serves, and each serve reaches the
// hook; with SECRET_STALE_TTL=0 the read fails with secrets.ErrUnavailable.
func TestSecretsStaleTTL(t *testing.T) {
	t.Parallel()
	for _, stale := range []string{"", "0"} {
		t.Run("SECRET_STALE_TTL="+stale, func(t *testing.T) {
			t.Parallel()
			sm := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKey))
			ts := httptest.NewServer(sm)
			t.Cleanup(ts.Close)
			sm.Put(testSecretID, "value")
			m := map[string]string{
				"AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey, "AWS_REGION": "us-east-1",
				"AWS_ENDPOINT_URL_SECRETS_MANAGER": ts.URL,
				"SIGNALWIRE_SECRET_ID":             testSecretID, "SECRET_CACHE_TTL": "1s", "SECRET_STALE_TTL": stale,
			}
			var settings Settings
			if err := Vars(&settings).Load(mapEnv(m)); err != nil {
				t.Fatal(err)
			}
			cfg, err := AWS(mapEnv(m))
			if err != nil {
				t.Fatal(err)
			}
			hooked := 0
			src := Secrets(cfg, settings, secrets.WithStaleHook(func(string, time.Duration) { hooked++ }))
			if _, err := src.Value(t.Context(), testSecretID); err != nil {
				t.Fatal(err)
			}
			sm.SetFault(testSecretID, secretsserver.Throttled)
			time.Sleep(settings.CacheTTL) // the real clock: boot builds the source as main does
			v, err := src.Value(t.Context(), testSecretID)
			if stale == "0" {
				if !errors.Is(err, secrets.ErrUnavailable) || hooked != 0 || src.StaleServes() != 0 {
					t.Errorf("Value = %q, %v (hook %d, StaleServes %d); want secrets.ErrUnavailable and no stale serve", v, err, hooked, src.StaleServes())
				}
				return
			}
			if err != nil || v != "value" || hooked != 1 || src.StaleServes() != 1 {
				t.Errorf("Value = %q, %v (hook %d, StaleServes %d); want the stale value, counted once", v, err, hooked, src.StaleServes())
			}
		})
	}
}
