package lambdatest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartDemoRecordingsError checks that a directory the replay server
// cannot serve is a *RecordingsError whose cause names the problem without
// the replay server's own prefix.
func TestStartDemoRecordingsError(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "broken.json"), []byte(`{"request": {`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		want string // in the cause
	}{
		{name: "malformed recording", dir: broken, want: "broken.json"},
		{name: "no recordings", dir: t.TempDir(), want: "no recordings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := StartDemo(tt.dir)
			if err == nil {
				d.Close()
				t.Fatal("StartDemo succeeded, want an error")
			}
			var re *RecordingsError
			if !errors.As(err, &re) {
				t.Fatalf("StartDemo = %v, want a *RecordingsError", err)
			}
			if re.Dir != tt.dir {
				t.Errorf("Dir = %q, want %q", re.Dir, tt.dir)
			}
			cause := re.Err.Error()
			if !strings.Contains(cause, tt.want) || strings.HasPrefix(cause, "replay:") {
				t.Errorf("cause = %q, want %q without the replay: prefix", cause, tt.want)
			}
		})
	}
}
