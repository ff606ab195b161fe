package secrets

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type testCredentials struct {
	ProjectID string `json:"project_id"`
	APIToken  string `json:"api_token"`
	Port      int8   `json:"port"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	src, srv, _ := setup(t, time.Minute, nil)
	srv.Put("good", `{"project_id":"b3f1c2d4","api_token":"PTleak-0a1b","port":8}`)

	var got testCredentials
	if err := src.Decode(t.Context(), "good", &got); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if diff := cmp.Diff(testCredentials{ProjectID: "b3f1c2d4", APIToken: "PTleak-0a1b", Port: 8}, got); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secret  string
		leaks   []string // substrings of the secret that must not appear in the error
		wantMsg string
	}{
		{"bare token", `{"api_token": PTleak-9c2d}`, []string{"PTleak", "'P'"}, "invalid json at byte offset 15"},
		{"truncated", `{"api_token":"PTleak-9c2d"`, []string{"PTleak"}, "invalid json at byte offset 26"},
		{"string for number", `{"port":"PTleak-9c2d"}`, []string{"PTleak"}, "json value at byte offset 21 does not fit go type int8"},
		{"number overflow", `{"port":98765432109876}`, []string{"98765432109876"}, "json value at byte offset 22 does not fit go type int8"},
		{"not json", `PTleak-9c2d`, []string{"PTleak", "'P'"}, "invalid json at byte offset 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, srv, _ := setup(t, time.Minute, nil)
			srv.Put(testSecretID, tt.secret)

			var v testCredentials
			err := src.Decode(t.Context(), testSecretID, &v)
			var secErr *Error
			if !errors.As(err, &secErr) || secErr.Reason != Malformed {
				t.Fatalf("Decode error = %v; want *Error Malformed", err)
			}
			msg := err.Error()
			for _, leak := range tt.leaks {
				if strings.Contains(msg, leak) {
					t.Errorf("Error() = %q contains %q from the secret", msg, leak)
				}
			}
			if want := `secrets: secret "callwire/signalwire": malformed: ` + tt.wantMsg; msg != want {
				t.Errorf("Error() = %q, want %q", msg, want)
			}
		})
	}
}

// TestErrUnavailable checks which reasons count as an outage, and that the
// backoff shows in the text.
func TestErrUnavailable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		reason Reason
		want   bool
	}{
		{Throttled, true}, {Unavailable, true},
		{NotFound, false}, {AccessDenied, false}, {NoString, false}, {Malformed, false},
	} {
		t.Run(string(tt.reason), func(t *testing.T) {
			t.Parallel()
			err := error(&Error{SecretID: "s", Reason: tt.reason, RetryAfter: 1500 * time.Millisecond})
			if got := errors.Is(fmt.Errorf("wrapped: %w", err), ErrUnavailable); got != tt.want {
				t.Errorf("errors.Is(%q, ErrUnavailable) = %v, want %v", tt.reason, got, tt.want)
			}
			if want := `secrets: secret "s": ` + string(tt.reason) + "; next fetch in 1.5s"; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}
