package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // the scheme under test
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testKey     = "PSKtest-signing-key-3f9a"
	testPrevKey = "PSKprevious-signing-key-81c2"
	testURL     = "https://abc123.lambda-url.us-east-1.on.aws/callbacks/voice?tenant=a%20b"
)

var testForm = []Field{
	{"CallSid", "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"},
	{"CallStatus", "completed"},
	{"From", "+15551234567"},
	{"To", "+15559876543"},
	{"SequenceNumber", "4"},
}

// TestSignFormPublishedVector checks the form scheme against the worked
// example that Twilio publishes for the same algorithm.
func TestSignFormPublishedVector(t *testing.T) {
	t.Parallel()
	form := []Field{ // out of order on purpose: the scheme sorts them
		{"To", "+18005551212"}, {"CallSid", "CA1234567890ABCDE"}, {"Digits", "1234"},
		{"From", "+12349013030"}, {"Caller", "+12349013030"},
	}
	const u, want = "https://mycompany.com/myapp.php?foo=1&bar=2", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
	if got := SignForm("12345", u, form); got != want {
		t.Errorf("SignForm = %s, want %s", got, want)
	}
	if p, err := Verify(formPost(u, []byte(EncodeForm(form))), want, []string{"12345"}); err != nil || p.Scheme != SchemeForm {
		t.Errorf("Verify = %+v, %v; want a form match", p, err)
	}
}

