package signalwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testSigningKey     = "PSKsigning-key-do-not-leak-71b3"
	testPrevSigningKey = "PSKprevious-key-do-not-leak-0d9e"
)

func TestParseCredentialsSigningKeys(t *testing.T) {
	t.Parallel()
	base := `"project_id":"` + testProjectID + `","api_token":"` + testToken + `","space_url":"example.signalwire.com"`
	plain := Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com"}
	with := func(current, previous string) Credentials {
		c := plain
		c.SigningKey, c.PreviousSigningKey = current, previous
		return c
	}
	tests := []struct {
		name     string
		secret   string
		want     Credentials
		wantKeys []string // keys named by the errors; nil means success
	}{
		{name: "no signing keys", secret: `{` + base + `}`, want: plain},
		{name: "signing key", secret: `{` + base + `,"signing_key":"` + testSigningKey + `"}`, want: with(testSigningKey, "")},
		{
			name:   "both keys",
			secret: `{` + base + `,"signing_key":"` + testSigningKey + `","previous_signing_key":"` + testPrevSigningKey + `"}`,
			want:   with(testSigningKey, testPrevSigningKey),
		},
		{name: "null and empty mean absent", secret: `{` + base + `,"signing_key":null,"previous_signing_key":""}`, want: plain},
		{name: "previous key alone", secret: `{` + base + `,"previous_signing_key":"` + testPrevSigningKey + `"}`, want: with("", testPrevSigningKey)},
		{name: "key not a string", secret: `{` + base + `,"signing_key":42}`, wantKeys: []string{"signing_key"}},
		{name: "previous key not a string", secret: `{` + base + `,"previous_signing_key":{"k":"` + testPrevSigningKey + `"}}`, wantKeys: []string{"previous_signing_key"}},
		{name: "key with a trailing newline", secret: `{` + base + `,"signing_key":"` + testSigningKey + `\n"}`, wantKeys: []string{"signing_key"}},
		{name: "previous key with a space", secret: `{` + base + `,"previous_signing_key":"PSK two"}`, wantKeys: []string{"previous_signing_key"}},
		{
			name:     "bad key reported with the missing ones",
			secret:   `{"project_id":"` + testProjectID + `","signing_key":true}`,
			wantKeys: []string{"api_token", "space_url", "signing_key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCredentials([]byte(tt.secret))
			if tt.wantKeys == nil {
				if err != nil {
					t.Fatalf("ParseCredentials: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("credentials (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseCredentials accepted %s", tt.secret)
			}
			if diff := cmp.Diff(tt.wantKeys, credentialsKeys(err)); diff != "" {
				t.Errorf("error keys (-want +got):\n%s", diff)
			}
			for _, secret := range []string{testSigningKey, testPrevSigningKey, testToken} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes a secret", err)
				}
			}
			var ce *CredentialsError
			if !errors.As(err, &ce) {
				t.Errorf("error %v is not a *CredentialsError", err)
			}
		})
	}
}

// TestSigningKeyRedaction prints credentials holding both signing keys in
// every way a value can be printed and checks that neither key nor the token
// shows, while whether a key is set does.
func TestSigningKeyRedaction(t *testing.T) {
	t.Parallel()
	c := Credentials{ProjectID: testProjectID, APIToken: testToken, SpaceURL: "example.signalwire.com",
		SigningKey: testSigningKey, PreviousSigningKey: testPrevSigningKey}
	logged := func(h func(*bytes.Buffer) slog.Handler) string {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("loaded", "creds", c, "ptr", &c, "static", NewStaticCredentials(c))
		return buf.String()
	}
	marshalled, err := json.Marshal(map[string]any{"c": c, "p": &c})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":         fmt.Sprintf("%v", c),
		"%+v":        fmt.Sprintf("%+v", c),
		"%#v":        fmt.Sprintf("%#v", c),
		"%s":         fmt.Sprintf("%s", c),
		"%q":         fmt.Sprintf("%q", c),
		"%x":         fmt.Sprintf("%x", c),
		"pointer":    fmt.Sprintf("%+v", &c),
		"slice":      fmt.Sprint([]Credentials{c}),
		"String":     c.String(),
		"GoString":   c.GoString(),
		"static %+v": fmt.Sprintf("%+v", NewStaticCredentials(c)),
		"error %v":   fmt.Errorf("wrapped: %v", c).Error(),
		"slog json":  logged(func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }),
		"slog text":  logged(func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }),
		"json":       string(marshalled),
	}
	for name, out := range outputs {
		for _, secret := range []string{testSigningKey, testPrevSigningKey, testToken} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows a secret: %s", name, out)
			}
		}
	}
	if s := c.String(); !strings.Contains(s, "SigningKey:[redacted]") {
		t.Errorf("String() = %s, want it to say the signing key is set", s)
	}
	if s := (Credentials{ProjectID: testProjectID}).String(); !strings.Contains(s, "SigningKey:[none]") {
		t.Errorf("String() = %s, want it to say no signing key is set", s)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(outputs["slog json"]), &doc); err != nil {
		t.Fatal(err)
	}
	if got, _ := doc["creds"].(map[string]any); got["signing_key"] != true || got["previous_signing_key"] != true {
		t.Errorf("slog JSON creds = %v, want signing_key and previous_signing_key true", got)
	}
}
