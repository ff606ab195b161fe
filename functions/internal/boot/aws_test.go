package boot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/sdkhttp"
	"github.com/callwire/callwire/functions/internal/secretsserver"
)

const (
	testSecretID  = "callwire/signalwire"
	testAccessKey = "AKIDBOOTTEST"
	testSecretKey = "boot-test-secret-access-key"
	testSession   = "boot-test-session-token"
	// The container credentials endpoint's answer and token.
	containerKey    = "ASIACONTAINERTEST"
	containerSecret = "container-test-secret-access-key"
	containerToken  = "container-test-authorization-token"
)

// mapEnv is a getenv backed by a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// signedRequest is what the Secrets Manager endpoint saw of one request.
type signedRequest struct {
	accessKey, region, sessionToken string
}

// secretsEndpoint starts a loopback Secrets Manager holding testSecretID,
// accepting only accessKey, and records the signature scope of each request.
func secretsEndpoint(t *testing.T, accessKey string) (string, func() []signedRequest) {
	t.Helper()
	sm := secretsserver.New(secretsserver.WithAccessKeyID(accessKey))
	sm.Put(testSecretID, "value")
	var mu sync.Mutex
	var seen []signedRequest
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope, _ := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=")
		parts := strings.Split(scope, "/")
		req := signedRequest{sessionToken: r.Header.Get("X-Amz-Security-Token")}
		if len(parts) >= 3 {
			req.accessKey, req.region = parts[0], parts[2]
		}
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		sm.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, func() []signedRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]signedRequest(nil), seen...)
	}
}

// getSecret reads testSecretID with a client built from cfg, as Clients builds it.
func getSecret(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(testSecretID)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.SecretString), nil
}

func TestAWSEnvironmentCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra map[string]string
		want  signedRequest
	}{
		{"keys and session token", map[string]string{"AWS_SESSION_TOKEN": testSession, "AWS_REGION": "eu-west-1"},
			signedRequest{testAccessKey, "eu-west-1", testSession}},
		{"keys only", map[string]string{"AWS_REGION": "eu-west-1"}, signedRequest{testAccessKey, "eu-west-1", ""}},
		{"AWS_DEFAULT_REGION", map[string]string{"AWS_DEFAULT_REGION": "ap-south-1"}, signedRequest{testAccessKey, "ap-south-1", ""}},
		{"AWS_REGION wins", map[string]string{"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"},
			signedRequest{testAccessKey, "eu-west-1", ""}},
		{"environment keys win over the container", map[string]string{"AWS_REGION": "eu-west-1",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/never-asked"}, signedRequest{testAccessKey, "eu-west-1", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, seen := secretsEndpoint(t, testAccessKey)
			m := map[string]string{
				"AWS_ACCESS_KEY_ID":                testAccessKey,
				"AWS_SECRET_ACCESS_KEY":            testSecretKey,
				"AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
			}
			for k, v := range tt.extra {
				m[k] = v
			}
			cfg, err := AWS(mapEnv(m))
			if err != nil {
				t.Fatalf("AWS: %v", err)
			}
			if _, err := getSecret(t.Context(), cfg); err != nil {
				t.Fatalf("GetSecretValue: %v", err)
			}
			if diff := cmp.Diff([]signedRequest{tt.want}, seen(), cmp.AllowUnexported(signedRequest{})); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// credentialsEndpoint starts a loopback container credentials endpoint
// that answers only requests carrying containerToken, and counts requests.
func credentialsEndpoint(t *testing.T) (string, func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		if r.URL.Path != "/creds" || r.Header.Get("Authorization") != containerToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":"AccessDenied","message":"bad token"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"AccessKeyId":     containerKey,
			"SecretAccessKey": containerSecret,
			"Token":           testSession,
			"Expiration":      time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		})
	}))
	t.Cleanup(ts.Close)
	return ts.URL, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

func TestAWSContainerCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(containerToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongFile := filepath.Join(dir, "wrong")
	if err := os.WriteFile(wrongFile, []byte("not-the-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vars    map[string]string
		wantErr bool
	}{
		{name: "token", vars: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": containerToken}},
		{name: "token file", vars: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile}},
		{name: "token file wins", vars: map[string]string{
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "not-the-token"}},
		{name: "wrong token", vars: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": wrongFile}, wantErr: true},
		{name: "missing token file", vars: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": filepath.Join(dir, "none")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			credsURL, credsRequests := credentialsEndpoint(t)
			smURL, seen := secretsEndpoint(t, containerKey)
			m := map[string]string{
				"AWS_REGION":                         "us-east-1",
				"AWS_CONTAINER_CREDENTIALS_FULL_URI": credsURL + "/creds",
				"AWS_ENDPOINT_URL_SECRETS_MANAGER":   smURL,
			}
			for k, v := range tt.vars {
				m[k] = v
			}
			cfg, err := AWS(mapEnv(m))
			if err != nil {
				t.Fatalf("AWS: %v", err)
			}
			for range 3 {
				_, err = getSecret(t.Context(), cfg)
				if err != nil {
					break
				}
			}
			if tt.wantErr {
				if err == nil {
					t.Fatal("GetSecretValue succeeded, want a credentials error")
				}
				if msg := err.Error(); strings.Contains(msg, containerToken) || strings.Contains(msg, "not-the-token") {
					t.Errorf("error holds the authorization token: %s", msg)
				}
				if len(seen()) != 0 {
					t.Errorf("Secrets Manager got %d requests, want none", len(seen()))
				}
				return
			}
			if err != nil {
				t.Fatalf("GetSecretValue: %v", err)
			}
			want := []signedRequest{{containerKey, "us-east-1", testSession}, {containerKey, "us-east-1", testSession}, {containerKey, "us-east-1", testSession}}
			if diff := cmp.Diff(want, seen(), cmp.AllowUnexported(signedRequest{})); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
			if n := credsRequests(); n != 1 {
				t.Errorf("credentials endpoint got %d requests, want 1 (cached)", n)
			}
		})
	}
}

func TestAWSEndpoints(t *testing.T) {
	t.Parallel()
	if _, ok := os.LookupEnv("AWS_ENDPOINT_URL"); ok {
		// Service clients consult the process environment for it directly.
		t.Skip("AWS_ENDPOINT_URL is set in the test's environment")
	}
	const (
		global  = "http://127.0.0.1:4566"
		service = "http://127.0.0.1:4567"
	)
	tests := []struct {
		name string
		vars map[string]string
		want string // the Secrets Manager client's BaseEndpoint; "" is AWS's own
	}{
		{name: "none", want: ""},
		{name: "service", vars: map[string]string{"AWS_ENDPOINT_URL_SECRETS_MANAGER": service}, want: service},
		{name: "global", vars: map[string]string{"AWS_ENDPOINT_URL": global}, want: global},
		{name: "service wins", vars: map[string]string{"AWS_ENDPOINT_URL": global, "AWS_ENDPOINT_URL_SECRETS_MANAGER": service}, want: service},
		{name: "another service's", vars: map[string]string{"AWS_ENDPOINT_URL_SQS": service}, want: ""},
		{name: "ignored", vars: map[string]string{"AWS_ENDPOINT_URL": global, "AWS_ENDPOINT_URL_SECRETS_MANAGER": service,
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"}, want: ""},
		{name: "not ignored", vars: map[string]string{"AWS_ENDPOINT_URL_SECRETS_MANAGER": service,
			"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"}, want: service},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey}
			for k, v := range tt.vars {
				m[k] = v
			}
			cfg, err := AWS(mapEnv(m))
			if err != nil {
				t.Fatalf("AWS: %v", err)
			}
			got := aws.ToString(secretsmanager.NewFromConfig(cfg).Options().BaseEndpoint)
			if got != tt.want {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEndpointVariables(t *testing.T) {
	t.Parallel()
	// The service IDs of the clients the functions build.
	vars := map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": "sm",
		"AWS_ENDPOINT_URL_SQS":             "sqs",
		"AWS_ENDPOINT_URL_EVENTBRIDGE":     "events",
		"AWS_ENDPOINT_URL_DYNAMODB":        "ddb",
	}
	src := endpointSource{getenv: mapEnv(vars)}
	var got []string
	for _, id := range []string{"Secrets Manager", "SQS", "EventBridge", "DynamoDB", "S3"} {
		v, found, err := src.GetServiceBaseEndpoint(t.Context(), id)
		if err != nil || found != (v != "") {
			t.Errorf("%s: found %t, err %v with value %q", id, found, err, v)
		}
		got = append(got, v)
	}
	if diff := cmp.Diff([]string{"sm", "sqs", "events", "ddb", ""}, got); diff != "" {
		t.Errorf("endpoints mismatch (-want +got):\n%s", diff)
	}
}

func TestAWSErrors(t *testing.T) {
	t.Parallel()
	keys := map[string]string{"AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey}
	with := func(base map[string]string, kv ...string) map[string]string {
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
		name string
		vars map[string]string
		want string
	}{
		{"no region", keys,
			"boot: AWS configuration: no region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION"},
		{"blank region", with(keys, "AWS_REGION", " "),
			"boot: AWS configuration: no region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION"},
		{"no credentials", map[string]string{"AWS_REGION": "us-east-1"},
			"boot: AWS configuration: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them), " +
				"or AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"},
		{"secret key alone", map[string]string{"AWS_REGION": "us-east-1", "AWS_SECRET_ACCESS_KEY": testSecretKey},
			"boot: AWS configuration: credentials: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither"},
		{"access key alone", map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": testAccessKey},
			"boot: AWS configuration: credentials: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither"},
		{"container over plain http elsewhere", map[string]string{"AWS_REGION": "us-east-1",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://user:" + containerToken + "@198.51.100.7/creds"},
			"boot: AWS configuration: credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI http://user:xxxxx@198.51.100.7/creds: " +
				"plain http is allowed only to a loopback address or the ECS or EKS credential address"},
		{"container URL not http", map[string]string{"AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "127.0.0.1:9/creds"},
			"boot: AWS configuration: credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http or https URL"},
		{"ignore flag not a bool", with(keys, "AWS_REGION", "us-east-1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes"),
			`boot: AWS configuration: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS "yes" must be true or false`},
		{"everything missing", map[string]string{},
			"boot: AWS configuration: no region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION; " +
				"no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them), " +
				"or AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := AWS(mapEnv(tt.vars))
			if err == nil {
				t.Fatal("AWS: nil error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			for _, s := range []string{testSecretKey, containerToken} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error holds a credential: %s", err)
				}
			}
		})
	}
}

func TestContainerURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/creds", true},
		{"http://[::1]:8080/creds", true},
		{"http://localhost/creds", true},
		{"http://169.254.170.2/v2/credentials", true},
		{"http://169.254.170.23/v1/credentials", true},
		{"http://[fd00:ec2::23]/v1/credentials", true},
		{"https://credentials.example.com/creds", true},
		{"http://credentials.example.com/creds", false},
		{"http://10.0.0.1/creds", false},
		{"ftp://127.0.0.1/creds", false},
		{"/creds", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			if err := checkContainerURL(tt.url); (err == nil) != tt.ok {
				t.Errorf("checkContainerURL(%q) = %v, want ok %t", tt.url, err, tt.ok)
			}
		})
	}
}

// TestAWSHTTPClient checks that every SDK client built from AWS sends
// through sdkhttp, whose request bodies net/http reads only through Read.
func TestAWSHTTPClient(t *testing.T) {
	t.Parallel()
	cfg, err := AWS(func(k string) string {
		return map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": "x"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.HTTPClient.(*sdkhttp.Client); !ok {
		t.Errorf("HTTPClient is %T, want *sdkhttp.Client", cfg.HTTPClient)
	}
}
