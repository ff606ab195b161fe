package redact_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/redact"
)

var redactKey = []byte("callwire redaction test key, 32+ bytes")

const (
	testAccount     = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	testCallSID     = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	testParentSID   = "c0c0ca11-0002-4a1e-8b0b-1ba0c0111ed2"
	testPhoneNumber = "5f0a1b2c-3d4e-4f50-9a61-b7c8d9e0f123"
)

var (
	e164Pattern = regexp.MustCompile(`\+[0-9]{8,15}`)
	nanpPattern = regexp.MustCompile(`\([0-9]{3}\) ?[0-9]{3}-[0-9]{4}|[0-9]{3}-[0-9]{3}-[0-9]{4}`)
	uuidV4      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// callBody is a hand-written "Retrieve a Call" body; the fields passed in
// replace the defaults. Values are raw JSON.
func callBody(t *testing.T, fields map[string]string, drop ...string) string {
	t.Helper()
	base := [][2]string{
		{"sid", `"` + testCallSID + `"`},
		{"date_created", `"Mon, 02 Mar 2026 14:05:07 +0000"`},
		{"date_updated", `"Mon, 02 Mar 2026 14:09:52 +0000"`},
		{"parent_call_sid", `"` + testParentSID + `"`},
		{"account_sid", `"` + testAccount + `"`},
		{"to", `"+13125550182"`},
		{"formatted_to", `"(312) 555-0182"`},
		{"to_formatted", `"(312) 555-0182"`},
		{"from", `"+12065550147"`},
		{"formatted_from", `"(206) 555-0147"`},
		{"from_formatted", `"(206) 555-0147"`},
		{"phone_number_sid", `"` + testPhoneNumber + `"`},
		{"status", `"completed"`},
		{"start_time", `"Mon, 02 Mar 2026 14:05:09 +0000"`},
		{"end_time", `"Mon, 02 Mar 2026 14:09:51 +0000"`},
		{"duration", `282`},
		{"price", `-0.00850`},
		{"price_unit", `"USD"`},
		{"direction", `"inbound"`},
		{"answered_by", `"human"`},
		{"api_version", `"2010-04-01"`},
		{"forwarded_from", `null`},
		{"caller_name", `null`},
		{"uri", `"/api/laml/2010-04-01/Accounts/` + testAccount + `/Calls/` + testCallSID + `"`},
		{"subresource_uris", `{"notifications": null, "recordings": "/api/laml/2010-04-01/Accounts/` + testAccount + `/Calls/` + testCallSID + `/Recordings"}`},
		{"annotation", `null`},
		{"group_sid", `null`},
		{"audio_in_mos", `4.310`},
		{"sip_result_code", `"200"`},
		{"audio_rtt_avg", `48`},
		{"audio_rtt_min", `31`},
		{"audio_rtt_max", `97`},
		{"audio_out_jitter_min", `0`},
		{"audio_out_jitter_max", `12`},
		{"audio_out_jitter_avg", `3`},
		{"audio_out_lost", `2`},
	}
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString("{\n")
	write := func(k, v string) {
		if b.Len() > 2 {
			b.WriteString(",\n")
		}
		b.WriteString("  " + `"` + k + `": ` + v)
	}
	for _, kv := range base {
		if skip[kv[0]] {
			continue
		}
		v := kv[1]
		if nv, ok := fields[kv[0]]; ok {
			v = nv
		}
		seen[kv[0]] = true
		write(kv[0], v)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !seen[k] {
			write(k, fields[k])
		}
	}
	b.WriteString("\n}")
	if !json.Valid([]byte(b.String())) {
		t.Fatalf("invalid test body:\n%s", b.String())
	}
	return b.String()
}

func callRecording(body string) *recording.Recording {
	return &recording.Recording{
		Request: recording.RecordedRequest{
			Method:  http.MethodGet,
			URL:     "https://example.signalwire.com/api/laml/2010-04-01/Accounts/" + testAccount + "/Calls/" + testCallSID,
			Headers: http.Header{"Accept": {"application/json"}},
		},
		Response: recording.RecordedResponse{
			Status:  http.StatusOK,
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body:    json.RawMessage(body),
		},
		RecordedAt: "2026-03-02T14:10:03Z",
		Source:     "synthetic",
	}
}

func redacted(t *testing.T, rec *recording.Recording) *recording.Recording {
	t.Helper()
	out, err := redact.Redact(rec, redactKey)
	if err != nil {
		t.Fatalf("Redact: %v", err)
	}
	return out
}

func bodyMap(t *testing.T, rec *recording.Recording) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(rec.Response.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return m
}

// valuePairs pairs each string of the original with the string at the same
// place in the redacted copy, where they differ: body values and the
// segments of the request URL.
func valuePairs(t *testing.T, orig, red *recording.Recording) []string {
	t.Helper()
	var pairs []string
	var walk func(a, b any)
	walk = func(a, b any) {
		switch x := a.(type) {
		case string:
			if y, ok := b.(string); ok && x != y {
				pairs = append(pairs, x, y)
			}
		case map[string]any:
			if y, ok := b.(map[string]any); ok {
				for k, v := range x {
					walk(v, y[k])
				}
			}
		case []any:
			if y, ok := b.([]any); ok && len(x) == len(y) {
				for i := range x {
					walk(x[i], y[i])
				}
			}
		}
	}
	if orig.Response.Body != nil {
		var a, b any
		if json.Unmarshal(orig.Response.Body, &a) == nil && json.Unmarshal(red.Response.Body, &b) == nil {
			walk(a, b)
		}
	}
	as, bs := strings.Split(orig.Request.URL, "/"), strings.Split(red.Request.URL, "/")
	if len(as) == len(bs) {
		for i := range as {
			if as[i] != bs[i] {
				pairs = append(pairs, as[i], bs[i])
			}
		}
	}
	return pairs
}

// secrets lists what must not survive redaction: account and phone-number
// SIDs, phone field values, and every E.164 or formatted North American
// number anywhere in the recording, with the national digits of the latter.
func secrets(t *testing.T, rec *recording.Recording) []string {
	t.Helper()
	var out []string
	u, err := url.Parse(rec.Request.URL)
	if err != nil {
		t.Fatal(err)
	}
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if s == "Accounts" && i+1 < len(segs) {
			out = append(out, segs[i+1])
		}
	}
	if rec.Response.Body != nil {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(rec.Response.Body))
		dec.UseNumber()
		if dec.Decode(&m) == nil {
			for _, f := range []string{"account_sid", "phone_number_sid", "to", "from", "formatted_to", "to_formatted",
				"formatted_from", "from_formatted", "forwarded_from"} {
				switch v := m[f].(type) {
				case string:
					if len(v) >= 8 {
						out = append(out, v)
					}
				case json.Number:
					out = append(out, v.String())
				}
			}
		}
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range e164Pattern.FindAllString(string(raw), -1) {
		out = append(out, n)
		if len(n) == 12 && n[1] == '1' {
			out = append(out, n[2:])
		}
	}
	out = append(out, nanpPattern.FindAllString(string(raw), -1)...)
	return out
}

