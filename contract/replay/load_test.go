package replay

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/recording"
)

func TestLoadDirRecordings(t *testing.T) {
	t.Parallel()
	files, err := recording.FindFiles(recordingsDir)
	if err != nil {
		t.Fatalf("FindFiles: %v", err)
	}
	s, base := loadedServer(t)
	c := newClient(t)
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			rec, err := recording.ReadRecording(f)
			if err != nil {
				t.Fatalf("ReadRecording: %v", err)
			}
			got := mustDo(t, c, http.MethodGet, base+callPath(testAccount, recordingSID(rec)), nil)
			if got.Status != rec.Response.Status || got.Body != recordedBody(rec) {
				t.Errorf("got status %d and body %.60q, want status %d and the recorded body", got.Status, got.Body, rec.Response.Status)
			}
			for k, vs := range rec.Response.Headers {
				if g := got.Header.Values(k); strings.Join(g, ",") != strings.Join(vs, ",") {
					t.Errorf("header %s = %q, want %q", k, g, vs)
				}
			}
		})
	}
	t.Run("loading again names both files", func(t *testing.T) {
		t.Parallel()
		err := s.LoadDir(recordingsDir)
		if err == nil || !strings.Contains(err.Error(), "recorded twice") {
			t.Errorf("second LoadDir error = %v, want a duplicate SID", err)
		}
	})
}

func TestLoadDirErrors(t *testing.T) {
	t.Parallel()
	const goodURL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/" + testAccount + "/Calls/"
	good := func(sid string) string {
		return `{"request":{"method":"GET","url":"` + goodURL + sid + `"},"response":{"status":200,"body":{"sid":"` + sid + `"}}}`
	}
	tests := []struct {
		name  string
		files map[string]string // relative path -> contents
		// wantIn are substrings of the error, with {dir} replaced by the temp dir.
		wantIn []string
	}{
		{
			name:   "malformed json",
			files:  map[string]string{"a.json": good("aaaa-1"), "sub/broken.json": `{"request": {`},
			wantIn: []string{"{dir}/sub/broken.json", "invalid JSON"},
		},
		{
			name:   "unknown field",
			files:  map[string]string{"odd.json": `{"request":{"method":"GET","url":"` + goodURL + `x"},"response":{"status":200},"extra":1}`},
			wantIn: []string{"{dir}/odd.json", "unknown field"},
		},
		{
			name:   "url without a call sid",
			files:  map[string]string{"list.json": `{"request":{"method":"GET","url":"https://example.signalwire.com/api/laml/2010-04-01/Accounts/` + testAccount + `/Calls"},"response":{"status":200,"body":{}}}`},
			wantIn: []string{"{dir}/list.json", "/Calls/{sid}"},
		},
		{
			name:   "url ending in a slash",
			files:  map[string]string{"slash.json": `{"request":{"method":"GET","url":"` + goodURL + `"},"response":{"status":200,"body":{}}}`},
			wantIn: []string{"{dir}/slash.json", "/Calls/{sid}"},
		},
		{
			name:   "duplicate sid",
			files:  map[string]string{"conformant/one.json": good("dup-1"), "drift/two.json": good("dup-1")},
			wantIn: []string{"dup-1", "{dir}/conformant/one.json", "{dir}/drift/two.json"},
		},
		{
			name:   "no recordings",
			files:  map[string]string{"notes.txt": "not a recording", "capture.har": "{}"},
			wantIn: []string{"no recordings"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, data := range tt.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s := New()
			err := s.LoadDir(dir)
			if err == nil {
				t.Fatalf("LoadDir succeeded, want an error")
			}
			for _, want := range tt.wantIn {
				want = strings.ReplaceAll(want, "{dir}", dir)
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			// All or nothing: no recording from a failed load is served.
			base := startServer(t, s)
			got := mustDo(t, newClient(t), http.MethodGet, base+callPath(testAccount, "aaaa-1"), nil)
			if got.Status != http.StatusNotFound {
				t.Errorf("after a failed LoadDir, a recording from it is served with status %d", got.Status)
			}
		})
	}
}

func TestLoadDirMissing(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nowhere")
	if err := New().LoadDir(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("LoadDir(%q) error = %v, want one naming the directory", missing, err)
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	busy := readRecording(t, "conformant/200-busy-outbound.json")
	noSID := syntheticCall("x")
	noSID.Request.URL = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/" + testAccount
	informational := syntheticCall("informational-1")
	informational.Response.Status = 101
	tests := []struct {
		name    string
		before  []*recording.Recording
		rec     *recording.Recording
		wantErr string
	}{
		{name: "new sid", rec: busy},
		{name: "nil", rec: nil, wantErr: "nil recording"},
		{name: "duplicate", before: []*recording.Recording{busy}, rec: busy, wantErr: "recorded twice"},
		{name: "no call sid", rec: noSID, wantErr: "/Calls/{sid}"},
		{name: "informational status", rec: informational, wantErr: "cannot be replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New()
			for _, rec := range tt.before {
				if err := s.Add(rec); err != nil {
					t.Fatalf("Add before: %v", err)
				}
			}
			err := s.Add(tt.rec)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Add: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Add error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
