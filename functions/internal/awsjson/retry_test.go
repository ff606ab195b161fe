package awsjson

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// failing answers the first n requests with status and body, then {}.
func failing(t *testing.T, n int32, status int, header, body string) (string, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			if header != "" {
				w.Header().Set("X-Amzn-ErrorType", header)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &count
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		failures   int32
		status     int
		header     string
		body       string
		wantCode   string // "" for success
		wantTries  int32
		wantStatus int
	}{
		{name: "500 then success", failures: 2, status: 500, body: `{"__type":"InternalServerError","message":"x"}`, wantTries: 3},
		{name: "500 every time", failures: 9, status: 500, body: `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"}`, wantCode: "InternalServerError", wantTries: 3, wantStatus: 500},
		{name: "throttled 400 retried", failures: 1, status: 400, body: `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`, wantTries: 2},
		{name: "429 retried", failures: 1, status: 429, wantTries: 2},
		{name: "validation not retried", failures: 1, status: 400, body: `{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}`, wantCode: "ValidationException", wantTries: 1, wantStatus: 400},
		{name: "code from header with suffix", failures: 1, status: 400, header: "ResourceNotFoundException:http://internal.amazon.com/", body: `{}`, wantCode: "ResourceNotFoundException", wantTries: 1, wantStatus: 400},
		{name: "no code at all", failures: 1, status: 403, body: `not json`, wantCode: "UnknownError", wantTries: 1, wantStatus: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, count := failing(t, tt.failures, tt.status, tt.header, tt.body)
			c := newClient(t, u, DynamoDB)
			var out struct{ OK bool }
			err := c.Do(t.Context(), "GetItem", map[string]string{"TableName": "t"}, &out)
			if got := count.Load(); got != tt.wantTries {
				t.Errorf("%d attempts, want %d", got, tt.wantTries)
			}
			if tt.wantCode == "" {
				if err != nil || !out.OK {
					t.Fatalf("Do = %v, %+v; want success", err, out)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != tt.wantCode || ae.StatusCode != tt.wantStatus || ae.Operation != "GetItem" {
				t.Fatalf("Do = %v, want an APIError %s (%d) of GetItem", err, tt.wantCode, tt.wantStatus)
			}
		})
	}
}

func TestCancelledContextStopsRetries(t *testing.T) {
	t.Parallel()
	u, count := failing(t, 99, 500, "", `{"__type":"InternalServerError"}`)
	c := newClient(t, u, DynamoDB)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := c.Do(ctx, "GetItem", map[string]string{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	if n := count.Load(); n != 0 {
		t.Errorf("%d requests with a cancelled context, want 0", n)
	}
}

func TestSecretNeverInError(t *testing.T) {
	t.Parallel()
	u, _ := failing(t, 9, 400, "", `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`)
	c := newClient(t, u, EventBridge)
	err := c.Do(t.Context(), "PutEvents", map[string]any{}, nil)
	if err == nil || strings.Contains(err.Error(), testSecretKey) {
		t.Fatalf("Do = %v: want an error without the secret key", err)
	}
}

// source is an aws.Config config source with service endpoints.
type source map[string]string

func (s source) GetServiceBaseEndpoint(_ context.Context, id string) (string, bool, error) {
	v, ok := s[id]
	return v, ok, nil
}

func TestEndpoint(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	tests := []struct {
		name    string
		cfg     aws.Config
		svc     Service
		want    string
		wantErr bool
	}{
		{name: "regional", cfg: aws.Config{Region: "eu-west-1", Credentials: creds}, svc: DynamoDB, want: "https://dynamodb.eu-west-1.amazonaws.com/"},
		{name: "china", cfg: aws.Config{Region: "cn-north-1", Credentials: creds}, svc: EventBridge, want: "https://events.cn-north-1.amazonaws.com.cn/"},
		{name: "base endpoint", cfg: aws.Config{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("http://127.0.0.1:4566")}, svc: DynamoDB, want: "http://127.0.0.1:4566/"},
		{name: "service endpoint wins", cfg: aws.Config{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("http://127.0.0.1:1"),
			ConfigSources: []any{source{"EventBridge": "http://127.0.0.1:2/p"}}}, svc: EventBridge, want: "http://127.0.0.1:2/p"},
		{name: "other service's endpoint ignored", cfg: aws.Config{Region: "us-east-1", Credentials: creds,
			ConfigSources: []any{source{"EventBridge": "http://127.0.0.1:2"}}}, svc: DynamoDB, want: "https://dynamodb.us-east-1.amazonaws.com/"},
		{name: "not a URL", cfg: aws.Config{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("127.0.0.1:4566")}, svc: DynamoDB, wantErr: true},
		{name: "ftp", cfg: aws.Config{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("ftp://h/")}, svc: DynamoDB, wantErr: true},
		{name: "no region", cfg: aws.Config{Credentials: creds}, svc: DynamoDB, wantErr: true},
		{name: "no credentials", cfg: aws.Config{Region: "us-east-1"}, svc: DynamoDB, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.cfg, tt.svc)
			if tt.wantErr {
				var ce *ConfigError
				if !errors.As(err, &ce) {
					t.Fatalf("New = %v, want a *ConfigError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Endpoint(); got != tt.want {
				t.Errorf("endpoint %q, want %q", got, tt.want)
			}
		})
	}
}
