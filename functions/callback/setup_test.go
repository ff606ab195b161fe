package callback

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/sqsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/internal/testkit/testclock"
	"github.com/callwire/callwire/functions/signalwire"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

var update = flag.Bool("update", false, "rewrite the signed sample events")

const (
	// testKey is the signing key of the test secret: the demo key, so the
	// samples in testdata/events/callback verify here and in the local runner.
	testKey     = lambdatest.DemoSigningKey
	testPrevKey = "PSKprevious-test-key-do-not-leak-5c7d"
	testQueue   = "callwire-callbacks"
	// testFunctionName is the deployed name, as the runtime sets AWS_LAMBDA_FUNCTION_NAME.
	testFunctionName = "callwire-test-CallbackFunction-1A2B"
)

// secretJSON is a credentials secret with the given signing keys ("" leaves
// a key out).
func secretJSON(signingKey, previous string) string {
	doc := map[string]string{"project_id": testkit.ProjectID, "api_token": testkit.Token, "space_url": "http://127.0.0.1:9"}
	if signingKey != "" {
		doc["signing_key"] = signingKey
	}
	if previous != "" {
		doc["previous_signing_key"] = previous
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// testEnv is a handler wired to the real AWS SDK clients and loopback
// Secrets Manager and SQS endpoints.
type testEnv struct {
	h       *Handler
	sm      *secretsserver.Server
	sq      *sqsserver.Server
	logs    *testkit.SyncBuffer
	metrics *testkit.SyncBuffer
	clock   *testclock.Clock
}

// option adjusts the configuration of a test handler.
type option func(*config)

func withPublicURL(u string) option         { return func(c *config) { c.publicURL = u } }
func withRefresh(d time.Duration) option    { return func(c *config) { c.refreshInterval = d } }
func withCacheTTL(d time.Duration) option   { return func(c *config) { c.CacheTTL = d } }
func withFetchOn(statuses ...string) option { return func(c *config) { c.fetchOn = set(statuses...) } }

func set(statuses ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range statuses {
		m[s] = true
	}
	return m
}

// setup starts Secrets Manager (SigV4 verified) holding secret and SQS
// holding the test queue, and builds a handler on them as main does.
func setup(t testing.TB, secret string, opts ...option) *testEnv {
	t.Helper()
	sm, smURL := testkit.SecretsManager(t)
	sm.Put(testkit.SecretID, secret)
	sq := sqsserver.New()
	sqURL, err := sq.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sq.Close)
	queueURL, err := sq.CreateQueue(testQueue, nil)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg := func(endpoint string) aws.Config {
		return aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(testkit.AccessKey, testkit.SecretKey, ""),
			BaseEndpoint:     aws.String(endpoint),
			RetryMaxAttempts: 1,
		}
	}
	cfg := config{
		Settings:        boot.Settings{SecretID: testkit.SecretID, CacheTTL: time.Minute, StaleTTL: boot.DefaultStaleTTL, FunctionName: testFunctionName},
		queueURL:        queueURL,
		fetchOn:         set(terminal()...),
		refreshInterval: defaultRefreshInterval,
	}
	for _, o := range opts {
		o(&cfg)
	}
	env := &testEnv{sm: sm, sq: sq, logs: &testkit.SyncBuffer{}, metrics: &testkit.SyncBuffer{}, clock: testclock.New(time.Date(2026, 3, 2, 14, 8, 0, 0, time.UTC))}
	metrics := emf.NewWriter(env.metrics, Metrics)
	// The source as New builds it (boot.Start), on the test's clock.
	src := boot.Secrets(awsCfg(smURL), cfg.Settings, boot.StaleCounter(metrics, emf.Dimensions("callback", cfg.FunctionName)),
		secrets.WithRefreshInterval(cfg.refreshInterval), secrets.WithClock(env.clock.Now))
	env.h = newHandlerFrom(deps{
		cfg:     cfg,
		keys:    signalwire.NewSecretCredentials(src, testkit.SecretID),
		queue:   queue.NewSender(awsCfg(sqURL), queueURL),
		secrets: src,
		log:     slog.New(logcap.New(slog.NewJSONHandler(env.logs, nil))), // as main wires it
		metrics: metrics,
	})
	return env
}

// invoke runs event through the Lambda runtime's own handler wrapper, as a
// real invocation would, and returns the HTTP response it answers.
func (e *testEnv) invoke(t testing.TB, event any) events.LambdaFunctionURLResponse {
	ctx := context.Background()
	if tt, ok := t.(interface{ Context() context.Context }); ok {
		ctx = tt.Context()
	}
	t.Helper()
	payload, ok := event.([]byte)
	if !ok {
		var err error
		if payload, err = json.Marshal(event); err != nil {
			t.Fatal(err)
		}
	}
	out, err := lambda.NewHandler(e.h.Handle).Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("function error: %v", err)
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not a Function URL response: %v", err)
	}
	return resp
}

func terminal() []string {
	var s []string
	for _, st := range pipeline.TerminalStatuses {
		s = append(s, string(st))
	}
	return s
}

// queued returns the hints on the test queue.
func (e *testEnv) queued(t testing.TB) []pipeline.Hint {
	t.Helper()
	var out []pipeline.Hint
	for _, m := range e.sq.Messages(testQueue) {
		h, err := pipeline.ParseHint([]byte(m.Body))
		if err != nil {
			t.Fatalf("queued message is not a hint: %v", err)
		}
		out = append(out, h)
	}
	return out
}

// logLines decodes the handler's JSON log lines.
func (e *testEnv) logLines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(e.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// metricSums adds up each metric over the EMF records written so far.
func (e *testEnv) metricSums(t testing.TB) map[string]float64 {
	t.Helper()
	sums := map[string]float64{}
	for line := range strings.Lines(e.metrics.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("metric line is not JSON: %q", line)
		}
		for _, name := range []string{emf.CallbacksReceived, emf.CallbackSignatureFailures, emf.CallbacksQueued,
			emf.CallbacksIgnored, emf.CallbackContractFindings, emf.SigningKeyMissing, emf.CallbacksFailed,
			emf.CallbacksRejected, emf.CallbacksForeignAccount, emf.SecretStaleServes, emf.SecretFetches} {
			v, _ := rec[name].(float64)
			sums[name] += v
		}
	}
	return sums
}

// secretValues are every value that must never leave the function.
func secretValues() []string {
	return []string{testKey, testPrevKey, testkit.Token, testkit.SecretKey}
}

// assertNoSecrets fails when any secret shows up in text.
func assertNoSecrets(t testing.TB, where, text string) {
	t.Helper()
	for _, s := range secretValues() {
		if strings.Contains(text, s) {
			t.Errorf("%s contains a secret", where)
		}
	}
}
