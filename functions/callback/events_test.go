package callback

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// eventsDir holds the sample Function URL events of the callback receiver,
// signed with the demo key. They sit in their own directory so that other
// functions' event tests, which run testdata/events/*.json, do not take them.
var eventsDir = filepath.Join(testdataDir, "events", "callback")

// samples are the sample events, each with the status the receiver answers.
var samples = map[string]struct {
	event  func() events.LambdaFunctionURLRequest
	status int
}{
	"completed": {func() events.LambdaFunctionURLRequest {
		return lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey)
	}, http.StatusNoContent},
	"ringing": {func() events.LambdaFunctionURLRequest {
		return lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "ringing", 1), lambdatest.DemoSigningKey)
	}, http.StatusNoContent},
	"completed-get": {func() events.LambdaFunctionURLRequest {
		e := lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey)
		e.RequestContext.HTTP.Method = http.MethodGet
		e.RawQueryString, e.Body = e.Body, ""
		delete(e.Headers, "content-type")
		e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(lambdatest.DemoSigningKey,
			"https://"+lambdatest.DemoCallbackDomain+lambdatest.DemoCallbackPath+"?"+e.RawQueryString, nil)
		return e
	}, http.StatusNoContent},
	"completed-base64": {func() events.LambdaFunctionURLRequest {
		e := lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey)
		e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(e.Body)), true
		return e
	}, http.StatusNoContent},
	"forged": {func() events.LambdaFunctionURLRequest {
		return lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), "PSKnot-the-demo-key")
	}, http.StatusForbidden},
}

// TestEvents runs every sample in testdata/events/callback through
// Handler.Invoke against a secret holding the demo key; -update writes them.
func TestEvents(t *testing.T) {
	t.Parallel()
	if *update {
		if err := os.MkdirAll(eventsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, s := range samples {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(s.event()); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(eventsDir, name+".json"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	slices.Sort(names)
	want := make([]string, 0, len(samples))
	for name := range samples {
		want = append(want, name)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("files in %s (-samples +files; run go test ./functions/callback -update):\n%s", eventsDir, diff)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			payload, err := os.ReadFile(filepath.Join(eventsDir, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			env := setup(t, secretJSON(testKey, ""))
			resp := env.invoke(t, payload)
			if resp.StatusCode != samples[name].status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, samples[name].status, resp.Body)
			}
			queued := len(env.queued(t))
			if wantQueued := name == "completed" || strings.HasPrefix(name, "completed-"); (queued == 1) != wantQueued {
				t.Errorf("%d hints queued", queued)
			}
		})
	}
}
