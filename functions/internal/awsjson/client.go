package awsjson

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	// defaultAttempts is the SDK standard retryer's attempt count.
	defaultAttempts = 3
	// maxResponse bounds a response body read into memory (a DynamoDB
	// Query page is at most 1 MB of items; its JSON a few times that).
	maxResponse = 16 << 20
	// defaultTimeout bounds one HTTP attempt when aws.Config has no client.
	defaultTimeout = 10 * time.Second
	// baseBackoff and maxBackoff shape the jittered exponential backoff.
	baseBackoff = 50 * time.Millisecond
	maxBackoff  = 2 * time.Second
)

// Client calls one AWS JSON-protocol service. It is safe for concurrent use.
type Client struct {
	svc      Service
	endpoint string // the URL every operation is posted to
	region   string
	creds    aws.CredentialsProvider
	hc       aws.HTTPClient
	signer   *v4.Signer
	attempts int
	now      func() time.Time
}

// ConfigError is an aws.Config a Client cannot be built from.
type ConfigError struct {
	Service string
	Reason  string
}

func (e *ConfigError) Error() string {
	return "awsjson: " + e.Service + ": " + e.Reason
}

// New returns a client of svc configured as an SDK client built by
// NewFromConfig(cfg) would be: the region, the credentials provider, the
// HTTP client and RetryMaxAttempts of cfg; the endpoint from cfg's config
// sources (AWS_ENDPOINT_URL_<SERVICE>), else cfg.BaseEndpoint, else the
// service's regional endpoint.
func New(cfg aws.Config, svc Service) (*Client, error) {
	if cfg.Region == "" {
		return nil, &ConfigError{Service: svc.ID, Reason: "no region"}
	}
	if cfg.Credentials == nil {
		return nil, &ConfigError{Service: svc.ID, Reason: "no credentials provider"}
	}
	endpoint, err := resolveEndpoint(cfg, svc)
	if err != nil {
		return nil, err
	}
	c := &Client{
		svc: svc, endpoint: endpoint, region: cfg.Region, creds: cfg.Credentials,
		hc: cfg.HTTPClient, signer: v4.NewSigner(), attempts: defaultAttempts, now: time.Now,
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: defaultTimeout}
	}
	if cfg.RetryMaxAttempts > 0 {
		c.attempts = cfg.RetryMaxAttempts
	}
	return c, nil
}

// endpointSource is what boot.AWS puts in aws.Config.ConfigSources (the
// SDK's shared configuration answers the same method).
type endpointSource interface {
	GetServiceBaseEndpoint(ctx context.Context, sdkID string) (string, bool, error)
}

func resolveEndpoint(cfg aws.Config, svc Service) (string, error) {
	raw := ""
	for _, s := range cfg.ConfigSources {
		if es, ok := s.(endpointSource); ok {
			v, found, err := es.GetServiceBaseEndpoint(context.Background(), svc.ID)
			if err != nil {
				return "", &ConfigError{Service: svc.ID, Reason: "endpoint: " + err.Error()}
			}
			if found {
				raw = v
				break
			}
		}
	}
	if raw == "" && cfg.BaseEndpoint != nil {
		raw = *cfg.BaseEndpoint
	}
	if raw == "" {
		return "https://" + svc.EndpointPrefix + "." + cfg.Region + "." + dnsSuffix(cfg.Region) + "/", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", &ConfigError{Service: svc.ID, Reason: "endpoint is not an http(s) URL with a host"}
	}
	// The SDK posts to the endpoint's path as given, "/" when it has none.
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return u.Scheme + "://" + u.Host + path, nil
}

// dnsSuffix is the DNS suffix of region's partition.
func dnsSuffix(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-isob-"):
		return "sc2s.sgov.gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "c2s.ic.gov"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "cloud.adc-e.uk"
	case strings.HasPrefix(region, "us-isof-"):
		return "csp.hci.ic.gov"
	default:
		return "amazonaws.com"
	}
}

// Endpoint returns the URL the client sends to.
func (c *Client) Endpoint() string { return c.endpoint }

// Do calls operation op with in marshalled as its JSON request and decodes
// the response into out (nil discards it). A response that is not 2xx is an
// *APIError; throttling, 5xx and transport errors are retried with jittered
// exponential backoff up to the attempt count, never past ctx's deadline.
func (c *Client) Do(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("awsjson: %s %s: encode request: %w", c.svc.ID, op, err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var last error
	for attempt := range c.attempts {
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return fmt.Errorf("awsjson: %s %s: %w (last error: %w)", c.svc.ID, op, err, last)
			}
		}
		respBody, err := c.once(ctx, op, body, hash)
		if err == nil {
			if out == nil || len(bytes.TrimSpace(respBody)) == 0 {
				return nil
			}
			if err := json.Unmarshal(respBody, out); err != nil {
				return fmt.Errorf("awsjson: %s %s: decode response: %w", c.svc.ID, op, err)
			}
			return nil
		}
		last = err
		if ctx.Err() != nil || !retryable(err) {
			break
		}
	}
	return last
}

// once sends one signed attempt and returns the 2xx body or the error.
func (c *Client) once(ctx context.Context, op string, body []byte, hash string) ([]byte, error) {
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("awsjson: %s %s: credentials: %w", c.svc.ID, op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("awsjson: %s %s: %w", c.svc.ID, op, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+c.svc.JSONVersion)
	req.Header.Set("X-Amz-Target", c.svc.TargetPrefix+"."+op)
	if err := c.signer.SignHTTP(ctx, creds, req, hash, c.svc.SigningName, c.region, c.now()); err != nil {
		return nil, fmt.Errorf("awsjson: %s %s: sign: %w", c.svc.ID, op, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &transportError{svc: c.svc.ID, op: op, err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, &transportError{svc: c.svc.ID, op: op, err: err}
	}
	if len(data) > maxResponse {
		return nil, fmt.Errorf("awsjson: %s %s: response larger than %d bytes", c.svc.ID, op, maxResponse)
	}
	if resp.StatusCode/100 != 2 {
		return nil, newAPIError(c.svc.ID, op, resp, data)
	}
	return data, nil
}

// transportError is a request that got no HTTP response.
type transportError struct {
	svc, op string
	err     error
}

func (e *transportError) Error() string {
	return "awsjson: " + e.svc + " " + e.op + ": " + e.err.Error()
}

func (e *transportError) Unwrap() error { return e.err }

// retryable reports whether err is worth another attempt: no response at
// all, a 5xx, or a throttling code.
func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || ae.StatusCode == http.StatusTooManyRequests || throttlingCodes[ae.Code]
	}
	return false
}

// throttlingCodes are the SDK standard retryer's throttling error codes.
var throttlingCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottledException": true,
	"TooManyRequestsException": true, "ProvisionedThroughputExceededException": true, "TransactionInProgressException": true,
	"RequestLimitExceeded": true, "BandwidthLimitExceeded": true, "LimitExceededException": true, "RequestThrottled": true,
	"SlowDown": true, "PriorRequestNotComplete": true, "EC2ThrottledException": true,
}

// backoff is the jittered wait before attempt (1, 2, ...).
func backoff(attempt int) time.Duration {
	ceil := min(maxBackoff, baseBackoff<<attempt)
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
