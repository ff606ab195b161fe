package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// The credentials the test profiles resolve to.
const (
	profileKey     = "AKIDLIVEPROFILE"
	profileSecret  = "live-profile-secret-access-key"
	profileSession = "live-profile-session-token"
	ssoKey         = "ASIALIVESSO"
	ssoSecret      = "live-sso-secret-access-key"
	ssoSession     = "live-sso-session-token"
	ssoBearer      = "live-sso-bearer-token"
	ssoStartURL    = "https://callwire-test.awsapps.com/start"
)

// awsVars are the variables through which the runner's own AWS
// configuration could reach a test; isolateAWS unsets them all.
var awsVars = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSO",
	"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_STS", "SIGNALWIRE_SECRET_ID",
}

// isolateAWS points the SDK at config and credentials files holding
// configFile and credentialsFile, unsets every AWS variable and turns off
// instance metadata, so only what the test sets is found.
func isolateAWS(t *testing.T, configFile, credentialsFile string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"config": configFile, "credentials": credentialsFile} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range awsVars {
		t.Setenv(v, "") // restored when t ends
		if err := os.Unsetenv(v); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// ssoEndpoint starts a loopback AWS IAM Identity Center portal that
// answers GetRoleCredentials for ssoBearer, and points the SDK at it.
func ssoEndpoint(t *testing.T) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/federation/credentials" || r.Header.Get("X-Amz-Sso_bearer_token") != ssoBearer ||
			q.Get("account_id") != "123456789012" || q.Get("role_name") != "Developer" {
			w.Header().Set("X-Amzn-ErrorType", "UnauthorizedException")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Session token not found or invalid"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"roleCredentials": map[string]any{
			"accessKeyId": ssoKey, "secretAccessKey": ssoSecret, "sessionToken": ssoSession,
			"expiration": time.Now().Add(time.Hour).UnixMilli(),
		}})
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSO", srv.URL)
}

// ssoLogin writes the cached token aws sso login leaves for ssoStartURL,
// under a home directory of the test's own.
func ssoLogin(t *testing.T, expires time.Time) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	sum := sha1.Sum([]byte(ssoStartURL))
	dir := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	token, _ := json.Marshal(map[string]string{"accessToken": ssoBearer, "expiresAt": expires.UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), token, 0o600); err != nil {
		t.Fatal(err)
	}
}

const (
	staticProfiles = "[profile dev]\nregion = eu-west-1\n\n[profile noregion]\n\n[profile empty]\nregion = eu-west-1\n"
	staticCreds    = "[dev]\naws_access_key_id = " + profileKey + "\naws_secret_access_key = " + profileSecret +
		"\naws_session_token = " + profileSession + "\n\n[noregion]\naws_access_key_id = " + profileKey +
		"\naws_secret_access_key = " + profileSecret + "\n"
	ssoProfiles = "[profile sso-dev]\nsso_start_url = " + ssoStartURL + "\nsso_region = us-east-1\n" +
		"sso_account_id = 123456789012\nsso_role_name = Developer\nregion = ap-south-1\n"
)

// awsEnv returns the AWS_ variables of env, sorted.
func awsEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

func TestLiveEnv(t *testing.T) { //nolint:paralleltest // sets the process environment the SDK reads
	tests := []struct {
		name    string
		config  string
		creds   string
		vars    map[string]string
		sso     bool
		wantAWS []string
	}{
		{
			name: "profile", config: staticProfiles, creds: staticCreds,
			vars: map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:4566"},
			wantAWS: []string{"AWS_ACCESS_KEY_ID=" + profileKey, "AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:4566",
				"AWS_REGION=eu-west-1", "AWS_SECRET_ACCESS_KEY=" + profileSecret, "AWS_SESSION_TOKEN=" + profileSession},
		},
		{
			name: "profile with AWS_REGION", config: staticProfiles, creds: staticCreds,
			vars:    map[string]string{"AWS_PROFILE": "noregion", "AWS_REGION": "us-west-2", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
			wantAWS: []string{"AWS_ACCESS_KEY_ID=" + profileKey, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", "AWS_REGION=us-west-2", "AWS_SECRET_ACCESS_KEY=" + profileSecret},
		},
		{
			name:    "environment keys",
			vars:    map[string]string{"AWS_ACCESS_KEY_ID": profileKey, "AWS_SECRET_ACCESS_KEY": profileSecret, "AWS_DEFAULT_REGION": "eu-central-1"},
			wantAWS: []string{"AWS_ACCESS_KEY_ID=" + profileKey, "AWS_REGION=eu-central-1", "AWS_SECRET_ACCESS_KEY=" + profileSecret},
		},
		{
			name: "SSO", config: ssoProfiles, sso: true,
			vars:    map[string]string{"AWS_PROFILE": "sso-dev"},
			wantAWS: []string{"AWS_ACCESS_KEY_ID=" + ssoKey, "AWS_REGION=ap-south-1", "AWS_SECRET_ACCESS_KEY=" + ssoSecret, "AWS_SESSION_TOKEN=" + ssoSession},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t, tt.config, tt.creds)
			if tt.sso {
				ssoEndpoint(t)
				ssoLogin(t, time.Now().Add(time.Hour))
			}
			t.Setenv("SIGNALWIRE_SECRET_ID", "callwire/signalwire")
			t.Setenv("CALLWIRE_TEST_KEPT", "yes")
			for k, v := range tt.vars {
				t.Setenv(k, v)
			}

			env, err := liveEnv(t.Context(), os.Environ())
			if err != nil {
				t.Fatalf("liveEnv: %v", err)
			}
			// Only the endpoint overrides of the SDK's inputs pass on, so
			// the function reads what Lambda would give it and nothing else.
			got := awsEnv(env)
			if tt.sso {
				got = slices.DeleteFunc(got, func(kv string) bool { return strings.HasPrefix(kv, "AWS_ENDPOINT_URL_SSO=") })
			}
			if diff := cmp.Diff(tt.wantAWS, got); diff != "" {
				t.Errorf("AWS variables mismatch (-want +got):\n%s", diff)
			}
			for _, want := range []string{"SIGNALWIRE_SECRET_ID=callwire/signalwire", "CALLWIRE_TEST_KEPT=yes"} {
				if !slices.Contains(env, want) {
					t.Errorf("environment lacks %s", want)
				}
			}
		})
	}
}