func assertNoSecrets(t *testing.T, orig, red *recording.Recording) {
	t.Helper()
	raw, err := json.Marshal(red)
	if err != nil {
		t.Fatalf("marshal redacted: %v", err)
	}
	lower := strings.ToLower(string(raw))
	for _, s := range secrets(t, orig) {
		if strings.Contains(lower, strings.ToLower(s)) {
			t.Errorf("redacted recording still holds %q", s)
		}
	}
}

// assertSameCheck checks orig and red with the validator and wants the same
// result; a finding's actual value and message may differ only by the
// replaced values.
func assertSameCheck(t *testing.T, orig, red *recording.Recording) {
	t.Helper()
	v := newValidator(t)
	want := v.Check(orig.Exchange())
	got := v.Check(red.Exchange())
	repl := strings.NewReplacer(valuePairs(t, orig, red)...)
	for i := range want.Findings {
		want.Findings[i].Actual = repl.Replace(want.Findings[i].Actual)
		want.Findings[i].Message = repl.Replace(want.Findings[i].Message)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redacted recording checks differently (-original +redacted):\n%s", diff)
	}
}

func TestRedactCorpus(t *testing.T) {
	t.Parallel()
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recordings")
	}
	for _, path := range files {
		rel, _ := filepath.Rel(testdataDir, path)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			t.Parallel()
			rec, err := recording.ReadRecording(path)
			if err != nil {
				t.Fatal(err)
			}
			red := redacted(t, rec)
			assertSameCheck(t, rec, red)
			assertNoSecrets(t, rec, red)
			if diff := cmp.Diff(rec.Expect, red.Expect); diff != "" {
				t.Errorf("expect changed (-original +redacted):\n%s", diff)
			}
			if red.Response.Body != nil && len(red.Response.Body) != len(rec.Response.Body) {
				t.Errorf("body length %d, want %d", len(red.Response.Body), len(rec.Response.Body))
			}
			// The redacted recording reads back as a recording.
			raw, err := json.Marshal(red)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := recording.ParseRecording("redacted", raw); err != nil {
				t.Errorf("redacted recording does not parse: %v", err)
			}
		})
	}
}

func TestRedactNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields map[string]string
		// want maps a field to the pattern its fake must match.
		want map[string]string
		// same lists groups of fields whose digits must stay equal.
		same [][]string
	}{
		{
			name: "e164 and formatted",
			want: map[string]string{
				"to": `^\+131255501\d\d$`, "formatted_to": `^\(312\) 555-01\d\d$`, "to_formatted": `^\(312\) 555-01\d\d$`,
				"from": `^\+120655501\d\d$`, "formatted_from": `^\(206\) 555-01\d\d$`,
			},
			same: [][]string{{"to", "formatted_to", "to_formatted"}, {"from", "formatted_from", "from_formatted"}},
		},
		{
			name: "dashed, bare national and forwarded_from",
			fields: map[string]string{
				"formatted_to": `"312-555-0182"`, "to_formatted": `"3125550182"`,
				"forwarded_from": `"+13125550182"`, "formatted_from": `"206.555.0147"`,
			},
			want: map[string]string{
				"formatted_to": `^312-555-01\d\d$`, "to_formatted": `^31255501\d\d$`,
				"forwarded_from": `^\+131255501\d\d$`, "formatted_from": `^206\.555\.01\d\d$`,
			},
			same: [][]string{{"to", "formatted_to", "to_formatted", "forwarded_from"}, {"from", "formatted_from"}},
		},
		{
			name: "outside North America",
			fields: map[string]string{
				"to": `"+447700900123"`, "formatted_to": `"+44 7700 900123"`, "to_formatted": `"07700 900123"`,
				"from": `"+61491570156"`, "formatted_from": `"+61 491 570 156"`, "from_formatted": `"+61491570156"`,
			},
			want: map[string]string{
				"to": `^\+44\d{10}$`, "formatted_to": `^\+44 \d{4} \d{6}$`, "to_formatted": `^0\d{4} \d{6}$`,
				"from": `^\+61\d{9}$`, "formatted_from": `^\+61 \d{3} \d{3} \d{3}$`,
			},
			same: [][]string{{"to", "formatted_to", "to_formatted"}, {"from", "formatted_from", "from_formatted"}},
		},
		{
			name: "numbers inside other strings",
			fields: map[string]string{
				"annotation":  `"forwarded by +13125550182 to sip:+447700900456@example.com, call (312) 555-0182"`,
				"caller_name": `"+13125550182"`,
			},
			want: map[string]string{
				"annotation":  `^forwarded by \+131255501\d\d to sip:\+44\d{10}@example\.com, call \(312\) 555-01\d\d$`,
				"caller_name": `^\+131255501\d\d$`,
			},
			same: [][]string{{"to", "caller_name"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := callRecording(callBody(t, tt.fields))
			red := redacted(t, rec)
			m := bodyMap(t, red)
			for field, pattern := range tt.want {
				got, _ := m[field].(string)
				if !regexp.MustCompile(pattern).MatchString(got) {
					t.Errorf("%s = %q, want match for %s", field, got, pattern)
				}
			}
			orig := bodyMap(t, rec)
			for _, group := range tt.same {
				// Every form of a number writes at least its last nine
				// digits; they are the same fake digits in every field.
				const n = 9
				first := lastDigits(m[group[0]].(string), n)
				for _, f := range group[1:] {
					if got := lastDigits(m[f].(string), n); got != first {
						t.Errorf("%s ends in %s, %s in %s; want the same fake", f, got, group[0], first)
					}
				}
				if first == lastDigits(orig[group[0]].(string), n) {
					t.Errorf("%s kept its digits %s", group[0], first)
				}
			}
			assertNoSecrets(t, rec, red)
			assertSameCheck(t, rec, red)
		})
	}
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lastDigits(s string, n int) string {
	d := digits(s)
	return d[len(d)-min(n, len(d)):]
}

// TestRedactKeepsBytes checks that only the characters of replaced values
// change: key order, number literals, nulls and layout stay byte for byte.
func TestRedactKeepsBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"call", callBody(t, nil)},
		{"numbers and nesting", `{"z": 1e3, "a": -0.00850, "big": 123456789012345678901234567890, "to": "+13125550182",` +
			` "nested": {"list": ["+12065550147", null, true, 4.310], "account_sid": "` + testAccount + `"}, "n": null}`},
		{"compact", `{"to":"+13125550182","price":-0.0085,"x":[1,2.50,{"from":"(206) 555-0147"}]}`},
		{"escaped unchanged strings", `{"note": "a \"quoted\" <tag> \u00e9", "to": "+13125550182"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := callRecording(tt.body)
			red := redacted(t, rec)
			a, b := rec.Response.Body, red.Response.Body
			if len(a) != len(b) {
				t.Fatalf("length %d, want %d:\n%s", len(b), len(a), b)
			}
			changed := 0
			for i := range a {
				if a[i] == b[i] {
					continue
				}
				changed++
				if !isAlnum(a[i]) || !isAlnum(b[i]) {
					t.Fatalf("byte %d changed from %q to %q; only digits and letters of values may change", i, a[i], b[i])
				}
			}
			if changed == 0 {
				t.Errorf("nothing changed")
			}
			if diff := cmp.Diff(tokens(t, a, false), tokens(t, b, false)); diff != "" {
				t.Errorf("keys, numbers or structure changed (-original +redacted):\n%s", diff)
			}
		})
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// tokens lists a document's JSON tokens, with string values masked unless
// withValues; keys are kept.
func tokens(t *testing.T, data []byte, withValues bool) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []string
	var stack []bool // true while in an object
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case json.Delim:
			out = append(out, x.String())
			switch x {
			case '{':
				stack = append(stack, true)
				expectKey = true
				continue
			case '[':
				stack = append(stack, false)
				expectKey = false
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			switch {
			case expectKey:
				out = append(out, "key:"+x)
				expectKey = false
				continue
			case withValues:
				out = append(out, "string:"+x)
			default:
				out = append(out, "string")
			}
		case json.Number:
			out = append(out, "number:"+x.String())
		default:
			out = append(out, "literal:"+jsonText(x))
		}
		expectKey = len(stack) > 0 && stack[len(stack)-1]
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRedactDrift checks that drift survives redaction: the redacted body
// fails the contract in exactly the same way.
func TestRedactDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields map[string]string
		drop   []string
		want   []string // pointers that must have an error finding
	}{
		{name: "audio_in_mos as string", fields: map[string]string{"audio_in_mos": `"4.31"`}, want: []string{"/audio_in_mos"}},
		{name: "missing keys", drop: []string{"duration", "to_formatted", "phone_number_sid"},
			want: []string{"/duration", "/to_formatted", "/phone_number_sid"}},
		{name: "extra keys", fields: map[string]string{"queue_time": `"0"`, "trunk_sid": `null`,
			"caller_id": `"+13125550182"`}},
		{name: "direction outbound-api", fields: map[string]string{"direction": `"outbound-api"`}, want: []string{"/direction"}},
		{name: "twilio-shaped SIDs", fields: map[string]string{
			"account_sid":      `"AC1f2e3d4c5b6a79880716253443526170"`,
			"phone_number_sid": `"PN0a9b8c7d6e5f40312a3b4c5d6e7f8091"`,
			"uri":              `"/2010-04-01/Accounts/AC1f2e3d4c5b6a79880716253443526170/Calls/` + testCallSID + `.json"`,
		}, want: []string{"/account_sid", "/phone_number_sid"}},
		{name: "phone number as number", fields: map[string]string{"to": `13125550182`}, want: []string{"/to"}},
		{name: "duration as string", fields: map[string]string{"duration": `"282"`}, want: []string{"/duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := callRecording(callBody(t, tt.fields, tt.drop...))
			red := redacted(t, rec)
			assertSameCheck(t, rec, red)
			assertNoSecrets(t, rec, red)
			res := newValidator(t).Check(red.Exchange())
			for _, p := range tt.want {
				found := false
				for _, f := range res.Findings {
					if f.Pointer == p && f.Severity == contract.SeverityError {
						found = true
					}
				}
				if !found {
					t.Errorf("no error finding at %s after redaction; got %v", p, summarize(res.Findings))
				}
			}
			if diff := cmp.Diff(keys(t, rec), keys(t, red)); diff != "" {
				t.Errorf("keys changed (-original +redacted):\n%s", diff)
			}
		})
	}
}

func keys(t *testing.T, rec *recording.Recording) []string {
	t.Helper()
	var out []string
	for _, tok := range tokens(t, rec.Response.Body, false) {
		if strings.HasPrefix(tok, "key:") {
			out = append(out, tok)
		}
	}
	return out
}

func TestRedactDeterministic(t *testing.T) {
	t.Parallel()
	rec := callRecording(callBody(t, nil))
	a, b := redacted(t, rec), redacted(t, rec)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}

	// The same number and account map to the same fakes in another recording.
	other := callRecording(callBody(t, map[string]string{
		"to": `"+12065550147"`, "formatted_to": `"(206) 555-0147"`, "to_formatted": `"(206) 555-0147"`,
		"from": `"+14155550168"`, "formatted_from": `"(415) 555-0168"`, "from_formatted": `"(415) 555-0168"`,
	}))
	c := redacted(t, other)
	if got, want := bodyMap(t, c)["to"], bodyMap(t, a)["from"]; got != want {
		t.Errorf("+12065550147 became %v in one recording and %v in another", got, want)
	}
	if got, want := bodyMap(t, c)["account_sid"], bodyMap(t, a)["account_sid"]; got != want {
		t.Errorf("account became %v in one recording and %v in another", got, want)
	}

	// Another key gives other fakes.
	d, err := redact.Redact(rec, []byte("another key, also long enough......"))
	if err != nil {
		t.Fatal(err)
	}
	if bodyMap(t, d)["account_sid"] == bodyMap(t, a)["account_sid"] {
		t.Errorf("two keys gave the same fake account")
	}
	same := 0
	for _, f := range []string{"to", "from"} {
		if bodyMap(t, d)[f] == bodyMap(t, a)[f] {
			same++
		}
	}
	if same == 2 {
		t.Errorf("two keys gave the same fake numbers")
	}
}

// TestRedactDistinct checks that distinct numbers get distinct fakes, and
// that no fake equals another number of the recording, even among many
// numbers of one area code.
func TestRedactDistinct(t *testing.T) {
	t.Parallel()
	var list []string
	for i := 100; i < 130; i++ {
		list = append(list, `"+1312555`+strings.Repeat("0", 4-len(itoa(i)))+itoa(i)+`"`)
	}
	rec := callRecording(`{"numbers": [` + strings.Join(list, ", ") + `]}`)
	red := redacted(t, rec)
	var got struct{ Numbers []string }
	if err := json.Unmarshal(red.Response.Body, &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range list {
		seen[strings.Trim(n, `"`)] = true
	}
	fakes := map[string]bool{}
	for _, n := range got.Numbers {
		if seen[n] {
			t.Errorf("fake %s is an original number", n)
		}
		if fakes[n] {
			t.Errorf("fake %s given twice", n)
		}
		fakes[n] = true
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestRedactSIDs(t *testing.T) {
	t.Parallel()
	rec := callRecording(callBody(t, nil))
	rec.Response.Headers.Set("Location", "/api/laml/2010-04-01/Accounts/"+strings.ToUpper(testAccount)+"/Calls/"+testCallSID)
	red := redacted(t, rec)
	m := bodyMap(t, red)
	account, _ := m["account_sid"].(string)
	pn, _ := m["phone_number_sid"].(string)
	for name, got := range map[string]string{"account_sid": account, "phone_number_sid": pn} {
		if !uuidV4.MatchString(got) {
			t.Errorf("%s = %q, want a version 4 UUID", name, got)
		}
	}
	if account == testAccount || pn == testPhoneNumber {
		t.Fatalf("SIDs not replaced: %s %s", account, pn)
	}
	wantURI := "/api/laml/2010-04-01/Accounts/" + account + "/Calls/" + testCallSID
	checks := []struct{ name, got, want string }{
		{"sid", m["sid"].(string), testCallSID},
		{"parent_call_sid", m["parent_call_sid"].(string), testParentSID},
		{"uri", m["uri"].(string), wantURI},
		{"subresource_uris.recordings", m["subresource_uris"].(map[string]any)["recordings"].(string), wantURI + "/Recordings"},
		{"request URL", red.Request.URL, "https://example.signalwire.com" + wantURI},
		{"Location header", red.Response.Headers.Get("Location"), strings.Replace(wantURI, account, strings.ToUpper(account), 1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}

	// A SID that is not a UUID keeps its shape: prefix, length, hex.
	tw := callRecording(callBody(t, map[string]string{"account_sid": `"AC1f2e3d4c5b6a79880716253443526170"`}))
	got := bodyMap(t, redacted(t, tw))["account_sid"].(string)
	if !regexp.MustCompile(`^AC[0-9a-f]{32}$`).MatchString(got) || got == "AC1f2e3d4c5b6a79880716253443526170" {
		t.Errorf("Twilio-shaped account_sid became %q", got)
	}
}

func TestRedactHeaders(t *testing.T) {
	t.Parallel()
	rec := callRecording(callBody(t, nil))
	rec.Request.Headers = http.Header{
		"Accept":              {"application/json"},
		"Authorization":       {"Basic cHJvamVjdDp0b2tlbg=="},
		"Cookie":              {"session=abc"},
		"X-Api-Token":         {"PTabc"},
		"X-Client-Secret":     {"s3cr3t"},
		"Proxy-Authorization": {"Basic eA=="},
		"X-Caller":            {"+13125550182"},
	}
	rec.Response.Headers = http.Header{
		"Content-Type":     {"application/json; charset=utf-8"},
		"Set-Cookie":       {"session=abc; HttpOnly"},
		"Www-Authenticate": {`Basic realm="SignalWire"`},
		"X-Request-Id":     {"2f6c0d4e"},
	}
	red := redacted(t, rec)
	req := slices.Sorted(maps.Keys(red.Request.Headers))
	resp := slices.Sorted(maps.Keys(red.Response.Headers))
	if diff := cmp.Diff([]string{"Accept", "X-Caller"}, req); diff != "" {
		t.Errorf("request headers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Content-Type", "X-Request-Id"}, resp); diff != "" {
		t.Errorf("response headers (-want +got):\n%s", diff)
	}
	if got := red.Request.Headers.Get("X-Caller"); !regexp.MustCompile(`^\+131255501\d\d$`).MatchString(got) || got == "+13125550182" {
		t.Errorf("X-Caller = %q, want a fake number", got)
	}
	if _, ok := rec.Request.Headers["Authorization"]; !ok {
		t.Errorf("Redact modified its input")
	}
}

func TestRedactBodyText(t *testing.T) {
	t.Parallel()
	text := `{"sid":"` + testCallSID + `","account_sid":"` + testAccount + `","to":"+13125550182","formatted_to":"(312) 555-01`
	rec := callRecording("")
	rec.Response.Body = nil
	rec.Response.BodyText = &text
	red := redacted(t, rec)
	got := *red.Response.BodyText
	if len(got) != len(text) {
		t.Errorf("length %d, want %d", len(got), len(text))
	}
	if !strings.Contains(got, testCallSID) {
		t.Errorf("call SID replaced in %s", got)
	}
	for _, s := range []string{testAccount, "+13125550182"} {
		if strings.Contains(got, s) {
			t.Errorf("body_text still holds %s: %s", s, got)
		}
	}
	fakeAccount := strings.Split(strings.Split(red.Request.URL, "/Accounts/")[1], "/")[0]
	if !strings.Contains(got, `"account_sid":"`+fakeAccount+`"`) {
		t.Errorf("body_text account differs from the URL's fake %s: %s", fakeAccount, got)
	}
	assertSameCheck(t, rec, red)
}

func TestRedactErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rec  *recording.Recording
		key  []byte
	}{
		{"nil recording", nil, redactKey},
		{"empty key", callRecording(`{}`), nil},
		{"invalid body", callRecording(`{"to": `), redactKey},
		// What the contract check refuses as JSON, redaction refuses too.
		{"invalid UTF-8", callRecording(`{"to": "+1415555` + "\xff" + `0123"}`), redactKey},
		{"overlong form", callRecording(`{"to": "` + "\xc0\xaf" + `"}`), redactKey},
		{"too deep", callRecording(`{"to": ` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`), redactKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := redact.Redact(tt.rec, tt.key)
			if err == nil || got != nil {
				t.Errorf("Redact = %v, %v; want an error", got, err)
			}
		})
	}
}

func TestRedactDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	rec := callRecording(callBody(t, nil))
	rec.Expect = &recording.Expectation{Conformant: true, Findings: []string{}}
	before, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	red := redacted(t, rec)
	red.Expect.Findings = append(red.Expect.Findings, "x")
	red.Response.Headers.Set("X", "y")
	after, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("input changed:\n%s\n%s", before, after)
	}
}

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

var sharedValidator = sync.OnceValues(contract.New)

func newValidator(t testing.TB) *contract.Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatalf("contract.New: %v", err)
	}
	return v
}
func summarize(fs []contract.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + string(f.Severity) + " " + f.Rule + " " + f.Pointer + " (" + f.Expected + " / " + f.Actual + ")")
	}
	return b.String()
}
