package contract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordingCases are recordings on and off the fast path.
var recordingCases = []string{
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u","headers":{}},"response":{"status":200,"headers":{"A":[]},"body":{}}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200,"body":null}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200,"body_text":null}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200.0}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":-0}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":99999999999999999999}}`,
	`{"Request":{"method":"GET","url":"u"},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u"},"request":{"method":"POST"},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u","headers":{"A":["1"]},"headers":{"B":["2"]}},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u","headers":{"A":null}},"response":{"status":200}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"extra":1}`,
	`{"request":{"method":"G\u0045T","url":"caf` + "\xff" + `"},"response":{"status":200,"body":[1,"x",{"a":null}]}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"expect":{}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"expect":{"conformant":true,"findings":[]}}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200},"expect":null}`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}} x`,
	`{"request":{"method":"GET","url":"u"},"response":{"status":200}}}`,
	`{"req\u0075est":{"method":"GET","url":"u"},"response":{"status":200}}`,
	``, `[]`, `null`, `{}`,
}

// TestParseRecordingFast checks that whatever the fast path accepts decodes
// exactly as encoding/json decodes it.
func TestParseRecordingFast(t *testing.T) {
	t.Parallel()
	inputs := append([]string(nil), recordingCases...)
	files, err := FindFiles(filepath.Join("..", "testdata", "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	fast := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
		if _, ok := parseRecordingFast(b); ok {
			fast++
		}
	}
	if fast == 0 {
		t.Error("no recording in testdata took the fast path")
	}
	for i, in := range inputs {
		compareRecording(t, i, []byte(in))
	}
}

func compareRecording(t *testing.T, i int, in []byte) {
	t.Helper()
	got, ok := parseRecordingFast(in)
	if !ok {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.DisallowUnknownFields()
	var want Recording
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("input %d %.80q: fast path accepted what encoding/json rejects: %v", i, in, err)
	}
	if rest := bytes.TrimLeft(in[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		t.Fatalf("input %d %.80q: fast path accepted trailing data", i, in)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("input %d %.80q: recording differs (-encoding/json +fast):\n%s", i, in, diff)
	}
}

func FuzzParseRecordingFast(f *testing.F) {
	for _, c := range recordingCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		compareRecording(t, 0, in)
	})
}