func TestLiveEnvMissing(t *testing.T) { //nolint:paralleltest // sets the process environment the SDK reads
	const (
		noCreds  = "AWS credentials: none found: set AWS_PROFILE to a configured profile (for SSO, run aws sso login --profile NAME first), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
		noSecret = "SIGNALWIRE_SECRET_ID: the name or ARN of the SignalWire secret"
	)
	tests := []struct {
		name     string
		config   string
		creds    string
		vars     map[string]string
		ssoUntil time.Duration // > 0: an SSO login that expires this long from now (negative: expired)
		want     string
	}{
		{name: "nothing", want: "-live needs " + noSecret + "; " + noCreds + "; an AWS region: set AWS_REGION"},
		{name: "no secret ID", config: staticProfiles, creds: staticCreds, vars: map[string]string{"AWS_PROFILE": "dev"},
			want: "-live needs " + noSecret},
		{name: "no credentials", vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_REGION": "us-east-1"},
			want: "-live needs " + noCreds},
		{name: "no region", config: staticProfiles, creds: staticCreds, vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_PROFILE": "noregion"},
			want: `-live needs an AWS region: set AWS_REGION, or region in profile "noregion"`},
		{name: "unknown profile", config: staticProfiles, creds: staticCreds, vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_PROFILE": "prod"},
			want: `-live needs AWS credentials: profile "prod" (AWS_PROFILE) is not in the AWS config or credentials file; set AWS_PROFILE to a configured profile`},
		{name: "profile without credentials", config: staticProfiles, creds: staticCreds, vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_PROFILE": "empty"},
			want: `-live needs AWS credentials: profile "empty" gave none (aws sts get-caller-identity --profile empty shows why)`},
		{name: "SSO session expired", config: ssoProfiles, ssoUntil: -time.Minute, vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_PROFILE": "sso-dev"},
			want: `-live needs AWS credentials: the SSO session of profile "sso-dev" has expired or was never started: run aws sso login --profile sso-dev`},
		{name: "SSO never logged in", config: ssoProfiles, vars: map[string]string{"SIGNALWIRE_SECRET_ID": "s", "AWS_PROFILE": "sso-dev"},
			want: `-live needs AWS credentials: the SSO session of profile "sso-dev" has expired or was never started: run aws sso login --profile sso-dev`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t, tt.config, tt.creds)
			if tt.config == ssoProfiles {
				ssoEndpoint(t)
				if tt.ssoUntil != 0 {
					ssoLogin(t, time.Now().Add(tt.ssoUntil))
				} else {
					t.Setenv("HOME", t.TempDir())
				}
			}
			for k, v := range tt.vars {
				t.Setenv(k, v)
			}

			env, err := liveEnv(t.Context(), os.Environ())
			if err == nil {
				t.Fatalf("liveEnv returned no error and %d variables", len(env))
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			for _, s := range []string{profileSecret, ssoSecret, ssoBearer} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error holds a credential: %s", err)
				}
			}
		})
	}
}

// TestRunLive runs the real bootstrap with -live on a profile: the function
// must sign its Secrets Manager request with the profile's key, which the
// runner handed it as environment credentials.
func TestRunLive(t *testing.T) { //nolint:paralleltest // sets the process environment the SDK reads
	dir, bootstrap := runEnv(t)
	const (
		projectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
		token     = "PTlivetesttoken-0d9c"
		secretID  = "callwire/live-test"
	)
	sw := replay.New(replay.WithCredentials(projectID, token))
	if err := sw.LoadDir(filepath.Join(testdataDir, "recordings")); err != nil {
		t.Fatal(err)
	}
	swURL, err := sw.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sw.Close() })
	sm := secretsserver.New(secretsserver.WithAccessKeyID(profileKey), secretsserver.WithRegion("eu-west-1"))
	secret, _ := json.Marshal(map[string]string{"project_id": projectID, "api_token": token, "space_url": swURL})
	sm.Put(secretID, string(secret))
	smURL, err := sm.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.Close)

	isolateAWS(t, staticProfiles, staticCreds)
	t.Setenv("AWS_PROFILE", "dev")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", smURL)
	t.Setenv("SIGNALWIRE_SECRET_ID", secretID)
	t.Setenv("CALLWIRE_ALLOW_LOOPBACK", "true") // the replay server stands in for the space

	code, stdout, stderr := runLocal(t, t.Context(), dir, "-live", "-bootstrap", bootstrap, "-call-sid", conformantSID)
	if code != 0 {
		t.Fatalf("run = %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, conformantSID) {
		t.Errorf("stdout lacks the call:\n%s", stdout)
	}
	if sm.Requests() != 1 || sm.Rejected() != 0 {
		t.Errorf("Secrets Manager requests %d, rejected %d; want 1 signed with the profile's key", sm.Requests(), sm.Rejected())
	}
	for _, s := range []string{profileSecret, profileSession, token} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("output holds a credential")
		}
	}
}
