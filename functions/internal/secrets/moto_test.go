package secrets

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/testkit/testclock"
)

// motoProxy stands in front of moto_server: it counts the requests it
// receives and, while throttling is set, answers them itself with the
// ThrottlingException Secrets Manager sends, as moto cannot be made to.
type motoProxy struct {
	url        string
	requests   atomic.Int64
	throttling atomic.Bool
}

func newMotoProxy(t *testing.T, motoURL string) *motoProxy {
	t.Helper()
	target, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &motoProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		if p.throttling.Load() {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	p.url = ts.URL
	return p
}

// TestBoundedAgainstMoto runs the bounds against moto, an AWS
// implementation nobody here wrote: a throttled Secrets Manager after the
// TTL (the last good value serves, one call per backoff), then the secret
// deleted for real (not served stale, one call per backoff), and forced
// refreshes through both.
func TestBoundedAgainstMoto(t *testing.T) {
	t.Parallel()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to check Secrets Manager against (CI starts one)")
	}
	ctx := t.Context()
	admin := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	})
	name := fmt.Sprintf("callwire/bound-%d", time.Now().UnixNano())
	if _, err := admin.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
	})

	proxy := newMotoProxy(t, motoURL)
	src := NewSource(newClient(proxy.url, "testing"), time.Minute)
	clock := testclock.New(time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC))
	src.now = clock.Now
	if got := mustValue(t, src, name); got != "v1" {
		t.Fatalf("Value = %q, want v1", got)
	}

	// Throttled after the TTL: the last good value, one call.
	clock.Add(time.Minute)
	proxy.throttling.Store(true)
	before := proxy.requests.Load()
	for i := range 300 {
		if v, err := src.Value(ctx, name); err != nil || v != "v1" {
			t.Fatalf("read %d while throttled = %q, %v; want the stale v1", i, v, err)
		}
		_, _ = src.Refresh(ctx, name)
	}
	// One read after the TTL, and the interval's one forced refresh.
	if n := proxy.requests.Load() - before; n != 2 {
		t.Errorf("%d requests for 300 reads and refreshes while throttled, want 2", n)
	}

	// Deleted for real: moto answers ResourceNotFoundException; nothing
	// stale stands in for a secret someone removed, and the reads still
	// cost one call per backoff.
	if _, err := admin.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	proxy.throttling.Store(false)
	clock.Add(MaxRetryBackoff)
	before = proxy.requests.Load()
	for i := range 300 {
		_, err := src.Value(ctx, name)
		var e *Error
		if !errors.As(err, &e) || e.Reason != NotFound || errors.Is(err, ErrUnavailable) {
			t.Fatalf("read %d of the deleted secret: %v; want *Error not found, not ErrUnavailable", i, err)
		}
	}
	if n := proxy.requests.Load() - before; n != 1 {
		t.Errorf("%d requests for 300 reads of a deleted secret, want 1", n)
	}
	// 300 reads and the 299 refreshes that read like Value within the
	// interval; none after the deletion.
	if n := src.StaleServes(); n != 599 {
		t.Errorf("StaleServes = %d, want 599", n)
	}
}
