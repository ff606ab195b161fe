package getcall

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// TestRefusedDuringSecretsOutage wires getcall as main does, from its
// environment, and has SignalWire refuse the token (401) while Secrets
// Manager throttles: each invocation asks for a forced refresh, yet 30
// invocations cost one GetSecretValue call, not one each.
func TestRefusedDuringSecretsOutage(t *testing.T) {
	t.Parallel()
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	sm, _, _, swURL := startServers(t)
	sm.Put(testSecretID, testkit.SecretJSON(swURL, "PTrevoked-token-0000")) // the replay server refuses it
	// Secrets Manager answers the first read, then throttles.
	var served atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sm.ServeHTTP(w, r)
		if served.Add(1) == 1 {
			sm.SetFault(testSecretID, secretsserver.Throttled)
		}
	}))
	t.Cleanup(proxy.Close)
	smURL := proxy.URL
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey, "AWS_REGION": "us-east-1",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": smURL,
		"SIGNALWIRE_SECRET_ID":             testSecretID, "CALLWIRE_ALLOW_LOOPBACK": "true",
	}
	h, err := New(t.Context(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	invoke := lambda.NewHandler(h).Invoke
	for i := range 30 {
		if _, err := invoke(t.Context(), directEvent(sid)); err == nil {
			t.Fatalf("invocation %d succeeded with a refused token", i)
		}
	}
	// One read, and one forced refresh (throttled) for the interval.
	if n := sm.Requests(); n != 2 {
		t.Errorf("%d GetSecretValue calls for 30 refused invocations while Secrets Manager throttles, want 2", n)
	}
}
