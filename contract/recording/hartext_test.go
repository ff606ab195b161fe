package recording

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

var unquoteSeeds = []string{
	``, `plain`, `caf\u00e9`, `\"\\\/\b\f\n\r\t`, `\ud83d\ude00`, `\ud800`, `\ud800\u0041`, `\udc00\ud800`,
	`\ud800\ud800\udc00`, `a\u0000b`, "caf\xc3\xa9", "bad \xff\xfe", "\xc0\xaf", "\xed\xa0\x80", `{\"sid\":\"x\"}`,
}

// FuzzUnquote compares unquote with encoding/json on every JSON string
// whose bytes are UTF-8, and checks that it keeps the bytes that are not.
func FuzzUnquote(f *testing.F) {
	for _, s := range unquoteSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		lit := []byte(`"` + content + `"`)
		var want string
		if err := json.Unmarshal(lit, &want); err != nil {
			return // not a JSON string: encoding/json never hands unquote one
		}
		var got harText
		if err := json.Unmarshal(lit, &got); err != nil {
			t.Fatalf("harText refused %q: %v", lit, err)
		}
		if utf8.ValidString(content) {
			if string(got) != want {
				t.Fatalf("unquote(%q) = %q, encoding/json says %q", content, got, want)
			}
			return
		}
		// encoding/json replaced what is not UTF-8; unquote keeps it.
		if utf8.Valid(got) {
			t.Fatalf("unquote(%q) = %q: the bytes that are not UTF-8 were not kept", content, got)
		}
	})
}

func TestHARTextKinds(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`{"text":1}`, `{"text":{}}`, `{"text":[]}`, `{"text":true}`} {
		var v struct {
			Text harText `json:"text"`
		}
		err := json.Unmarshal([]byte(doc), &v)
		if _, ok := errors.AsType[*json.UnmarshalTypeError](err); !ok {
			t.Errorf("%s: error %v, want an UnmarshalTypeError", doc, err)
		}
	}
	var v struct {
		Text harText `json:"text"`
	}
	if err := json.Unmarshal([]byte(`{"text":null}`), &v); err != nil || v.Text != nil {
		t.Errorf("null: %q, %v", v.Text, err)
	}
}
