package contract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pb33f/jsonschema/v6"
)

// decodeCases are documents on and off the fast path, valid and not.
var decodeCases = []string{
	`{}`, `[]`, `{"a":[]}`, ` {"a" : 1 , "b":[1,2.5,-0,1e3,1E-2,-12.50e+7]} `, `"x"`, `0`, `-0.0`, `true`, `false`, `null`,
	`{"a":1,"a":2}`, `{"a":{"b":{"c":[{"d":null}]}}}`, `{"s":"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t"}`, `{"\u0041":1}`,
	`{"s":"caf` + "\xc3\xa9" + `"}`, `{"s":"bad ` + "\xff\xfe" + `"}`, `{"s":"\ud800"}`, `{"s":"\ud83d\ude00"}`,
	"\t\n\r [1]\n", `{"a":1}x`, `{"a":1} {}`, `{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{a:1}`, `01`, `-`, `1.`, `1e`,
	`.5`, `+1`, `tru`, `truex`, `nul`, `[1 2]`, `"a` + "\x01" + `"`, `"abc`, `"\`, `{"a":"b\`, ``, `   `, "\ufeff{}",
	`{"a":1}}`, `[[[[[[[[[[]]]]]]]]]]`, strings.Repeat("[", 300) + strings.Repeat("]", 300),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001), `{"n":123456789012345678901234567890}`, `[1,"2",{"3":[4]}]`,
}

// TestDecodeJSONMatchesLibrary checks decodeJSON against
// jsonschema.UnmarshalJSON on edge cases and every recording's body.
func TestDecodeJSONMatchesLibrary(t *testing.T) {
	t.Parallel()
	inputs := append([]string(nil), decodeCases...)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "recordings", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
		if body := recordedBody(f); body != nil {
			inputs = append(inputs, string(body))
		}
	}
	for i, in := range inputs {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			compareDecode(t, i, []byte(in))
		})
	}
}

func compareDecode(t *testing.T, i int, in []byte) {
	t.Helper()
	want, wantErr := jsonschema.UnmarshalJSON(bytes.NewReader(in))
	got, gotErr := decodeJSON(in)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("input %d %.80q: error %v, want %v", i, in, gotErr, wantErr)
	}
	if !sameValue(want, got) {
		t.Errorf("input %d %.80q: value differs (-library +decodeJSON):\n%s", i, in, cmp.Diff(want, got))
	}
}

// sameValue reports whether two decoded documents are equal, types included
// (an empty array is not null). It is linear in the document's size, where
// cmp.Diff is not for deeply nested arrays.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || a == nil != (b == nil) || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || a == nil != (b == nil) || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func FuzzDecodeJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		compareDecode(t, 0, in)
	})
}

// BenchmarkDecodeJSON compares decodeJSON with jsonschema.UnmarshalJSON on a
// conformant body.
func BenchmarkDecodeJSON(b *testing.B) {
	body := recordedBody(filepath.Join("..", "testdata", "recordings", "conformant", "200-completed-inbound-human.json"))
	if body == nil {
		b.Fatal("no recorded body")
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeJSON(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonschema.UnmarshalJSON(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSkipMatchesValue checks that skip accepts exactly what value accepts
// and ends at the same offset.
func TestSkipMatchesValue(t *testing.T) {
	t.Parallel()
	extra := []string{`"\u12"`, `"\u12G4"`, `"\x"`, `"\u00e9\n"`, `["a",{"b":"\ud800"}]`, `{"a" 1}`, `{"a":1 "b":2}`, `[1}`, `{1:2}`}
	for i, in := range append(append([]string(nil), decodeCases...), extra...) {
		v := fastDecoder{b: []byte(in)}
		_, vok := v.value(0)
		s := fastDecoder{b: []byte(in)}
		sok := s.skip(0)
		if vok != sok || vok && v.i != s.i {
			t.Errorf("input %d %.80q: skip = %t at %d, value = %t at %d", i, in, sok, s.i, vok, v.i)
		}
	}
}

// recordedBody returns the response body of the recording at path, or nil.
// Package contract cannot import its recording reader (that imports contract),
// so this reads the one field it needs.
func recordedBody(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rec struct {
		Response struct {
			Body     json.RawMessage `json:"body"`
			BodyText *string         `json:"body_text"`
		} `json:"response"`
	}
	if json.Unmarshal(b, &rec) != nil {
		return nil
	}
	if rec.Response.BodyText != nil {
		return []byte(*rec.Response.BodyText)
	}
	return rec.Response.Body
}
