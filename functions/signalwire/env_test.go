package signalwire

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callwire/callwire/functions/voice"
)

func TestCredentialsFromEnv(t *testing.T) {
	t.Parallel()
	full := map[string]string{EnvProjectID: testProjectID, EnvAPIToken: testToken, EnvSpaceURL: "example.signalwire.com"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr error
		wantSub string
	}{
		{name: "all set", env: full},
		{name: "none set", wantErr: ErrNoCredentials, wantSub: "no SignalWire credentials"},
		{name: "token missing", env: map[string]string{EnvProjectID: testProjectID, EnvSpaceURL: "x"}, wantErr: ErrNoCredentials, wantSub: EnvAPIToken + " not set"},
		{name: "project not a UUID", env: map[string]string{EnvProjectID: "AC123", EnvAPIToken: testToken, EnvSpaceURL: "example.signalwire.com"}, wantErr: voice.ErrCredentials, wantSub: "project_id: not a UUID"},
		{name: "space elsewhere", env: map[string]string{EnvProjectID: testProjectID, EnvAPIToken: testToken, EnvSpaceURL: "https://evil.example"}, wantErr: voice.ErrCredentials, wantSub: "space_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := CredentialsFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantSub) {
					t.Fatalf("CredentialsFromEnv error = %v, want %v containing %q", err, tt.wantErr, tt.wantSub)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error carries the token: %v", err)
				}
				return
			}
			if err != nil || c.APIToken != testToken {
				t.Fatalf("CredentialsFromEnv = %v, %v", c, err)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if s := fmt.Sprintf(verb, c); strings.Contains(s, testToken) {
					t.Errorf("%s prints the token: %s", verb, s)
				}
			}
		})
	}
}
