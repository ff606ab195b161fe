package webhook

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // SignalWire's signature scheme is HMAC-SHA1
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"slices"
	"strings"

	"github.com/callwire/callwire/contract"
)

// Signature headers, as Lambda Function URLs deliver them (lower case).
const (
	HeaderSignalWire = "x-signalwire-signature"
	HeaderTwilio     = "x-twilio-signature"
)

// Scheme names the way a request was signed.
type Scheme string

// The signature schemes. None of them covers the method, a header (the
// Content-Type included) or the time; each covers the URL, query string
// included.
const (
	// SchemeForm is base64(HMAC-SHA1(key, URL + every form parameter as
	// name+value, sorted by name)): Compatibility (cXML) webhooks. On a GET
	// the URL alone is signed and the fields are the query's.
	SchemeForm Scheme = "form"
	// SchemeRawBody is hex(HMAC-SHA1(key, URL + raw body)): JSON webhooks.
	SchemeRawBody Scheme = "raw-body"
	// SchemeBodySHA256 is SchemeForm over the URL alone, whose bodySHA256
	// query parameter is the hex SHA-256 of the raw body.
	SchemeBodySHA256 Scheme = "body-sha256"
)

// ParamBodySHA256 is the query parameter of SchemeBodySHA256.
const ParamBodySHA256 = "bodySHA256"

// Request is an HTTP request as it arrived, before anything of it is
// trusted.
type Request struct {
	// Method is the HTTP method, upper case: GET or POST.
	Method string
	// URLs are the URLs the sender may have signed, each followed by the
	// request's raw query string; Verify also tries their port variants.
	URLs []string
	// RawQuery is the raw query string, without the '?'.
	RawQuery string
	// ContentType is the Content-Type header's value ("" when absent).
	ContentType string
	// Body is the body, decoded once from the transport's encoding.
	Body []byte
}

// Payload is what a valid signature covers, parsed by the one parser its
// scheme allows: the only part of a request a caller may read.
type Payload struct {
	Scheme Scheme
	// Key is the index, in the keys given to Verify, of the key that signed.
	Key int
	// URL is the variant of the request URL that was signed.
	URL string
	// Fields are the covered fields in order of arrival, repeated names
	// included: the form body's (form scheme, POST), the query's (GET), or
	// the JSON body's members (raw-body scheme, bodySHA256 on a POST).
	Fields []Field
	// JSON is true when Fields are the members of a JSON body.
	JSON bool
}

// Errors of Verify. Each is returned as it is, never with request content.
var (
	// ErrSignature reports a request whose signature is missing, malformed
	// or does not cover what the request holds: answer 403.
	ErrSignature = errors.New("webhook: signature does not cover the request")
)

