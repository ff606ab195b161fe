package webhook

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseCase is a body and the fields it parses to, or the ErrBody it is.
type parseCase struct {
	name    string
	body    string
	want    []Field
	wantErr bool
}

// runParseCases runs each case through parse, named name in failures.
func runParseCases(t *testing.T, name string, parse func([]byte) ([]Field, error), tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parse([]byte(tt.body))
			if tt.wantErr {
				if !errors.Is(err, ErrBody) {
					t.Fatalf("%s error = %v, want ErrBody", name, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		})
	}
}

func TestParseForm(t *testing.T) {
	t.Parallel()
	runParseCases(t, "ParseForm", ParseForm, []parseCase{
		{name: "empty", body: "", want: nil},
		{name: "order of arrival kept", body: "b=2&a=1", want: []Field{{"b", "2"}, {"a", "1"}}},
		{name: "repeated names kept", body: "a=1&b=x&a=2", want: []Field{{"a", "1"}, {"b", "x"}, {"a", "2"}}},
		{name: "plus and escapes", body: "From=%2B15551234567&Name=Jane+Smith&T=Thu%2C+04+Apr", want: []Field{{"From", "+15551234567"}, {"Name", "Jane Smith"}, {"T", "Thu, 04 Apr"}}},
		{name: "empty pairs skipped", body: "&a=1&&b=2&", want: []Field{{"a", "1"}, {"b", "2"}}},
		{name: "no equals sign", body: "flag&a=", want: []Field{{"flag", ""}, {"a", ""}}},
		{name: "equals in value", body: "a=b=c", want: []Field{{"a", "b=c"}}},
		{name: "semicolon is data", body: "a=1;b=2", want: []Field{{"a", "1;b=2"}}},
		{name: "bad escape in value", body: "a=1&b=%zz", wantErr: true},
		{name: "truncated escape in name", body: "a%2=1", wantErr: true},
	})
}

func TestParseFormErrorQuotesNothing(t *testing.T) {
	t.Parallel()
	_, err := ParseForm([]byte("From=%2B1555secretvalue&To=%ZZsecretvalue"))
	if err == nil || strings.Contains(err.Error(), "secretvalue") || !strings.Contains(err.Error(), "pair 2") {
		t.Errorf("error = %v, want one naming pair 2 and quoting nothing", err)
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	runParseCases(t, "ParseJSON", ParseJSON, []parseCase{
		{name: "scalars in order of arrival", body: `{"b":"x","a":4,"c":true}`, want: []Field{{"b", "x"}, {"a", "4"}, {"c", "true"}}},
		{name: "repeated member kept twice", body: `{"a":"1","b":false,"a":"2"}`, want: []Field{{"a", "1"}, {"b", "false"}, {"a", "2"}}},
		{name: "escapes decoded", body: `{"a\u0026b":"x\"y"}`, want: []Field{{"a&b", `x"y`}}},
		{name: "number kept as written", body: `{"AudioInMos":4.30}`, want: []Field{{"AudioInMos", "4.30"}}},
		{name: "empty object", body: `{}`, want: nil},
		{name: "not UTF-8", body: "{\"a\":\"\xff\"}", wantErr: true},
		{name: "member without value", body: `{"a"}`, wantErr: true},
		{name: "unclosed", body: `{"a":1`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "null member", body: `{"a":null}`, wantErr: true},
		{name: "nested member", body: `{"a":{"b":1}}`, wantErr: true},
		{name: "array", body: `[1]`, wantErr: true},
		{name: "null", body: `null`, wantErr: true},
		{name: "trailing data", body: `{"a":1} {}`, wantErr: true},
		{name: "form", body: `a=1`, wantErr: true},
	})
}

// FuzzParseForm: no panic; a parsed form re-encodes to a body that parses to
// the same fields; an error is ErrBody and quotes none of the body.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"", "a=1", "a=1&a=2", "CallSid=c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1&CallStatus=completed&From=%2B15551234567",
		"%", "%2", "%zz=1", "a=%FF%FE", "a+b=c+d", "&&&", "=", "a==", ";", "a=1;b=2", "\x00=\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fields, err := ParseForm(body)
		if err != nil {
			if !errors.Is(err, ErrBody) {
				t.Fatalf("error %v is not ErrBody", err)
			}
			if len(body) >= 8 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("error %q quotes the body", err)
			}
			return
		}
		again, err := ParseForm([]byte(EncodeForm(fields)))
		if err != nil {
			t.Fatalf("re-encoded form does not parse: %v", err)
		}
		if len(fields) == 0 {
			fields = nil
		}
		if diff := cmp.Diff(fields, again); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

func TestCheckLimits(t *testing.T) {
	t.Parallel()
	pairs := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = "F" + strconv.Itoa(i) + "=1"
		}
		return strings.Join(s, "&")
	}
	members := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = `"F` + strconv.Itoa(i) + `":"a:b"`
		}
		return "{" + strings.Join(s, ",") + "}"
	}
	long := "https://h.example/cb?" + strings.Repeat("a", MaxURL)
	tests := []struct {
		name string
		req  Request
		want error
	}{
		{"small", Request{URLs: []string{"https://h.example/cb"}, Body: []byte("a=1")}, nil},
		{"URL at the bound", Request{URLs: []string{long[:MaxURL]}}, nil},
		{"URL over the bound", Request{URLs: []string{"https://h.example/", long}}, ErrURLTooLong},
		{"body at the bound", Request{Body: make([]byte, MaxBody)}, nil},
		{"body over the bound", Request{Body: make([]byte, MaxBody+1)}, ErrTooLarge},
		{"200 form fields", Request{Body: []byte(pairs(MaxFields) + "&&")}, nil},
		{"201 form fields", Request{Body: []byte(pairs(MaxFields + 1))}, ErrTooLarge},
		{"201 query fields", Request{RawQuery: pairs(MaxFields + 1)}, ErrTooLarge},
		{"200 JSON members, colons in strings", Request{ContentType: "application/json", Body: []byte(members(MaxFields))}, nil},
		{"201 JSON members", Request{ContentType: "application/json", Body: []byte(members(MaxFields + 1))}, ErrTooLarge},
		{"201 JSON members, sent as a form", Request{ContentType: "text/plain", Body: []byte(members(MaxFields + 1))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckLimits(tt.req)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("CheckLimits = %v, want %v", err, tt.want)
			}
			var le *LimitError
			if err != nil && (!errors.As(err, &le) || strings.Contains(err.Error(), "F1")) {
				t.Errorf("error %v is not a *LimitError naming only the bound", err)
			}
		})
	}
}

func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	fields := []Field{{Name: "To", Value: "+1 <x>"}, {Name: "CallSid", Value: "a\"b"}, {Name: "To", Value: ""}}
	want := `{"To":"+1 \u003cx\u003e","CallSid":"a\"b","To":""}`
	if diff := cmp.Diff(want, EncodeJSON(fields)); diff != "" {
		t.Errorf("EncodeJSON mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("{}", EncodeJSON(nil)); diff != "" {
		t.Errorf("EncodeJSON(nil) mismatch (-want +got):\n%s", diff)
	}
}
