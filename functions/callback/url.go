package callback

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// signedURLs returns the URLs SignalWire may have signed for req: publicURL
// (CALLBACK_PUBLIC_URL) when set, otherwise https:// + the Function URL's
// domain + the raw path, in both cases followed by the request's raw query
// string. A request for the bare domain ("/") was signed either with or
// without the slash, depending on how the URL was configured, so both are
// returned; the port variants are the verifier's business.
func signedURLs(publicURL string, req *events.LambdaFunctionURLRequest) []string {
	query := ""
	if req.RawQueryString != "" {
		query = "?" + req.RawQueryString
	}
	if publicURL != "" {
		return []string{publicURL + query}
	}
	base := "https://" + req.RequestContext.DomainName
	path := req.RawPath
	if path == "" || path == "/" {
		return []string{base + "/" + query, base + query}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return []string{base + path + query}
}
