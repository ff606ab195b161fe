package callback

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// FuzzSignedURLs: no panic; every URL is the configured or rebuilt base
// followed by exactly the raw query string; a callback signed for the first
// URL verifies.
func FuzzSignedURLs(f *testing.F) {
	f.Add("", lambdatest.DemoCallbackDomain, "/status", "a=1&b=%20")
	f.Add("https://hooks.example.com/x", "d", "/y", "")
	f.Add("", "", "", "")
	f.Add("", "h:443", "relative", "?")
	f.Fuzz(func(t *testing.T, public, domain, path, query string) {
		req := &events.LambdaFunctionURLRequest{RawPath: path, RawQueryString: query}
		req.RequestContext.DomainName = domain
		urls := signedURLs(public, req)
		if len(urls) == 0 || len(urls) > 2 {
			t.Fatalf("%d URLs", len(urls))
		}
		for _, u := range urls {
			wantPrefix := public
			if public == "" {
				wantPrefix = "https://" + domain
			}
			if !strings.HasPrefix(u, wantPrefix) {
				t.Fatalf("URL %q does not start with %q", u, wantPrefix)
			}
			if query != "" && !strings.HasSuffix(u, "?"+query) {
				t.Fatalf("URL %q does not end with the query string %q", u, query)
			}
		}
		form := []webhook.Field{{Name: "CallSid", Value: lambdatest.DemoCallSID}}
		sig := webhook.SignForm(testKey, urls[0], form)
		wreq := webhook.Request{Method: http.MethodPost, URLs: urls[:1], RawQuery: query, ContentType: "application/x-www-form-urlencoded",
			Body: []byte(webhook.EncodeForm(form))}
		if _, err := webhook.Verify(wreq, sig, []string{testKey}); err != nil {
			t.Fatal("a signature for the rebuilt URL does not verify")
		}
	})
}

// FuzzHandle sends arbitrary requests to a real handler: no panic, and
// nothing without a valid signature is accepted or queued.
func FuzzHandle(f *testing.F) {
	valid := lambdatest.CallbackEvent(lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 1), testKey)
	f.Add("POST", valid.RawPath, "", valid.Body, false, valid.Headers[webhook.HeaderSignalWire]+"x", "application/x-www-form-urlencoded")
	f.Add("GET", "/", valid.Body, "", false, "", "")
	f.Add("POST", "/status", "bodySHA256=00", "e30=", true, strings.Repeat("A", 28), "application/json")
	f.Add("DELETE", "", "", "%zz", false, strings.Repeat("0", 40), "text/plain")
	env := setup(f, secretJSON(testKey, testPrevKey))
	f.Fuzz(func(t *testing.T, method, path, query, body string, b64 bool, sig, contentType string) {
		req := events.LambdaFunctionURLRequest{
			RawPath: path, RawQueryString: query, Body: body, IsBase64Encoded: b64,
			Headers: map[string]string{webhook.HeaderSignalWire: sig, "content-type": contentType},
		}
		req.RequestContext.DomainName = lambdatest.DemoCallbackDomain
		req.RequestContext.HTTP.Method = method
		before := len(env.sq.Messages(testQueue))
		resp, err := env.h.Handle(t.Context(), req)
		if err != nil {
			t.Fatalf("function error %v", err)
		}
		switch resp.StatusCode {
		case http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong:
		case http.StatusBadRequest:
			if !b64 {
				t.Fatalf("400 for an unsigned request without a base64 body: %s", resp.Body)
			}
			if _, err := base64.StdEncoding.DecodeString(body); err == nil {
				t.Fatalf("400 for an unsigned request with a valid base64 body: %s", resp.Body)
			}
		default:
			t.Fatalf("status %d for an unsigned request: %s", resp.StatusCode, resp.Body)
		}
		if after := len(env.sq.Messages(testQueue)); after != before {
			t.Fatal("an unsigned request was queued")
		}
	})
}
