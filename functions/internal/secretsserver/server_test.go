package secretsserver_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/secretsserver"
)

const (
	testAccessKeyID     = "AKIDEXAMPLE"
	testSecretAccessKey = "test-secret-access-key"
	fakeAuthorization   = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260302/us-east-1/secretsmanager/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
		"Signature=0000000000000000000000000000000000000000000000000000000000000000"
)

// setup serves srv on a loopback httptest server and returns its URL.
func setup(t *testing.T, srv *secretsserver.Server) string {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// newClient returns a real SDK client for url that makes a single attempt.
func newClient(url, accessKeyID, secretAccessKey string) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	})
}

// errorCode returns the AWS error code and HTTP status carried by err.
func errorCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var apiErr smithy.APIError
	var respErr *awshttp.ResponseError
	if !errors.As(err, &apiErr) || !errors.As(err, &respErr) {
		t.Fatalf("error %v is not an AWS API response error", err)
	}
	return apiErr.ErrorCode(), respErr.HTTPStatusCode()
}

func TestGetSecretValue(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
	srv.Put("callwire/signalwire", `{"project_id":"p"}`)
	arn := srv.ARN("callwire/signalwire")
	client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)

	if !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:callwire/signalwire-") {
		t.Fatalf("ARN = %q", arn)
	}
	for _, id := range []string{"callwire/signalwire", arn} {
		t.Run(id, func(t *testing.T) {
			out, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
			if err != nil {
				t.Fatalf("GetSecretValue: %v", err)
			}
			got := []string{aws.ToString(out.ARN), aws.ToString(out.Name), aws.ToString(out.SecretString), strings.Join(out.VersionStages, ",")}
			want := []string{arn, "callwire/signalwire", `{"project_id":"p"}`, "AWSCURRENT"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
			if aws.ToString(out.VersionId) == "" || out.CreatedDate == nil || out.CreatedDate.IsZero() {
				t.Errorf("VersionId = %q, CreatedDate = %v; want both set", aws.ToString(out.VersionId), out.CreatedDate)
			}
		})
	}
}

func TestPutRotatesVersion(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New()
	client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}

	srv.Put("s", "v1")
	first, err := client.GetSecretValue(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	srv.Put("s", "v2")
	second, err := client.GetSecretValue(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(second.SecretString) != "v2" || aws.ToString(first.VersionId) == aws.ToString(second.VersionId) ||
		aws.ToString(first.ARN) != aws.ToString(second.ARN) {
		t.Errorf("after rotation got value %q version %q arn %q; first version %q arn %q",
			aws.ToString(second.SecretString), aws.ToString(second.VersionId), aws.ToString(second.ARN),
			aws.ToString(first.VersionId), aws.ToString(first.ARN))
	}
}

func TestPutBinary(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New()
	srv.PutBinary("bin", []byte{0, 1, 2})
	client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)

	out, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("bin")})
	if err != nil {
		t.Fatal(err)
	}
	if out.SecretString != nil {
		t.Errorf("SecretString = %q, want nil", *out.SecretString)
	}
	if diff := cmp.Diff([]byte{0, 1, 2}, out.SecretBinary); diff != "" {
		t.Errorf("SecretBinary mismatch (-want +got):\n%s", diff)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		secretID   string
		fault      secretsserver.Fault
		wantCode   string
		wantStatus int
	}{
		{"unknown secret", "missing", secretsserver.None, "ResourceNotFoundException", 400},
		{"not found", "s", secretsserver.NotFound, "ResourceNotFoundException", 400},
		{"access denied", "s", secretsserver.AccessDenied, "AccessDeniedException", 400},
		{"throttled", "s", secretsserver.Throttled, "ThrottlingException", 400},
		{"internal error", "s", secretsserver.InternalError, "InternalServiceError", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretsserver.New()
			srv.Put("s", "value")
			srv.SetFault(tt.secretID, tt.fault)
			client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)

			_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(tt.secretID)})
			code, status := errorCode(t, err)
			if code != tt.wantCode || status != tt.wantStatus {
				t.Errorf("got %s %d, want %s %d", code, status, tt.wantCode, tt.wantStatus)
			}
		})
	}
}

func TestFaultByARNAndReset(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New()
	srv.Put("s", "value")
	srv.SetFault("s", secretsserver.AccessDenied)
	client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)

	_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(srv.ARN("s"))})
	if code, _ := errorCode(t, err); code != "AccessDeniedException" {
		t.Errorf("by ARN: code = %s, want AccessDeniedException", code)
	}
	srv.SetFault("s", secretsserver.None)
	if _, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")}); err != nil {
		t.Errorf("after reset: %v", err)
	}
}

