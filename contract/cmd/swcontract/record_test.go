package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract/recording"
	"github.com/google/go-cmp/cmp"
)

// TestRecordRoundTrip records every replayed call (but the 401 one, which
// record refuses) and checks that "swcontract check" gives the recorded files
// the same findings, fingerprint for fingerprint, as the originals.
func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	e := setupLive(t)
	files, err := recording.FindFiles(testdataDir + "/recordings")
	if err != nil {
		t.Fatal(err)
	}
	var originals []string
	args := []string{"--out", filepath.Join(t.TempDir(), "rec")}
	for _, f := range files {
		if strings.Contains(f, "401-unauthorized") {
			continue
		}
		rel, _ := filepath.Rel(testdataDir+"/recordings", f)
		originals = append(originals, f)
		args = append(args, "--sid", recSID(t, strings.TrimSuffix(rel, ".json")))
	}
	var stdout, stderr bytes.Buffer
	if code := runRecord(args, &stdout, &stderr, e.getenv); code != 0 {
		t.Fatalf("record: exit %d: %s", code, stderr.String())
	}
	assertNoToken(t, "stdout", stdout.Bytes())
	assertNoToken(t, "stderr", stderr.Bytes())
	dir := args[1]
	recorded, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(recorded) != len(originals) {
		t.Fatalf("%d recordings, want %d (%v)", len(recorded), len(originals), err)
	}
	for _, f := range recorded {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertNoToken(t, f, b)
		rec, err := recording.ReadRecording(f)
		if err != nil {
			t.Fatalf("recording does not parse: %v", err)
		}
		if rec.Source != recordSource || !strings.HasSuffix(rec.RecordedAt, "Z") {
			t.Errorf("%s: source %q recorded_at %q", f, rec.Source, rec.RecordedAt)
		}
		if filepath.Base(f) != rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:]+".json" {
			t.Errorf("%s holds %s", f, rec.Request.URL)
		}
	}

	check := func(paths ...string) liveReport {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"check", "--format", "json"}, paths...), nil, &stdout, &stderr)
		if code == 2 {
			t.Fatalf("check: %s", stderr.String())
		}
		return decodeReport(t, stdout.Bytes())
	}
	want, got := check(originals...), check(dir)
	if diff := cmp.Diff(want.fingerprints(), got.fingerprints()); diff != "" {
		t.Errorf("fingerprints by SID (-originals +recorded):\n%s", diff)
	}
	if want.Nonconformant != got.Nonconformant || want.Checked != got.Checked {
		t.Errorf("recorded: checked %d non-conformant %d; originals %d %d",
			got.Checked, got.Nonconformant, want.Checked, want.Nonconformant)
	}
}

func TestRecordFiles(t *testing.T) {
	t.Parallel()
	inbound := recSID(t, "conformant/200-completed-inbound-human")
	machine := recSID(t, "conformant/200-completed-outbound-machine")
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := setupLive(t)
	e.sw.SetCallList([]string{machine, inbound})
	dir := t.TempDir()
	record := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := runRecord(append([]string{"--out", dir, "--key-file", keyFile}, extra...), &stdout, &stderr, e.getenv)
		return code, stderr.String()
	}
	if code, stderr := record("--sample-recent", "2"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first, err := os.ReadFile(filepath.Join(dir, machine+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, inbound+".json")); err != nil {
		t.Error(err)
	}
	if code, stderr := record("--sid", machine); code != 2 || !strings.Contains(stderr, "exists; pass --force") {
		t.Errorf("second run: exit %d, stderr %q", code, stderr)
	}
	if code, stderr := record("--sid", machine, "--force"); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	again, err := os.ReadFile(filepath.Join(dir, machine+".json"))
	if err != nil {
		t.Fatal(err)
	}
	// The same key gives the same fakes; only recorded_at may differ.
	strip := func(b []byte) string {
		var out []string
		for line := range strings.Lines(string(b)) {
			if !strings.Contains(line, `"recorded_at"`) {
				out = append(out, line)
			}
		}
		return strings.Join(out, "")
	}
	if diff := cmp.Diff(strip(first), strip(again)); diff != "" {
		t.Errorf("same key, different recording (-first +again):\n%s", diff)
	}

	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no out", []string{"--sid", machine}, "--out DIR is required"},
		{"no calls", []string{"--out", dir}, "pass --sid or --sample-recent"},
	} {
		var stdout, stderr bytes.Buffer
		code := runRecord(tt.args, &stdout, &stderr, e.getenv)
		if code != 2 || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q", tt.name, code, stderr.String())
		}
	}
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runRecord([]string{"--out", t.TempDir(), "--sid", machine, "--key-file", short}, &stdout, &stderr, e.getenv); code != 2 ||
		!strings.Contains(stderr.String(), "key shorter than 16 bytes") {
		t.Errorf("short key: exit %d, stderr %q", code, stderr.String())
	}
}
