package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// TestRunCallback runs the callback function's real bootstrap with the
// runner's sample, with event files sent as they are, with -secret and with
// -env, and reads the answer on stdout and the queue summary on stderr.
func TestRunCallback(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	scratch := t.TempDir()
	noKey := filepath.Join(scratch, "no-signing-key.json")
	if err := os.WriteFile(noKey, []byte(`{"project_id":"`+lambdatest.DemoProjectID+`","api_token":"PTlocal-test-token","space_url":"http://127.0.0.1:9"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(scratch, "other-key.json")
	if err := os.WriteFile(otherKey, []byte(`{"project_id":"`+lambdatest.DemoProjectID+`","api_token":"PTlocal-test-token","space_url":"http://127.0.0.1:9","signing_key":"PSKlocal-other-key"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(scratch, "secret.txt")
	if err := os.WriteFile(notJSON, []byte("PSKlocal-plain-text-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	custom := filepath.Join(scratch, "custom.json")
	ev := lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "busy", 2), "PSKlocal-other-key")
	ev.Headers["x-custom"] = "kept"
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(custom, b, 0o600); err != nil {
		t.Fatal(err)
	}
	samples := filepath.Join(testdataDir, "events", "callback")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStatus int
		wantQueued int
		// wantForced is whether the callback forces a refresh of the
		// secret (a failed signature, a missing key): a second Secrets
		// Manager request, the one the refresh interval allows.
		wantForced bool
		wantErr    string // in the last line of stderr, for a runner failure
	}{
		{name: "signed sample", wantStatus: 204, wantQueued: 1},
		{name: "sample for another call", args: []string{"-call-sid", "c0c0ca11-0002-4b0b-9a55-0ac41be00002"}, wantStatus: 204, wantQueued: 1},
		{name: "event file as it is", args: []string{filepath.Join(samples, "completed-get.json")}, wantStatus: 204, wantQueued: 1},
		{name: "forged event file is not re-signed", args: []string{filepath.Join(samples, "forged.json")}, wantStatus: 403, wantForced: true},
		{name: "FETCH_ON through -env", args: []string{"-env", "FETCH_ON=ringing"}, wantStatus: 204},
		{name: "secret without a signing key", args: []string{"-secret", noKey}, wantStatus: 500, wantForced: true},
		{name: "own secret and own event", args: []string{"-secret", otherKey, custom}, wantStatus: 204, wantQueued: 1},
		{name: "secret not JSON", args: []string{"-secret", notJSON}, wantCode: 2, wantErr: "is not a JSON document"},
		{name: "-env without =", args: []string{"-env", "FETCH_ON"}, wantCode: 2},
		{name: "-secret with -live", args: []string{"-live", "-secret", noKey}, wantCode: 2, wantErr: "-secret has no effect with -live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"-function", "callback", "-work", dir}, tt.args...)
			code, stdout, stderr := runLocal(t, t.Context(), dir, args...)
			if code != tt.wantCode {
				t.Fatalf("run = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, secret := range []string{"PSKlocal-other-key", "PSKlocal-plain-text-secret", "PTlocal-test-token", lambdatest.DemoSigningKey} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("output shows a secret value")
				}
			}
			if tt.wantCode == 2 {
				if !strings.Contains(stderr, tt.wantErr) {
					t.Errorf("stderr = %q, want %q", stderr, tt.wantErr)
				}
				return
			}
			var resp events.LambdaFunctionURLResponse
			if err := json.Unmarshal([]byte(stdout), &resp); err != nil || resp.StatusCode != tt.wantStatus {
				t.Errorf("stdout %q, want a Function URL response with status %d", stdout, tt.wantStatus)
			}
			queued := count(tt.wantQueued, "message queued", "messages queued")
			secretReads := count(1, "Secrets Manager request", "Secrets Manager requests")
			if tt.wantForced {
				secretReads = count(2, "Secrets Manager request", "Secrets Manager requests")
			}
			checkQuiet(t, 0, stderr, "callback", "1 invoke", secretReads+", 0 upstream requests, "+count(tt.wantQueued, "SQS request", "SQS requests")+", "+queued)
		})
	}
}