func TestAccessKeyID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         []secretsserver.Option
		creds        aws.CredentialsProvider
		wantCode     string
		wantRejected int64
	}{
		{"the expected key", []secretsserver.Option{secretsserver.WithAccessKeyID(testAccessKeyID)},
			credentials.NewStaticCredentialsProvider(testAccessKeyID, testSecretAccessKey, ""), "", 0},
		{"any secret key is accepted", []secretsserver.Option{secretsserver.WithAccessKeyID(testAccessKeyID)},
			credentials.NewStaticCredentialsProvider(testAccessKeyID, "another-secret-access-key", ""), "", 0},
		{"another key", []secretsserver.Option{secretsserver.WithAccessKeyID(testAccessKeyID)},
			credentials.NewStaticCredentialsProvider("AKIDOTHER", testSecretAccessKey, ""), "UnrecognizedClientException", 1},
		{"any key without WithAccessKeyID", nil,
			credentials.NewStaticCredentialsProvider("AKIDOTHER", testSecretAccessKey, ""), "", 0},
		{"unsigned", nil, aws.AnonymousCredentials{}, "IncompleteSignatureException", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretsserver.New(tt.opts...)
			srv.Put("s", "value")
			client := secretsmanager.NewFromConfig(aws.Config{
				Region:           "us-east-1",
				Credentials:      tt.creds,
				BaseEndpoint:     aws.String(setup(t, srv)),
				RetryMaxAttempts: 1,
			})

			out, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("GetSecretValue: %v", err)
				}
				if got := aws.ToString(out.SecretString); got != "value" {
					t.Errorf("SecretString = %q, want value", got)
				}
			} else if code, status := errorCode(t, err); code != tt.wantCode || status != 400 {
				t.Errorf("got %s %d, want %s 400", code, status, tt.wantCode)
			}
			if srv.Requests() != 1 || srv.Rejected() != tt.wantRejected {
				t.Errorf("Requests() = %d, Rejected() = %d; want 1, %d", srv.Requests(), srv.Rejected(), tt.wantRejected)
			}
		})
	}
}

func TestRawRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		target        string
		authorization string
		wantStatus    int
		wantType      string
		wantRequests  int64
		wantRejected  int64
	}{
		{"unsigned", "secretsmanager.GetSecretValue", "", 400, "IncompleteSignatureException", 1, 1},
		{"no credential", "secretsmanager.GetSecretValue", "AWS4-HMAC-SHA256 Signature=abc", 400, "IncompleteSignatureException", 1, 1},
		{"empty access key", "secretsmanager.GetSecretValue", "AWS4-HMAC-SHA256 Credential=/20260302/us-east-1/secretsmanager/aws4_request", 400,
			"IncompleteSignatureException", 1, 1},
		{"another scheme", "secretsmanager.GetSecretValue", "Bearer AKIDEXAMPLE/x", 400, "IncompleteSignatureException", 1, 1},
		{"signed, signature not recomputed", "secretsmanager.GetSecretValue", fakeAuthorization, 200, "", 1, 0},
		{"unknown operation", "secretsmanager.ListSecrets", fakeAuthorization, 400, "UnknownOperationException", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretsserver.New()
			srv.Put("s", "value")
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)

			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/", strings.NewReader(`{"SecretId":"s"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Date", "20260302T000000Z")
			req.Header.Set("X-Amz-Target", tt.target)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type         string `json:"__type"`
				SecretString string
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			got := []any{resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body.Type, srv.Requests(), srv.Rejected()}
			want := []any{tt.wantStatus, tt.wantType, tt.wantType, tt.wantRequests, tt.wantRejected}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("status, error header, __type, Requests, Rejected mismatch (-want +got):\n%s", diff)
			}
			if tt.wantType != "" && strings.Contains(body.SecretString, "value") {
				t.Errorf("rejected response carries the secret value")
			}
		})
	}
}

func TestLogsHoldNoValue(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	srv := secretsserver.New(secretsserver.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	srv.Put("s", "PTleak-value")
	srv.PutBinary("b", []byte("PTleak-binary"))
	client := newClient(setup(t, srv), testAccessKeyID, testSecretAccessKey)

	for _, id := range []string{"s", "b", "missing"} {
		_, _ = client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	}
	if got := strings.Count(logs.String(), "secretsserver: request"); got != 3 {
		t.Errorf("logged %d requests, want 3:\n%s", got, logs.String())
	}
	if strings.Contains(logs.String(), "PTleak") {
		t.Errorf("logs hold a secret value:\n%s", logs.String())
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKeyID))
	srv.Put("s", "value")
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if _, err := srv.Start("127.0.0.1:0"); err == nil {
		t.Errorf("second Start: got nil error")
	}

	out, err := newClient(url, testAccessKeyID, testSecretAccessKey).GetSecretValue(t.Context(),
		&secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.SecretString); got != "value" {
		t.Errorf("SecretString = %q, want %q", got, "value")
	}
}
