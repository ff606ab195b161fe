package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // the scheme under test
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
	if m, ok := Verify(Request{URL: u, Form: form}, want, []string{"12345"}); !ok || m.Scheme != SchemeForm {
		t.Errorf("Verify = %+v, %v; want a form match", m, ok)
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

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(EncodeForm(testForm))
	jsonBody := []byte(`{"call_id":"c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"}`)
	sum := sha256.Sum256(jsonBody)
	shaURL := "https://example.com/hook?bodySHA256=" + hex.EncodeToString(sum[:])
	sorted := "CallSidc0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1CallStatuscompletedFrom+15551234567SequenceNumber4To+15559876543"
	formSig := independent(testKey, testURL+sorted, false)
	keys := []string{testKey, testPrevKey}
	tests := []struct {
		name   string
		req    Request
		sig    string
		keys   []string
		want   Match
		wantOK bool
	}{
		{"form scheme", Request{URL: testURL, Body: body, Form: testForm}, formSig, keys, Match{SchemeForm, 0, testURL}, true},
		{"form scheme, previous key", Request{URL: testURL, Body: body, Form: testForm}, independent(testPrevKey, testURL+sorted, false), keys, Match{SchemeForm, 1, testURL}, true},
		{"form scheme, only the previous key held", Request{URL: testURL, Form: testForm}, independent(testPrevKey, testURL+sorted, false), []string{"", testPrevKey}, Match{SchemeForm, 1, testURL}, true},
		{"signed with :443, received without", Request{URL: testURL, Form: testForm},
			independent(testKey, strings.Replace(testURL, ".aws/", ".aws:443/", 1)+sorted, false), keys,
			Match{SchemeForm, 0, strings.Replace(testURL, ".aws/", ".aws:443/", 1)}, true},
		{"signed without :443, received with", Request{URL: "https://h.example:443/cb", Form: testForm},
			independent(testKey, "https://h.example/cb"+sorted, false), keys, Match{SchemeForm, 0, "https://h.example/cb"}, true},
		{"http and :80", Request{URL: "http://h.example/cb", Form: testForm},
			independent(testKey, "http://h.example:80/cb"+sorted, false), keys, Match{SchemeForm, 0, "http://h.example:80/cb"}, true},
		{"other port is not dropped", Request{URL: "https://h.example:8443/cb", Form: testForm},
			independent(testKey, "https://h.example/cb"+sorted, false), keys, Match{}, false},
		{"GET: URL alone", Request{URL: testURL + "&CallSid=x"}, independent(testKey, testURL+"&CallSid=x", false), keys, Match{SchemeForm, 0, testURL + "&CallSid=x"}, true},
		{"raw-body scheme", Request{URL: "https://example.com/hook", Body: jsonBody}, independent(testKey, "https://example.com/hook"+string(jsonBody), true), keys,
			Match{SchemeRawBody, 0, "https://example.com/hook"}, true},
		{"raw-body scheme, upper-case hex", Request{URL: "https://example.com/hook", Body: jsonBody}, strings.ToUpper(independent(testKey, "https://example.com/hook"+string(jsonBody), true)), keys,
			Match{SchemeRawBody, 0, "https://example.com/hook"}, true},
		{"bodySHA256", Request{URL: shaURL, Body: jsonBody}, independent(testKey, shaURL, false), keys, Match{SchemeBodySHA256, 0, shaURL}, true},
		{"bodySHA256, body changed", Request{URL: shaURL, Body: append(slices.Clone(jsonBody), ' ')}, independent(testKey, shaURL, false), keys, Match{}, false},
		{"bodySHA256 with a hex signature", Request{URL: shaURL, Body: jsonBody}, independent(testKey, shaURL+string(jsonBody), true), keys, Match{}, false},
		{"surrounding spaces ignored", Request{URL: testURL, Form: testForm}, " " + formSig + " ", keys, Match{SchemeForm, 0, testURL}, true},
		{"wrong key", Request{URL: testURL, Form: testForm}, independent("other", testURL+sorted, false), keys, Match{}, false},
		{"no keys", Request{URL: testURL, Form: testForm}, formSig, nil, Match{}, false},
		{"empty keys", Request{URL: testURL, Form: testForm}, formSig, []string{"", ""}, Match{}, false},
		{"missing signature", Request{URL: testURL, Form: testForm}, "", keys, Match{}, false},
		{"truncated signature", Request{URL: testURL, Form: testForm}, formSig[:27], keys, Match{}, false},
		{"unpadded signature", Request{URL: testURL, Form: testForm}, strings.TrimRight(formSig, "="), keys, Match{}, false},
		{"URL-safe base64", Request{URL: testURL, Form: testForm}, base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 20)), keys, Match{}, false},
		{"not base64", Request{URL: testURL, Form: testForm}, strings.Repeat("!", 28), keys, Match{}, false},
		{"hex of the form signature", Request{URL: testURL, Form: testForm}, independent(testKey, testURL+sorted, true), keys, Match{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Verify(tt.req, tt.sig, tt.keys)
			if ok != tt.wantOK {
				t.Fatalf("Verify ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify match (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignRoundTrip(t *testing.T) {
	t.Parallel()
	if _, ok := Verify(Request{URL: testURL, Form: testForm}, SignForm(testKey, testURL, testForm), []string{testKey}); !ok {
		t.Error("SignForm's signature does not verify")
	}
	body := []byte(`{"a":1}`)
	if m, ok := Verify(Request{URL: testURL, Body: body}, SignRawBody(testKey, testURL, body), []string{testKey}); !ok || m.Scheme != SchemeRawBody {
		t.Errorf("SignRawBody's signature: %+v, %v", m, ok)
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
		req := Request{URL: u, Body: body, Form: form}
		sig := SignForm(key, u, form)
		if raw {
			req.Form = nil
			sig = SignRawBody(key, u, body)
		}
		if _, ok := Verify(req, sig, []string{key}); !ok {
			t.Fatalf("case %d: own signature rejected", i)
		}
		// The URL: insert, delete or change one byte (not a port variant).
		mu := mutate(r, u)
		if !slices.Contains(URLVariants(u), mu) {
			if _, ok := Verify(Request{URL: mu, Body: body, Form: req.Form}, sig, []string{key}); ok {
				t.Fatalf("case %d: URL %q accepted for %q", i, mu, u)
			}
		}
		// The body.
		mb := []byte(mutate(r, string(body)))
		mform, err := ParseForm(mb)
		changed := raw && !bytes.Equal(mb, body) || !raw && (err != nil || !sameSignedContent(mform, form))
		if changed {
			mreq := Request{URL: u, Body: mb}
			if !raw && err == nil {
				mreq.Form = mform
			}
			if _, ok := Verify(mreq, sig, []string{key}); ok {
				t.Fatalf("case %d: body %q accepted for %q", i, mb, body)
			}
		}
		// The key.
		if mk := mutate(r, key); mk != key {
			if _, ok := Verify(req, sig, []string{mk}); ok {
				t.Fatalf("case %d: key %q accepted for %q", i, mk, key)
			}
		}
		// The header: any change to the bytes it carries.
		ms := mutate(r, sig)
		if mac, _ := decodeSignature(strings.TrimSpace(ms)); !bytes.Equal(mac, mustDecode(t, sig)) {
			if _, ok := Verify(req, ms, []string{key}); ok {
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
		m, ok := Verify(Request{URL: u, Body: body, Form: form}, sig, []string{testKey})
		if !ok {
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
