package signalwire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	testSigningKey     = "PSKsigning-key-do-not-leak-71b3"
	testPrevSigningKey = "PSKprevious-key-do-not-leak-0d9e"
)

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
