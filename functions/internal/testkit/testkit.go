// Package testkit holds what the functions' tests share: the test
// credentials, a log buffer safe for concurrent writers, a loopback Secrets
// Manager endpoint, and the real clients wired to it. Only tests import it.
package testkit

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/signalwire"
)

// The test credentials: the SignalWire project and token the replay server
// accepts, the secret holding them, and the AWS keys the clients sign with
// (the loopback Secrets Manager endpoint accepts only AccessKey).
const (
	ProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	Token     = "PTtesttoken-6d1f0c8e2b7a4f55a9e3"
	SecretID  = "callwire/test"
	AccessKey = "AKIDCALLWIRETEST"
	SecretKey = "callwire-test-secret-access-key"
)

// SyncBuffer collects log or metric output written from several goroutines.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// SecretJSON is the secret document for the test project, with token and
// spaceURL.
func SecretJSON(spaceURL, token string) string {
	b, _ := json.Marshal(map[string]string{"project_id": ProjectID, "api_token": token, "space_url": spaceURL})
	return string(b)
}

// SecretsManager starts a loopback Secrets Manager endpoint that accepts
// requests signed with AccessKey, closed when tb ends.
func SecretsManager(tb testing.TB) (*secretsserver.Server, string) {
	tb.Helper()
	sm := secretsserver.New(secretsserver.WithAccessKeyID(AccessKey))
	smURL, err := sm.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sm.Close)
	return sm, smURL
}

// Clients builds the real AWS SDK Secrets Manager client for smURL, signing
// with accessKeyID and SecretKey and without SDK retries, behind a Source caching for a
// minute, and the real SignalWire client reading SecretID from it, with
// retries fast enough for tests.
func Clients(tb testing.TB, smURL, accessKeyID string) (*secrets.Source, *signalwire.Client) {
	tb.Helper()
	awsCfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(accessKeyID, SecretKey, ""),
		BaseEndpoint:     aws.String(smURL),
		RetryMaxAttempts: 1,
	}
	src := secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), time.Minute)
	hc := signalwire.NewHTTPClient()
	tb.Cleanup(hc.CloseIdleConnections)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, SecretID), hc, signalwire.WithLoopback(),
		signalwire.WithRetry(3, time.Millisecond, 10*time.Millisecond), signalwire.WithDeadlineMargin(50*time.Millisecond))
	return src, client
}

// Getenv returns a getenv over m that fails tb when asked for a name the
// table does not declare: a function reads its environment only through
// its table.
func Getenv(tb testing.TB, table env.Table, m map[string]string) func(string) string {
	return func(name string) string {
		if _, ok := table.Lookup(name); !ok {
			tb.Errorf("the environment variable %s was read but is not declared in the function's table", name)
		}
		return m[name]
	}
}

// Timeout is the Timeout template.yaml gives the function resource
// logicalID, read from a test in functions/<name> (the module root two
// folders up), with the stack it was read from.
func Timeout(tb testing.TB, logicalID string) (time.Duration, *stack.Stack) {
	tb.Helper()
	s, err := stack.Load("../..")
	if err != nil {
		tb.Fatal(err)
	}
	raw, _ := stack.At(s.Template, "Resources", logicalID, "Properties", "Timeout")
	secs, ok := raw.(int)
	if !ok {
		tb.Fatalf("%s Timeout = %v, want a number of seconds", logicalID, raw)
	}
	return time.Duration(secs) * time.Second, s
}
