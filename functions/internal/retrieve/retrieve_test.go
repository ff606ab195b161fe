package retrieve

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

const (
	projectID = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	token     = "PTretrieve-test-token-5d0c"
	callSID   = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
)

// conformantBody is a recorded conformant call body for callSID.
func conformantBody(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "recordings", "conformant", "200-completed-inbound-human.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return string(rec.Response.Body)
}

// serve starts a server answering every call with body and returns a
// Retriever on it in mode.
func serve(t *testing.T, mode Mode, body string) *Retriever {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	creds := signalwire.NewStaticCredentials(signalwire.Credentials{ProjectID: projectID, APIToken: token, SpaceURL: ts.URL})
	return New(signalwire.NewClient(creds, nil, signalwire.WithLoopback()), mode)
}

func TestGetRefuses(t *testing.T) {
	t.Parallel()
	body := conformantBody(t)
	sid := callSID
	account := projectID
	if !strings.Contains(body, account) {
		t.Fatalf("the recording's account_sid is not %s", account)
	}
	other := "00000000-0000-4000-8000-000000000000"
	basic := base64.StdEncoding.EncodeToString([]byte(projectID + ":" + token))
	escaped := strings.NewReplacer("P", `\u0050`, "T", `\u0054`).Replace(token)
	tests := []struct {
		name string
		body string
		want string // substring of the ContractError detail; "" is success
	}{
		{name: "conformant", body: body},
		{name: "another account", body: strings.Replace(body, `"account_sid": "`+account, `"account_sid": "`+other, 1), want: "another account"},
		{name: "another call", body: strings.Replace(body, `"sid": "`+sid, `"sid": "`+other, 1), want: "another call"},
		{name: "token in to", body: strings.Replace(body, `"to": "`, `"to": "`+token, 1), want: "carries the credentials"},
		{name: "basic value in direction", body: strings.Replace(body, `"direction": "`, `"direction": "`+basic, 1), want: "carries the credentials"},
		{name: "escaped token in to", body: strings.Replace(body, `"to": "`, `"to": "`+escaped, 1), want: "carries the credentials"},
	}
	for _, tt := range tests {
		if tt.body == body && tt.want != "" {
			t.Fatalf("%s: the replacement did not apply", tt.name)
		}
		for _, mode := range []Mode{ModeWarn, ModeStrict, ModeOff} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				r := serve(t, mode, tt.body)
				call, _, err := r.Get(t.Context(), sid)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("Get: %v", err)
					}
					return
				}
				var ce *ContractError
				if !errors.As(err, &ce) || !errors.Is(err, voice.ErrContract) || !strings.Contains(ce.Detail, tt.want) {
					t.Fatalf("Get = %v, %v; want a ContractError about %q", call.SID, err, tt.want)
				}
				if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), basic) {
					t.Errorf("error carries the credentials: %v", err)
				}
			})
		}
	}
}

func TestDescribeErrors(t *testing.T) {
	t.Parallel()
	fs := []contract.Finding{
		{Rule: "schema.enum", Pointer: "/direction", Severity: contract.SeverityError},
		{Rule: "schema.undeclared", Pointer: "/queue_time", Severity: contract.SeverityInfo},
		{Rule: "semantic.alias-mismatch", Pointer: "/to_formatted", Severity: contract.SeverityWarning},
		{Rule: "schema.required", Pointer: "/duration", Severity: contract.SeverityError},
	}
	if got, want := describeErrors(fs), "2 error findings: schema.enum /direction, schema.required /duration"; got != want {
		t.Errorf("describeErrors = %q, want %q", got, want)
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Mode{"warn": ModeWarn, "STRICT": ModeStrict, "off": ModeOff} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseMode("yes"); err == nil || !strings.Contains(err.Error(), "warn, strict or off") {
		t.Errorf("ParseMode(yes) error = %v", err)
	}
}