// Verify checks that signature (a header value) signs req under one of
// keys (empty keys are skipped) and returns the covered payload. The
// scheme picks the parser, never the request:
//
//   - a bodySHA256 query parameter (recognised as a browser splits a query)
//     selects SchemeBodySHA256: the signature must be base64, there must be
//     one such parameter holding 64 hex digits, and it must equal the body's
//     SHA-256; a POST's body must then be JSON, a GET's fields are its query;
//   - otherwise a hex signature selects SchemeRawBody: POST only, a JSON
//     Content-Type, the body bytes exactly;
//   - otherwise SchemeForm: on a POST only the form parser reads the body,
//     and a non-empty body with another Content-Type is refused; on a GET
//     the URL alone is signed and the fields come from the query.
//
// A GET must have an empty body. Anything refused, or a signature that does
// not verify, is ErrSignature; a covered JSON body or query that does not
// parse is an ErrBody. Signatures are compared in constant time.
func Verify(req Request, signature string, keys []string) (Payload, error) {
	mac, isHex := decodeSignature(strings.TrimSpace(signature))
	if mac == nil {
		return Payload{}, ErrSignature
	}
	want, hasSHA, ok := bodySHA256(req.RawQuery)
	if !ok {
		return Payload{}, ErrSignature
	}
	get := req.Method == http.MethodGet
	if get && len(req.Body) != 0 || !get && req.Method != http.MethodPost {
		return Payload{}, ErrSignature
	}
	kind := mediaKind(req.ContentType)
	p := Payload{}
	var tail []byte // what follows the URL in the signed message
	switch {
	case hasSHA:
		sum := sha256.Sum256(req.Body)
		if isHex || !hmac.Equal(sum[:], want) || !get && kind != kindJSON {
			return Payload{}, ErrSignature
		}
		p.Scheme, p.JSON = SchemeBodySHA256, !get
	case isHex:
		if get || kind != kindJSON {
			return Payload{}, ErrSignature
		}
		p.Scheme, p.JSON, tail = SchemeRawBody, true, req.Body
	default:
		p.Scheme = SchemeForm
		if !get {
			if len(req.Body) != 0 && kind != kindForm {
				return Payload{}, ErrSignature
			}
			form, err := ParseForm(req.Body)
			if err != nil {
				return Payload{}, ErrSignature
			}
			p.Fields, tail = form, formPayload(form)
		}
	}
	if !match(&p, req.URLs, tail, mac, keys) {
		return Payload{}, ErrSignature
	}
	var err error
	switch {
	case get:
		p.Fields, err = ParseForm([]byte(req.RawQuery))
	case p.JSON:
		p.Fields, err = ParseJSON(req.Body)
	}
	if err != nil {
		return Payload{}, err
	}
	return p, nil
}

// match tries every key on every URL and its port variants, and records
// the one that signed in p.
func match(p *Payload, urls []string, tail, mac []byte, keys []string) bool {
	for i, key := range keys {
		if key == "" {
			continue
		}
		h := hmac.New(sha1.New, []byte(key))
		for _, raw := range urls {
			for _, u := range URLVariants(raw) {
				if hmac.Equal(sum(h, u, tail), mac) {
					p.Key, p.URL = i, u
					return true
				}
			}
		}
	}
	return false
}

type mediaKindT int

const (
	kindOther mediaKindT = iota
	kindForm
	kindJSON
)

// mediaKind classifies a Content-Type: a form, JSON (application/json or
// any +json type), or anything else (absent or malformed included). The value
// is read by RFC 9110, as the contract suite reads it (contract.ParseMediaType).
func mediaKind(ct string) mediaKindT {
	mt, _, err := contract.ParseMediaType(ct)
	switch {
	case err != nil:
		return kindOther
	case mt == "application/x-www-form-urlencoded":
		return kindForm
	case mt == "application/json", strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
		return kindJSON
	}
	return kindOther
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

// bodySHA256 finds the bodySHA256 parameter of a raw query string as a
// browser reads a query (the WHATWG URL Standard's
// application/x-www-form-urlencoded parser): pairs split on '&' only, '+'
// read as a space, names and values percent-decoded with an invalid '%'
// sequence left as it is. So body%53HA256 is bodySHA256, and no reader of
// the URL can see a parameter this one misses. It returns the digest when
// there is one parameter (has); ok is false when there are several or the
// value is not 64 hex digits.
func bodySHA256(rawQuery string) (digest []byte, has, ok bool) {
	var value string
	for pair := range strings.SplitSeq(rawQuery, "&") {
		name, v, _ := strings.Cut(pair, "=")
		if percentDecode(name) != ParamBodySHA256 {
			continue
		}
		if has {
			return nil, true, false
		}
		has, value = true, percentDecode(v)
	}
	if !has {
		return nil, false, true
	}
	if len(value) != 2*sha256.Size {
		return nil, true, false
	}
	b, err := hex.DecodeString(value)
	if err != nil {
		return nil, true, false
	}
	return b, true, true
}

// percentDecode decodes s as a browser decodes a query's name or value:
// '+' is a space, %XX is the byte XX, and any other '%' stays as it is.
func percentDecode(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s):
			if v, err := hex.DecodeString(s[i+1 : i+3]); err == nil {
				b = append(b, v[0])
				i += 2
				continue
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
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
