package webhook

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // SignalWire's signature scheme is HMAC-SHA1
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"slices"
	"strings"
)

// Signature headers, as Lambda Function URLs deliver them (lower case).
const (
	HeaderSignalWire = "x-signalwire-signature"
	HeaderTwilio     = "x-twilio-signature"
)

// Scheme names the way a request was signed.
type Scheme string

// The signature schemes.
const (
	// SchemeForm is base64(HMAC-SHA1(key, URL + every form parameter as
	// name+value, sorted by name)): Compatibility (cXML) webhooks.
	SchemeForm Scheme = "form"
	// SchemeRawBody is hex(HMAC-SHA1(key, URL + raw body)): JSON webhooks.
	SchemeRawBody Scheme = "raw-body"
	// SchemeBodySHA256 is SchemeForm over the URL alone, whose bodySHA256
	// query parameter is the hex SHA-256 of the raw body.
	SchemeBodySHA256 Scheme = "body-sha256"
)

// Request is what a signature covers.
type Request struct {
	// URL is the URL SignalWire requested, query string included.
	URL string
	// Body is the raw request body (empty for GET).
	Body []byte
	// Form holds the body's parameters for the form scheme, in order of
	// arrival; nil for a GET or a body that is not a form.
	Form []Field
}

// Match says how a valid signature was made.
type Match struct {
	Scheme Scheme
	// Key is the index, in the keys given to Verify, of the key that signed.
	Key int
	// URL is the variant of the request URL that was signed.
	URL string
}

// Verify reports whether signature (a header value) signs req under one of
// keys (empty keys are skipped), trying the form and raw-body schemes (or,
// when the URL has a bodySHA256 parameter, only that scheme) for the URL as
// given and its default-port variant. Signatures are compared in constant
// time. A missing or malformed signature is simply not valid.
func Verify(req Request, signature string, keys []string) (Match, bool) {
	sig := strings.TrimSpace(signature)
	mac, isHex := decodeSignature(sig)
	if mac == nil {
		return Match{}, false
	}
	urls := URLVariants(req.URL)
	var scheme Scheme
	var tail []byte // what follows the URL in the signed message
	switch want, ok := bodySHA256(req.URL); {
	case ok:
		if isHex {
			return Match{}, false
		}
		sum := sha256.Sum256(req.Body)
		got := hex.EncodeToString(sum[:])
		if !hmac.Equal([]byte(got), []byte(strings.ToLower(want))) {
			return Match{}, false
		}
		scheme = SchemeBodySHA256
	case isHex:
		scheme, tail = SchemeRawBody, req.Body
	default:
		scheme, tail = SchemeForm, formPayload(req.Form)
	}
	for i, key := range keys {
		if key == "" {
			continue
		}
		h := hmac.New(sha1.New, []byte(key))
		for _, u := range urls {
			if hmac.Equal(sum(h, u, tail), mac) {
				return Match{Scheme: scheme, Key: i, URL: u}, true
			}
		}
	}
	return Match{}, false
}

// decodeSignature returns the MAC a header value carries: 40 hex digits
// (raw-body scheme, isHex) or the strict base64 of 20 bytes (form schemes).
// Anything else yields nil.
func decodeSignature(sig string) (mac []byte, isHex bool) {
	if len(sig) == 2*sha1.Size {
		if b, err := hex.DecodeString(sig); err == nil {
			return b, true
		}
		return nil, false
	}
	if len(sig) != base64.StdEncoding.EncodedLen(sha1.Size) {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil || len(b) != sha1.Size {
		return nil, false
	}
	return b, false
}

func sum(h hash.Hash, u string, tail []byte) []byte {
	h.Reset()
	h.Write([]byte(u))
	h.Write(tail)
	return h.Sum(nil)
}

// formPayload concatenates name+value of every field, sorted by name in byte
// order; fields with the same name keep their order of arrival.
func formPayload(form []Field) []byte {
	sorted := slices.Clone(form)
	slices.SortStableFunc(sorted, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	n := 0
	for _, f := range sorted {
		n += len(f.Name) + len(f.Value)
	}
	b := make([]byte, 0, n)
	for _, f := range sorted {
		b = append(b, f.Name...)
		b = append(b, f.Value...)
	}
	return b
}

// bodySHA256 returns the bodySHA256 query parameter of rawURL, if it has one.
func bodySHA256(rawURL string) (string, bool) {
	_, query, ok := strings.Cut(rawURL, "?")
	if !ok || !strings.Contains(query, "bodySHA256") {
		return "", false
	}
	values, _ := url.ParseQuery(query) // a malformed pair elsewhere does not hide this one
	if _, ok := values["bodySHA256"]; !ok {
		return "", false
	}
	return values.Get("bodySHA256"), true
}

// SignForm returns the form-scheme signature of a request to rawURL with
// form parameters form, as SignalWire computes it.
func SignForm(key, rawURL string, form []Field) string {
	h := hmac.New(sha1.New, []byte(key))
	return base64.StdEncoding.EncodeToString(sum(h, rawURL, formPayload(form)))
}

// SignRawBody returns the raw-body-scheme signature of a request to rawURL
// with body body.
func SignRawBody(key, rawURL string, body []byte) string {
	h := hmac.New(sha1.New, []byte(key))
	return hex.EncodeToString(sum(h, rawURL, body))
}

// URLVariants returns rawURL and, for http and https URLs, the variant that
// SignalWire may have signed instead: with the scheme's default port (443,
// 80) added when the URL has no port, or removed when it has that port. A
// URL with another port, or one that is not http(s), has no variant.
func URLVariants(rawURL string) []string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return []string{rawURL}
	}
	var port string
	switch strings.ToLower(scheme) {
	case "https":
		port = "443"
	case "http":
		port = "80"
	default:
		return []string{rawURL}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	if host == "" || strings.Contains(host, "@") {
		return []string{rawURL}
	}
	prefix := scheme + "://"
	// The port is what follows the last ':' outside an IPv6 literal.
	colon := strings.LastIndexByte(host, ':')
	if colon >= 0 && colon > strings.LastIndexByte(host, ']') {
		if host[colon+1:] != port {
			return []string{rawURL}
		}
		return []string{rawURL, prefix + host[:colon] + tail}
	}
	return []string{rawURL, prefix + host + ":" + port + tail}
}
