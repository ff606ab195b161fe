package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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
	`{"s":"` + "\xc0\xaf" + `"}`, `{"s":"` + "\xed\xa0\x80" + `"}`, `["` + "\xe2\x82" + `"]`, `{"` + "\xff" + `":1}`, "\f{}", "\u00a0{}", "{}\v",
	`[{"a":1,"a":2},{"b":{"c":1,"c":[],"d":0,"d":1}}]`, strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), `"\u00e9` + "\xff" + `"`, `"` + "\xff" + `\x"`,
}

// TestDecodeDuplicates: the decoder reports each object that repeats a
// member name, at its pointer, with the names sorted, and counts the
// objects beyond those it lists.
func TestDecodeDuplicates(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 1000)
	doc, err := decodeDocument([]byte(`{"a":1,"b":[{"x":1,"y":2,"x":3,"y":4,"x":5}],"a~/":{"z":1,"z":2},"a":2,"` + long + `":{"q":1,"q":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range doc.duplicates {
		got[d.pointer] = strings.Join(d.names, ",")
	}
	want := map[string]string{"": "a", "/b/0": "x,y", "/a~0~1": "z", "/" + strings.Repeat("k", maxPointerLen-1) + "…": "q"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	if v := doc.value.(map[string]any)["a"]; v != json.Number("2") {
		t.Errorf("a = %v, want the last value, 2", v)
	}
	many := "[" + strings.Repeat(`{"a":1,"a":2},`, maxDuplicates+5) + "{}]"
	doc, err = decodeDocument([]byte(many))
	if err != nil || len(doc.duplicates) != maxDuplicates || doc.moreDuplicates != 5 {
		t.Errorf("%d objects repeating a name: %d listed, %d more, %v", maxDuplicates+5, len(doc.duplicates), doc.moreDuplicates, err)
	}
}

// TestDecodeBigObject: an object past bigObject members goes straight into
// its map, with the same result and the same repeated names.
func TestDecodeBigObject(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"dup":0`)
	for i := range 3 * bigObject {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	b.WriteString(`,"dup":1,"k7":"last"}`)
	compareDecode(t, 0, []byte(b.String()))
	doc, err := decodeDocument([]byte(b.String()))
	if err != nil || len(doc.duplicates) != 1 || strings.Join(doc.duplicates[0].names, ",") != "dup,k7" {
		t.Errorf("duplicates %+v, %v; want dup and k7", doc.duplicates, err)
	}
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

// compareDecode requires decodeJSON to decode in as the library does, with
// the same error, except on exactly the inputs where RFC 8259 and the
// library part: a string that is not valid UTF-8 (the library replaces its
// bytes with U+FFFD, decodeJSON refuses it with a *UTF8Error) and nesting
// deeper than MaxDepth (both refuse it, decodeJSON with a *DepthError).
func compareDecode(t *testing.T, i int, in []byte) {
	t.Helper()
	want, wantErr := jsonschema.UnmarshalJSON(bytes.NewReader(in))
	got, gotErr := decodeJSON(in)
	if _, ok := errors.AsType[*UTF8Error](gotErr); ok {
		if utf8.Valid(in) {
			t.Fatalf("input %d %.80q: %v, but the input is valid UTF-8", i, in, gotErr)
		}
		return
	}
	if _, ok := errors.AsType[*DepthError](gotErr); ok {
		if wantErr == nil || !strings.Contains(wantErr.Error(), "exceeded max depth") {
			t.Fatalf("input %d %.80q: %v, library error %v", i, in, gotErr, wantErr)
		}
		return
	}
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

// TestScanMatchesDecode checks that ScanJSON accepts exactly what
// decodeJSON accepts, with the same error, and that each literal it reports
// is the bytes it spans.
func TestScanMatchesDecode(t *testing.T) {
	t.Parallel()
	extra := []string{`"\u12"`, `"\u12G4"`, `"\x"`, `"\u00e9\n"`, `["a",{"b":"\ud800"}]`, `{"a" 1}`, `{"a":1 "b":2}`, `[1}`, `{1:2}`}
	for i, in := range append(append([]string(nil), decodeCases...), extra...) {
		compareScan(t, i, []byte(in))
	}
}

func compareScan(t *testing.T, i int, in []byte) {
	t.Helper()
	var lits []Literal
	scanErr := ScanJSON(in, func(l Literal) { lits = append(lits, l) })
	doc, err := decodeDocument(in)
	if (err == nil) != (scanErr == nil) || err != nil && err.Error() != scanErr.Error() {
		t.Fatalf("input %d %.80q: ScanJSON error %v, decodeJSON error %v", i, in, scanErr, err)
	}
	if err != nil {
		return
	}
	for _, l := range lits {
		text := in[l.Start:l.End]
		if l.Number {
			if string(text) != l.Value {
				t.Errorf("input %d: number %q spans %q", i, l.Value, text)
			}
			continue
		}
		var s string
		if err := json.Unmarshal(text, &s); err != nil || s != l.Value {
			t.Errorf("input %d: string %q spans %q", i, l.Value, text)
		}
	}
	if len(doc.duplicates) > 0 {
		return // the document keeps one of each repeated name: the count below would differ
	}
	if got, want := len(lits), countLiterals(doc.value); got != want {
		t.Errorf("input %d %.80q: %d literals, the document has %d", i, in, got, want)
	}
}

// countLiterals counts the member names, strings and numbers of a decoded
// document (a repeated member name counts once, as the document keeps it once).
func countLiterals(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 0
		for _, x := range v {
			n += 1 + countLiterals(x)
		}
		return n
	case []any:
		n := 0
		for _, x := range v {
			n += countLiterals(x)
		}
		return n
	case string, json.Number:
		return 1
	}
	return 0
}

func FuzzScanJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		compareScan(t, 0, in)
	})
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
