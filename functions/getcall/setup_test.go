package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/signalwire"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testToken     = "PTtesttoken-6d1f0c8e2b7a4f55a9e3"
	testSecretID  = "callwire/test"
	testAccessKey = "AKIDCALLWIRETEST"
	testSecretKey = "callwire-test-secret-access-key"
	// testFunctionName is the deployed name, as the runtime sets AWS_LAMBDA_FUNCTION_NAME.
	testFunctionName = "callwire-test-GetCallFunction-1A2B"
)

// fixedNow is the retrieval time of every test invocation, so outputs are stable.
var fixedNow = time.Date(2026, 3, 2, 14, 8, 0, 123_000_000, time.UTC)

// syncBuffer collects log or metric output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is a handler wired to real clients and loopback servers.
type testEnv struct {
	h       *handler
	sm      *secretsserver.Server
	sw      *replay.Server
	swURL   string
	logs    *syncBuffer
	metrics *syncBuffer
}

func secretJSON(spaceURL string) string {
	b, _ := json.Marshal(map[string]string{"project_id": testProjectID, "api_token": testToken, "space_url": spaceURL})
	return string(b)
}

// startServers starts a Secrets Manager endpoint (SigV4 verified) holding the
// test secret and a SignalWire replay server over testdata/recordings, both
// closed when tb ends.
func startServers(tb testing.TB) (sm *secretsserver.Server, smURL string, sw *replay.Server, swURL string) {
	tb.Helper()
	sm = secretsserver.New(secretsserver.WithCredentials(testAccessKey, testSecretKey))
	smURL, err := sm.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sm.Close)
	sw = replay.New(replay.WithCredentials(testProjectID, testToken))
	if err := sw.LoadDir(testdataDir + "/recordings"); err != nil {
		tb.Fatal(err)
	}
	swURL, err = sw.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sw.Close() })
	sm.Put(testSecretID, secretJSON(swURL))
	return sm, smURL, sw, swURL
}

// setup starts a Secrets Manager endpoint (SigV4 verified) and a SignalWire
// replay server over testdata/recordings, and builds a handler on them with
// the real AWS SDK client and the real SignalWire client.
func setup(t *testing.T, mode contractMode) *testEnv {
	t.Helper()
	sm, smURL, sw, swURL := startServers(t)

	awsCfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint:     aws.String(smURL),
		RetryMaxAttempts: 1,
	}
	src := secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), time.Minute)
	hc := signalwire.NewHTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testSecretID), hc,
		signalwire.WithRetry(3, time.Millisecond, 10*time.Millisecond), signalwire.WithDeadlineMargin(50*time.Millisecond))
	env := &testEnv{sm: sm, sw: sw, swURL: swURL, logs: &syncBuffer{}, metrics: &syncBuffer{}}
	env.h = newHandlerFrom(deps{
		cfg:     config{secretID: testSecretID, cacheTTL: time.Minute, mode: mode, functionName: testFunctionName},
		calls:   client,
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		metrics: emf.NewWriter(env.metrics),
	})
	env.h.now = func() time.Time { return fixedNow }
	return env
}

// assertNoSecrets fails when any credential shows up in text.
func assertNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	basic := "Basic " + basicAuth(testProjectID, testToken)
	for _, s := range []string{testToken, testSecretKey, basic, basicAuth(testProjectID, testToken), testProjectID + ":" + testToken} {
		if bytes.Contains([]byte(text), []byte(s)) {
			t.Errorf("%s contains a credential", where)
		}
	}
}

func basicAuth(user, pass string) string {
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")[len("Basic "):]
}
