package driftcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

const (
	testProjectID = testkit.ProjectID
	testToken     = testkit.Token
	testSecretID  = testkit.SecretID
	testSecretKey = testkit.SecretKey
)

// fixedNow is the start and end time of every test report.
var fixedNow = time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)

// syncBuffer collects log or metric output written from several goroutines.
type syncBuffer = testkit.SyncBuffer

// testEnv is a handler wired to real clients and loopback servers.
type testEnv struct {
	h       *Handler
	sm      *secretsserver.Server
	sw      *replay.Server
	logs    *syncBuffer
	metrics *syncBuffer
}

// options adjust setup.
type options struct {
	cfg    config
	secret func(swURL string) string // the secret string; nil means valid credentials
	noPut  bool                      // leave the secret out of Secrets Manager
	replay []replay.Option
	// wrap, if set, puts a handler in front of the replay server.
	wrap func(sw http.Handler) http.Handler
}

func secretJSON(spaceURL, token string) string { return testkit.SecretJSON(spaceURL, token) }

// setup starts a Secrets Manager endpoint (SigV4 verified) and a SignalWire
// replay server over testdata/recordings, and builds a handler on them with
// the real AWS SDK client and the real SignalWire client.
func setup(t *testing.T, o options) *testEnv {
	t.Helper()
	sm, smURL := testkit.SecretsManager(t)
	sw := replay.New(append([]replay.Option{replay.WithCredentials(testProjectID, testToken)}, o.replay...)...)
	if err := sw.LoadDir(testdataDir + "/recordings"); err != nil {
		t.Fatal(err)
	}
	var swURL string
	if o.wrap != nil {
		srv := httptest.NewServer(o.wrap(sw))
		t.Cleanup(srv.Close)
		swURL = srv.URL
	} else {
		var err error
		if swURL, err = sw.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sw.Close() })
	}
	secret := secretJSON(swURL, testToken)
	if o.secret != nil {
		secret = o.secret(swURL)
	}
	if !o.noPut {
		sm.Put(testSecretID, secret)
	}

	_, client := testkit.Clients(t, smURL, testkit.AccessKey)
	cfg := o.cfg
	cfg.SecretID = testSecretID
	cfg.FunctionName = testFunctionName
	env := &testEnv{sm: sm, sw: sw, logs: &syncBuffer{}, metrics: &syncBuffer{}}
	env.h = newHandlerFrom(deps{
		cfg:     cfg,
		calls:   client,
		log:     slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		metrics: emf.NewWriter(env.metrics, Metrics),
	})
	env.h.now = func() time.Time { return fixedNow }
	return env
}

// invoke runs payload through the Lambda runtime's own handler wrapper, as a
// real invocation would, and returns the report or the function error.
func (e *testEnv) invoke(ctx context.Context, t *testing.T, payload string) (*reportJSON, []byte, *messages.InvokeResponse_Error) {
	t.Helper()
	out, err := lambda.NewHandler(e.h.Handle).Invoke(ctx, []byte(payload))
	if err != nil {
		var ie messages.InvokeResponse_Error
		if errors.As(err, &ie) {
			return nil, nil, &ie
		}
		return nil, nil, &messages.InvokeResponse_Error{Type: "untyped", Message: err.Error()}
	}
	var r reportJSON
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("report does not decode: %v\n%s", err, out)
	}
	return &r, out, nil
}

// reportJSON is the report's wire shape, decoded strictly so a member added
// or renamed fails the tests.
type reportJSON struct {
	Spec struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"spec"`
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    time.Time  `json:"finished_at"`
	Partial       bool       `json:"partial"`
	Checked       int        `json:"checked"`
	NonConformant int        `json:"non_conformant"`
	Calls         []callJSON `json:"calls"`
	Findings      []aggJSON  `json:"findings"`
}

type callJSON struct {
	SID          string   `json:"sid"`
	Status       int      `json:"status"`
	Conformant   bool     `json:"conformant"`
	Errors       int      `json:"errors"`
	Warnings     int      `json:"warnings"`
	Probe        bool     `json:"probe"`
	Fingerprints []string `json:"fingerprints"`
}

type aggJSON struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Pointer     string `json:"pointer"`
	Severity    string `json:"severity"`
	Expected    string `json:"expected"`
	Count       int    `json:"count"`
	ExampleSID  string `json:"example_sid"`
}

// sidOf returns the Call SID of the recording at testdata/recordings/name.json.
func sidOf(t *testing.T, name string) string {
	t.Helper()
	rec, err := recording.ReadRecording(testdataDir + "/recordings/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]
}

// assertNoSecrets fails when any credential shows up in text.
func assertNoSecrets(t *testing.T, where, text string) {
	t.Helper()
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(testProjectID, testToken)
	basic := r.Header.Get("Authorization")
	for _, s := range []string{testToken, testSecretKey, basic, strings.TrimPrefix(basic, "Basic "), testProjectID + ":" + testToken} {
		if strings.Contains(text, s) {
			t.Errorf("%s contains a credential", where)
		}
	}
}