// independent computes a signature straight from the definition.
func independent(key, msg string, hexOut bool) string {
	h := hmac.New(sha1.New, []byte(key))
	h.Write([]byte(msg))
	if hexOut {
		return hex.EncodeToString(h.Sum(nil))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// The requests of the tests: a POST of a form or JSON body, a GET.
func formPost(u string, body []byte) Request {
	return Request{Method: "POST", URLs: []string{u}, RawQuery: query(u), ContentType: "application/x-www-form-urlencoded", Body: body}
}

func jsonPost(u string, body []byte) Request {
	return Request{Method: "POST", URLs: []string{u}, RawQuery: query(u), ContentType: "application/json; charset=utf-8", Body: body}
}

func get(u string) Request { return Request{Method: "GET", URLs: []string{u}, RawQuery: query(u)} }

func query(u string) string { _, q, _ := strings.Cut(u, "?"); return q }

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(EncodeForm(testForm))
	jsonBody := []byte(`{"call_id":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`)
	jsonFields := []Field{{"call_id", "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}}
	sum := sha256.Sum256(jsonBody)
	shaURL := "https://example.com/hook?bodySHA256=" + hex.EncodeToString(sum[:])
	sorted := "CallSidc0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1CallStatuscompletedFrom+15551234567SequenceNumber4To+15559876543"
	formSig := independent(testKey, testURL+sorted, false)
	keys := []string{testKey, testPrevKey}
	at443 := strings.Replace(testURL, ".aws/", ".aws:443/", 1)
	getURL := testURL + "&CallSid=x"
	tests := []struct {
		name    string
		req     Request
		sig     string
		keys    []string
		want    Payload
		wantErr error
	}{
		{"form scheme", formPost(testURL, body), formSig, keys, Payload{SchemeForm, 0, testURL, testForm, false}, nil},
		{"form scheme, previous key", formPost(testURL, body), independent(testPrevKey, testURL+sorted, false), keys, Payload{SchemeForm, 1, testURL, testForm, false}, nil},
		{"form scheme, only the previous key held", formPost(testURL, body), independent(testPrevKey, testURL+sorted, false), []string{"", testPrevKey}, Payload{SchemeForm, 1, testURL, testForm, false}, nil},
		{"signed with :443, received without", formPost(testURL, body), independent(testKey, at443+sorted, false), keys, Payload{SchemeForm, 0, at443, testForm, false}, nil},
		{"signed without :443, received with", formPost("https://h.example:443/cb", body),
			independent(testKey, "https://h.example/cb"+sorted, false), keys, Payload{SchemeForm, 0, "https://h.example/cb", testForm, false}, nil},
		{"http and :80", formPost("http://h.example/cb", body),
			independent(testKey, "http://h.example:80/cb"+sorted, false), keys, Payload{SchemeForm, 0, "http://h.example:80/cb", testForm, false}, nil},
		{"other port is not dropped", formPost("https://h.example:8443/cb", body),
			independent(testKey, "https://h.example/cb"+sorted, false), keys, Payload{}, ErrSignature},
		{"GET: URL alone, fields from the query", get(getURL), independent(testKey, getURL, false), keys,
			Payload{SchemeForm, 0, getURL, []Field{{"tenant", "a b"}, {"CallSid", "x"}}, false}, nil},
		{"GET with a body", Request{Method: "GET", URLs: []string{getURL}, RawQuery: query(getURL), Body: []byte("a=b")},
			independent(testKey, getURL+"ab", false), keys, Payload{}, ErrSignature},
		{"GET with a hex signature", get(getURL), independent(testKey, getURL, true), keys, Payload{}, ErrSignature},
		{"form scheme, the URL alone, with a JSON body", jsonPost(testURL, jsonBody), independent(testKey, testURL, false), keys, Payload{}, ErrSignature},
		{"form scheme, a body without Content-Type", Request{Method: "POST", URLs: []string{testURL}, RawQuery: query(testURL), Body: body}, formSig, keys, Payload{}, ErrSignature},
		{"form scheme, a body that does not parse", formPost(testURL, []byte("a=%zz")), independent(testKey, testURL, false), keys, Payload{}, ErrSignature},
		{"PUT", Request{Method: "PUT", URLs: []string{testURL}, ContentType: "application/x-www-form-urlencoded", Body: body}, formSig, keys, Payload{}, ErrSignature},
		{"raw-body scheme", jsonPost("https://example.com/hook", jsonBody), independent(testKey, "https://example.com/hook"+string(jsonBody), true), keys,
			Payload{SchemeRawBody, 0, "https://example.com/hook", jsonFields, true}, nil},
		{"raw-body scheme, upper-case hex", jsonPost("https://example.com/hook", jsonBody), strings.ToUpper(independent(testKey, "https://example.com/hook"+string(jsonBody), true)), keys,
			Payload{SchemeRawBody, 0, "https://example.com/hook", jsonFields, true}, nil},
		{"raw-body scheme, sent as a form", formPost("https://example.com/hook", jsonBody), independent(testKey, "https://example.com/hook"+string(jsonBody), true), keys, Payload{}, ErrSignature},
		{"raw-body scheme, covered body not JSON", jsonPost("https://example.com/hook", []byte("[1]")), independent(testKey, "https://example.com/hook[1]", true), keys, Payload{}, ErrBody},
		{"bodySHA256", jsonPost(shaURL, jsonBody), independent(testKey, shaURL, false), keys, Payload{SchemeBodySHA256, 0, shaURL, jsonFields, true}, nil},
		{"bodySHA256, body changed", jsonPost(shaURL, append(slices.Clone(jsonBody), ' ')), independent(testKey, shaURL, false), keys, Payload{}, ErrSignature},
		{"bodySHA256 with a hex signature", jsonPost(shaURL, jsonBody), independent(testKey, shaURL+string(jsonBody), true), keys, Payload{}, ErrSignature},
		{"bodySHA256, sent as a form", formPost(shaURL, jsonBody), independent(testKey, shaURL, false), keys, Payload{}, ErrSignature},
		{"surrounding spaces ignored", formPost(testURL, body), " " + formSig + " ", keys, Payload{SchemeForm, 0, testURL, testForm, false}, nil},
		{"wrong key", formPost(testURL, body), independent("other", testURL+sorted, false), keys, Payload{}, ErrSignature},
		{"no keys", formPost(testURL, body), formSig, nil, Payload{}, ErrSignature},
		{"empty keys", formPost(testURL, body), formSig, []string{"", ""}, Payload{}, ErrSignature},
		{"missing signature", formPost(testURL, body), "", keys, Payload{}, ErrSignature},
		{"truncated signature", formPost(testURL, body), formSig[:27], keys, Payload{}, ErrSignature},
		{"unpadded signature", formPost(testURL, body), strings.TrimRight(formSig, "="), keys, Payload{}, ErrSignature},
		{"URL-safe base64", formPost(testURL, body), base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 20)), keys, Payload{}, ErrSignature},
		{"not base64", formPost(testURL, body), strings.Repeat("!", 28), keys, Payload{}, ErrSignature},
		{"hex of the form signature", formPost(testURL, body), independent(testKey, testURL+sorted, true), keys, Payload{}, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Verify(tt.req, tt.sig, tt.keys)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify payload (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBodySHA256Parameter: the parameter is found as a browser splits a
// query; two of them, or a value that is not 64 hex digits, are refused.
func TestBodySHA256Parameter(t *testing.T) {
	t.Parallel()
	const digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // of ""
	tests := []struct {
		query   string
		has, ok bool
	}{
		{"", false, true},
		{"a=1&b=2", false, true},
		{"bodySHA256=" + digest, true, true},
		{"bodySHA256=" + strings.ToUpper(digest), true, true},
		{"body%53HA256=" + digest, true, true},
		{"%62%6F%64%79%53%48%41%32%35%36=" + digest, true, true},
		{"x=1&bodySHA256=" + digest + "&y", true, true},
		{"bodySHA256=" + digest[:10] + "%" + digest[10:], true, false},
		{"bodySHA256=" + digest + "&bodySHA256=" + digest, true, false},
		{"bodySHA256=" + digest + "&body%53HA256=" + digest, true, false},
		{"bodySHA256=" + digest + "0", true, false},
		{"bodySHA256=", true, false},
		{"bodySHA256", true, false},
		{"bodySHA256=" + strings.Repeat("g", 64), true, false},
		{"bodysha256=" + digest, false, true},
		{"body+SHA256=" + digest, false, true},
		{"bodySHA256%=" + digest, false, true},
		{"a=1;bodySHA256=" + digest, false, true},
	}
	for _, tt := range tests {
		_, has, ok := bodySHA256(tt.query)
		if has != tt.has || ok != tt.ok {
			t.Errorf("bodySHA256(%q) = has %v, ok %v; want %v, %v", tt.query, has, ok, tt.has, tt.ok)
		}
	}
	// Through Verify: a GET with bodySHA256 covers an empty body only.
	u := "https://h.example/cb?body%53HA256=" + digest + "&CallSid=x"
	if p, err := Verify(get(u), independent(testKey, u, false), []string{testKey}); err != nil || p.Scheme != SchemeBodySHA256 {
		t.Errorf("GET with bodySHA256 of the empty body: %+v, %v", p, err)
	}
}

func TestPercentDecode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "a+b": "a b", "%41": "A", "%4": "%4", "%zz": "%zz", "%%41": "%A", "%4%41": "%4A", "a%": "a%", "%2b": "+",
	} {
		if got := percentDecode(in); got != want {
			t.Errorf("percentDecode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignRoundTrip(t *testing.T) {
	t.Parallel()
	body := []byte(EncodeForm(testForm))
	if _, err := Verify(formPost(testURL, body), SignForm(testKey, testURL, testForm), []string{testKey}); err != nil {
		t.Errorf("SignForm's signature does not verify: %v", err)
	}
	jb := []byte(`{"a":1}`)
	if p, err := Verify(jsonPost(testURL, jb), SignRawBody(testKey, testURL, jb), []string{testKey}); err != nil || p.Scheme != SchemeRawBody {
		t.Errorf("SignRawBody's signature: %+v, %v", p, err)
	}
}

func TestRepeatedNamesKeepTheirOrder(t *testing.T) {
	t.Parallel()
	form := []Field{{"b", "2"}, {"a", "y"}, {"b", "1"}, {"a", "x"}}
	want := independent(testKey, "https://e.example/"+"ayaxb2b1", false)
	if got := SignForm(testKey, "https://e.example/", form); got != want {
		t.Errorf("SignForm = %s, want %s (names sorted, values in arrival order)", got, want)
	}
}

func TestURLVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"https://h.example/p?q=1", []string{"https://h.example/p?q=1", "https://h.example:443/p?q=1"}},
		{"https://h.example:443/p", []string{"https://h.example:443/p", "https://h.example/p"}},
		{"http://h.example", []string{"http://h.example", "http://h.example:80"}},
		{"http://h.example:80?x", []string{"http://h.example:80?x", "http://h.example?x"}},
		{"HTTPS://h.example/", []string{"HTTPS://h.example/", "HTTPS://h.example:443/"}},
		{"https://[::1]/p", []string{"https://[::1]/p", "https://[::1]:443/p"}},
		{"https://[::1]:443/p", []string{"https://[::1]:443/p", "https://[::1]/p"}},
		{"https://h.example:8443/p", []string{"https://h.example:8443/p"}},
		{"https://h.example:80/p", []string{"https://h.example:80/p"}},
		{"wss://h.example/p", []string{"wss://h.example/p"}},
		{"https:///p", []string{"https:///p"}},
		{"https://u@h.example/p", []string{"https://u@h.example/p"}},
		{"no scheme", []string{"no scheme"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, URLVariants(tt.in)); diff != "" {
				t.Errorf("URLVariants (-want +got):\n%s", diff)
			}
		})
	}
}

// sameSignedContent reports whether two requests sign the same bytes in the
// form scheme: the form scheme signs decoded, sorted parameters, so a body
// re-encoded or reordered without changing them is not a change.
func sameSignedContent(a, b []Field) bool {
	return bytes.Equal(formPayload(a), formPayload(b))
}

// TestVerifyFlipsOnAnyChange is the property that no change to the URL, the
// body, the key or the signature header keeps a valid verdict, checked on
// random requests and random single changes of each kind.
func TestVerifyFlipsOnAnyChange(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcXYZ019+-_.:/?&=% "
	randStr := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for i := range 2000 {
		form := make([]Field, 1+r.IntN(6))
		for j := range form {
			form[j] = Field{randStr(1 + r.IntN(8)), randStr(r.IntN(12))}
		}
		u := "https://h" + randStr(3) + ".example/cb" + strings.ReplaceAll(randStr(r.IntN(6)), "#", "")
		key := "PSK" + randStr(1+r.IntN(20))
		raw := i%2 == 1
		body := []byte(EncodeForm(form))
		mk := formPost
		sig := SignForm(key, u, form)
		if raw {
			mk = jsonPost
			body = []byte(EncodeJSON(form))
			sig = SignRawBody(key, u, body)
		}
		req := mk(u, body)
		if _, err := Verify(req, sig, []string{key}); err != nil {
			t.Fatalf("case %d: own signature rejected: %v", i, err)
		}
		// The URL: insert, delete or change one byte (not a port variant).
		mu := mutate(r, u)
		if !slices.Contains(URLVariants(u), mu) {
			if _, err := Verify(mk(mu, body), sig, []string{key}); err == nil {
				t.Fatalf("case %d: URL %q accepted for %q", i, mu, u)
			}
		}
		// The body.
		mb := []byte(mutate(r, string(body)))
		mform, err := ParseForm(mb)
		changed := raw && !bytes.Equal(mb, body) || !raw && (err != nil || !sameSignedContent(mform, form))
		if changed {
			if _, err := Verify(mk(u, mb), sig, []string{key}); err == nil {
				t.Fatalf("case %d: body %q accepted for %q", i, mb, body)
			}
		}
		// The key.
		if mkey := mutate(r, key); mkey != key {
			if _, err := Verify(req, sig, []string{mkey}); err == nil {
				t.Fatalf("case %d: key %q accepted for %q", i, mkey, key)
			}
		}
		// The header: any change to the bytes it carries.
		ms := mutate(r, sig)
		if mac, _ := decodeSignature(strings.TrimSpace(ms)); !bytes.Equal(mac, mustDecode(t, sig)) {
			if _, err := Verify(req, ms, []string{key}); err == nil {
				t.Fatalf("case %d: signature %q accepted for %q", i, ms, sig)
			}
		}
	}
}

func mustDecode(t *testing.T, sig string) []byte {
	t.Helper()
	mac, _ := decodeSignature(sig)
	if mac == nil {
		t.Fatalf("signature %q does not decode", sig)
	}
	return mac
}

// mutate inserts, deletes or replaces one byte of s.
func mutate(r *rand.Rand, s string) string {
	b := []byte(s)
	c := byte(r.IntN(256))
	switch op := r.IntN(3); {
	case op == 0 || len(b) == 0:
		i := r.IntN(len(b) + 1)
		return string(b[:i]) + string(c) + string(b[i:])
	case op == 1:
		i := r.IntN(len(b))
		return string(b[:i]) + string(b[i+1:])
	default:
		i := r.IntN(len(b))
		if b[i] == c {
			c++
		}
		b[i] = c
		return string(b)
	}
}

// FuzzVerify: for any URL, body and header, Verify never panics and accepts
// only a header that equals a signature computed with the key.
func FuzzVerify(f *testing.F) {
	body := EncodeForm(testForm)
	f.Add(testURL, []byte(body), SignForm(testKey, testURL, testForm))
	f.Add(testURL, []byte(body), SignRawBody(testKey, testURL, []byte(body)))
	f.Add("https://h.example:443/?bodySHA256=00", []byte(""), "")
	f.Add("http://[::1]:80", []byte("%zz"), strings.Repeat("A", 28))
	f.Fuzz(func(t *testing.T, u string, body []byte, sig string) {
		form, _ := ParseForm(body)
		m, err := Verify(formPost(u, body), sig, []string{testKey})
		if err != nil {
			m, err = Verify(jsonPost(u, body), sig, []string{testKey})
		}
		if err != nil {
			return
		}
		if !slices.Contains(URLVariants(u), m.URL) {
			t.Fatalf("matched URL %q is not a variant of %q", m.URL, u)
		}
		got := mustDecode(t, strings.TrimSpace(sig))
		var want []byte
		switch m.Scheme {
		case SchemeForm:
			want = mustDecode(t, SignForm(testKey, m.URL, form))
		case SchemeRawBody:
			want = mustDecode(t, SignRawBody(testKey, m.URL, body))
		case SchemeBodySHA256:
			want = mustDecode(t, SignForm(testKey, m.URL, nil))
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("accepted %q (%s) for %q, %q", sig, m.Scheme, u, body)
		}
	})
}

// FuzzURLVariants: no panic; the URL itself comes first; a variant differs
// only in the default port of its authority.
func FuzzURLVariants(f *testing.F) {
	for _, s := range []string{"https://h/p", "http://h:80", "https://[::1]:443/x?y", "https://:443", "x://", "https://a:b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		vs := URLVariants(u)
		if len(vs) == 0 || len(vs) > 2 || vs[0] != u {
			t.Fatalf("URLVariants(%q) = %q", u, vs)
		}
		if len(vs) == 2 {
			a, b := vs[0], vs[1]
			if len(a) < len(b) {
				a, b = b, a
			}
			d := len(a) - len(b)
			if d != 3 && d != 4 {
				t.Fatalf("variant %q of %q differs by %d bytes", vs[1], u, d)
			}
		}
	})
}

// TestMediaKindRFC9110: the Content-Type that picks a body's parser is read
// by RFC 9110, as the contract suite reads it: what Go's lenient RFC 2045
// parser accepts beyond the grammar is no form and no JSON.
func TestMediaKindRFC9110(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct   string
		want mediaKindT
	}{
		{"application/x-www-form-urlencoded", kindForm},
		{"application/x-www-form-urlencoded; charset=utf-8", kindForm},
		{"Application/JSON ; charset=\"utf-8\"", kindJSON},
		{"application/vnd.x+json", kindJSON},
		{"application/x-www-form-urlencoded; charset = utf-8", kindOther},
		{"application/json;\u00a0charset=utf-8", kindOther},
		{"application/json\v", kindOther},
		{"application/{json}", kindOther},
		{"application/json; a=\"\x01\"", kindOther},
		{"", kindOther},
	}
	for _, tt := range tests {
		if got := mediaKind(tt.ct); got != tt.want {
			t.Errorf("mediaKind(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}
