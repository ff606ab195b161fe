package callback

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/testkit"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"SIGNALWIRE_SECRET_ID": "callwire/signalwire", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/callwire-callbacks"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name        string
		env         map[string]string
		wantFetchOn map[string]bool
		wantPublic  string
		wantRefresh time.Duration
		wantErrs    []string // substrings of the error; nil means success
	}{
		{name: "defaults", env: base, wantFetchOn: set("completed", "busy", "failed", "no-answer", "canceled"), wantRefresh: time.Minute},
		{name: "FETCH_ON list", env: with("FETCH_ON", " Completed, ringing ,,"), wantFetchOn: set("completed", "ringing"), wantRefresh: time.Minute},
		{name: "public URL and interval", env: with("CALLBACK_PUBLIC_URL", "https://hooks.example.com/sw/status", "SIGNING_KEY_REFRESH_INTERVAL", "30s"),
			wantFetchOn: set(terminal()...), wantPublic: "https://hooks.example.com/sw/status", wantRefresh: 30 * time.Second},
		{name: "refreshes off", env: with("SIGNING_KEY_REFRESH_INTERVAL", "0"), wantFetchOn: set(terminal()...)},
		{name: "everything missing", env: map[string]string{}, wantErrs: []string{"SIGNALWIRE_SECRET_ID", "QUEUE_URL is required"}},
		{
			name: "every problem at once",
			env: with("QUEUE_URL", "callwire-callbacks", "FETCH_ON", "completed,answered", "CALLBACK_PUBLIC_URL", "https://hooks.example.com/x?token=1",
				"SIGNING_KEY_REFRESH_INTERVAL", "-1m", "SECRET_CACHE_TTL", "soon"),
			wantErrs: []string{"QUEUE_URL", `"answered" is not a call status`, "CALLBACK_PUBLIC_URL", "SIGNING_KEY_REFRESH_INTERVAL", "SECRET_CACHE_TTL"},
		},
		{name: "FETCH_ON blank", env: with("FETCH_ON", "  "), wantFetchOn: set(terminal()...), wantRefresh: time.Minute},
		{name: "FETCH_ON of commas", env: with("FETCH_ON", ",,"), wantErrs: []string{"FETCH_ON names no status"}},
		{name: "relative public URL", env: with("CALLBACK_PUBLIC_URL", "/status"), wantErrs: []string{"absolute https URL"}},
		{name: "public URL with a fragment", env: with("CALLBACK_PUBLIC_URL", "https://h.example/x#y"), wantErrs: []string{"fragment"}},
		{name: "public URL with userinfo", env: with("CALLBACK_PUBLIC_URL", "https://u:p@h.example/x"), wantErrs: []string{"userinfo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(testkit.Getenv(t, Env(), tt.env))
			if tt.wantErrs != nil {
				if err == nil {
					t.Fatal("loadConfig succeeded")
				}
				for _, s := range tt.wantErrs {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantFetchOn, cfg.fetchOn); diff != "" {
				t.Errorf("fetchOn (-want +got):\n%s", diff)
			}
			if cfg.publicURL != tt.wantPublic || cfg.refreshInterval != tt.wantRefresh || cfg.queueURL != tt.env["QUEUE_URL"] {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
}
