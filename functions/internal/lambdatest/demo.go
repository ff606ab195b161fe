package lambdatest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// Demo account facts. The project ID is the one every recording uses.
const (
	DemoProjectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	DemoSecretID  = "callwire/demo"
	DemoRegion    = "us-east-1"
	// DemoAccessKeyID is the static access key the function signs its
	// Secrets Manager requests with, the only one the demo endpoint accepts;
	// the secret key is random per Demo.
	DemoAccessKeyID = "AKIDCALLWIRELOCAL000"
	// DemoSigningKey is the demo secret's signing_key. Unlike the API token
	// it is fixed and public, so that the signed sample callbacks in
	// testdata/events/callback verify against the demo secret; it signs
	// nothing outside this machine.
	DemoSigningKey = "PSKcallwire-demo-signing-key-not-secret"
)

// Demo is the offline world a Lambda binary runs against: a SignalWire replay
// server holding recordings and a Secrets Manager endpoint holding the demo
// secret, both on loopback. The secret points at the replay server, holds a
// random API token that the replay server requires, and DemoSigningKey.
type Demo struct {
	Replay  *replay.Server
	Secrets *secretsserver.Server

	replayURL  string
	secretsURL string
	secretKey  string
}

// RecordingsError is a directory of recordings the replay server could not
// load: a file that is not a recording, a call recorded twice, no
// recordings at all.
type RecordingsError struct {
	Dir string
	Err error
}

func (e *RecordingsError) Error() string {
	return "lambdatest: demo: recordings " + e.Dir + ": " + e.Err.Error()
}

func (e *RecordingsError) Unwrap() error { return e.Err }

// StartDemo loads the recordings under dir (recursively) and starts both
// servers. It leaves nothing running when it fails; a directory it cannot
// serve is a *RecordingsError, which for a malformed recording names the
// file and the reason.
func StartDemo(dir string) (*Demo, error) {
	token, secretKey := rand.Text(), rand.Text()
	d := &Demo{
		Replay: replay.New(replay.WithCredentials(DemoProjectID, token)),
		Secrets: secretsserver.New(
			secretsserver.WithAccessKeyID(DemoAccessKeyID),
			secretsserver.WithRegion(DemoRegion)),
		secretKey: secretKey,
	}
	if err := d.Replay.LoadDir(dir); err != nil {
		// The replay server names the directory; keep its cause.
		if cause := errors.Unwrap(err); cause != nil {
			err = cause
		} else if files, ferr := recording.FindFiles(dir); ferr == nil && !slices.ContainsFunc(files, isJSON) {
			err = errors.New("no recordings (.json files) in it")
		}
		return nil, &RecordingsError{Dir: dir, Err: err}
	}
	var err error
	if d.replayURL, err = d.Replay.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("lambdatest: demo: %w", err)
	}
	if d.secretsURL, err = d.Secrets.Start("127.0.0.1:0"); err != nil {
		d.Close()
		return nil, fmt.Errorf("lambdatest: demo: %w", err)
	}
	secret, err := json.Marshal(map[string]string{
		"project_id":  DemoProjectID,
		"api_token":   token,
		"space_url":   d.replayURL,
		"signing_key": DemoSigningKey,
	})
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("lambdatest: demo: %w", err)
	}
	d.Secrets.Put(DemoSecretID, string(secret))
	return d, nil
}

func isJSON(path string) bool { return strings.EqualFold(filepath.Ext(path), ".json") }

// Environ returns base without its AWS_ and SIGNALWIRE_ variables, so no
// real credentials, profile or endpoint leak in, followed by the variables
// that point a function at the demo: the Secrets Manager endpoint, static
// credentials, the region, the secret ID, and the switch that lets the secret's
// space_url be the loopback replay server.
func (d *Demo) Environ(base []string) []string {
	env := make([]string, 0, len(base)+5)
	for _, kv := range base {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "SIGNALWIRE_") && !strings.HasPrefix(kv, "CALLWIRE_ALLOW_LOOPBACK=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+d.secretsURL,
		"AWS_ACCESS_KEY_ID="+DemoAccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+d.secretKey,
		"AWS_REGION="+DemoRegion,
		"SIGNALWIRE_SECRET_ID="+DemoSecretID,
		"CALLWIRE_ALLOW_LOOPBACK=true",
	)
}

// ReplayURL returns the replay server's base URL, the secret's space_url.
func (d *Demo) ReplayURL() string { return d.replayURL }

// Close stops both servers. It is safe to call more than once.
func (d *Demo) Close() {
	_ = d.Replay.Close()
	d.Secrets.Close()
}
