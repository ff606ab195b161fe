package getcall

import (
	"bytes"
	"flag"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testProjectID = testkit.ProjectID
	testToken     = testkit.Token
	testSecretID  = testkit.SecretID
	testAccessKey = testkit.AccessKey
	testSecretKey = testkit.SecretKey
	// testFunctionName is the deployed name, as the runtime sets AWS_LAMBDA_FUNCTION_NAME.
	testFunctionName = "callwire-test-GetCallFunction-1A2B"
)

// fixedNow is the retrieval time of every test invocation, so outputs are stable.
var fixedNow = time.Date(2026, 3, 2, 14, 8, 0, 123_000_000, time.UTC)

// syncBuffer collects log or metric output written from several goroutines.
type syncBuffer = testkit.SyncBuffer

// testEnv is a handler wired to real clients and loopback servers.
type testEnv struct {
	h       *Handler
	sm      *secretsserver.Server
	sw      *replay.Server
	swURL   string
	mode    retrieve.Mode
	logs    *syncBuffer
	metrics *syncBuffer
}

func secretJSON(spaceURL string) string { return testkit.SecretJSON(spaceURL, testToken) }

// startServers starts a Secrets Manager endpoint (SigV4 verified) holding the
// test secret and a SignalWire replay server over testdata/recordings, both
// closed when tb ends.
func startServers(tb testing.TB) (sm *secretsserver.Server, smURL string, sw *replay.Server, swURL string) {
	tb.Helper()
	sm, smURL = testkit.SecretsManager(tb)
	sw = replay.New(replay.WithCredentials(testProjectID, testToken))
	if err := sw.LoadDir(testdataDir + "/recordings"); err != nil {
		tb.Fatal(err)
	}
	swURL, err := sw.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sw.Close() })
	sm.Put(testSecretID, secretJSON(swURL))
	return sm, smURL, sw, swURL
}

// setup starts a Secrets Manager endpoint (requests signed with the test key) and a SignalWire
// replay server over testdata/recordings, and builds a handler on them with
// the real AWS SDK client and the real SignalWire client.
func setup(t *testing.T, mode retrieve.Mode) *testEnv {
	t.Helper()
	sm, smURL, sw, swURL := startServers(t)

	src, client := testkit.Clients(t, smURL, testAccessKey)
	env := &testEnv{sm: sm, sw: sw, swURL: swURL, mode: mode, logs: &syncBuffer{}, metrics: &syncBuffer{}}
	env.h = newHandlerFrom(deps{
		cfg:     config{Settings: boot.Settings{SecretID: testSecretID, CacheTTL: time.Minute, FunctionName: testFunctionName}, mode: mode},
		calls:   retrieve.New(client, mode, retrieve.WithClock(func() time.Time { return fixedNow })),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		metrics: emf.NewWriter(env.metrics, Metrics),
	})
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
