package secretsserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigv4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	signingService = "secretsmanager"
)

var errInternalSign = errors.New("secretsserver: signer produced no signature")

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string // YYYYMMDD from the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func incomplete(msg string) *awsError {
	return &awsError{http.StatusBadRequest, "IncompleteSignatureException", msg}
}

func invalidSignature(msg string) *awsError {
	return &awsError{http.StatusBadRequest, "InvalidSignatureException", msg}
}

// authenticate checks that r is SigV4-signed and, when the server holds
// credentials, that the signature is the one those credentials produce.
func (s *Server) authenticate(r *http.Request, body []byte) *awsError {
	header, amzDate := r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date")
	if header == "" || amzDate == "" {
		return incomplete("Authorization header and X-Amz-Date are required.")
	}
	auth, ok := parseAuthorization(header)
	if !ok {
		return incomplete("Authorization header is not a valid AWS4-HMAC-SHA256 signature.")
	}
	signedAt, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return incomplete("X-Amz-Date is not in ISO 8601 basic format.")
	}
	if auth.service != signingService {
		return invalidSignature("Credential should be scoped to correct service: 'secretsmanager'.")
	}
	if auth.date != amzDate[:8] {
		return invalidSignature("Date in Credential scope does not match YYYYMMDD from X-Amz-Date.")
	}
	if s.accessKeyID == "" {
		return nil
	}
	if auth.accessKeyID != s.accessKeyID {
		return &awsError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	if auth.region != s.region {
		return invalidSignature("Credential should be scoped to a valid region.")
	}
	want, err := s.resign(r, body, auth, signedAt)
	if err != nil || !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return invalidSignature("The request signature we calculated does not match the signature you provided.")
	}
	return nil
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=<64 hex>".
func parseAuthorization(h string) (authorization, bool) {
	var a authorization
	rest, ok := strings.CutPrefix(h, sigv4Algorithm+" ")
	if !ok {
		return a, false
	}
	var credential, signedHeaders string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			a.signature = v
		}
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[0] == "" || scope[4] != "aws4_request" {
		return a, false
	}
	a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
	if signedHeaders == "" {
		return a, false
	}
	a.signedHeaders = strings.Split(signedHeaders, ";")
	if len(a.signature) != 64 {
		return a, false
	}
	if _, err := hex.DecodeString(a.signature); err != nil {
		return a, false
	}
	return a, true
}

// resign signs a copy of r holding only the headers the client signed, at
// the client's signing time, and returns the signature it computes.
func (s *Server) resign(r *http.Request, body []byte, auth authorization, signedAt time.Time) (string, error) {
	cp := &http.Request{
		Method: r.Method,
		URL:    &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: make(http.Header),
	}
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			cp.ContentLength = int64(len(body))
		default:
			cp.Header[http.CanonicalHeaderKey(name)] = r.Header.Values(name)
		}
	}
	creds := aws.Credentials{
		AccessKeyID:     s.accessKeyID,
		SecretAccessKey: s.secretAccessKey,
		SessionToken:    r.Header.Get("X-Amz-Security-Token"),
	}
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(r.Context(), creds, cp, hex.EncodeToString(sum[:]), signingService, auth.region, signedAt)
	if err != nil {
		return "", err
	}
	got, ok := parseAuthorization(cp.Header.Get("Authorization"))
	if !ok {
		return "", errInternalSign
	}
	return got.signature, nil
}
