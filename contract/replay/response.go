package replay

import (
	"net/http"
	"strconv"

	"github.com/callwire/callwire/contract/recording"
)

// response is what the server writes for one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorMoreInfo is the more_info link in SignalWire's error bodies.
const errorMoreInfo = "https://developer.signalwire.com/compatibility-api/reference/error-codes"

// The error bodies below copy the shape of recorded SignalWire errors
// (testdata/recordings/conformant/40x-*.json): code, message, more_info, status.
func notFoundResponse() response {
	return response{
		status: http.StatusNotFound,
		header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		body:   []byte(`{"code":20404,"message":"The requested resource was not found.","more_info":"` + errorMoreInfo + `","status":404}`),
	}
}

func unauthorizedResponse() response {
	return response{
		status: http.StatusUnauthorized,
		header: http.Header{
			"Content-Type":     {"application/json"},
			"Www-Authenticate": {`Basic realm="SignalWire"`},
		},
		body: []byte(`{"code":20003,"message":"Authentication Error - invalid username","more_info":"` + errorMoreInfo + `","status":401}`),
	}
}

func methodNotAllowedResponse() response {
	return response{
		status: http.StatusMethodNotAllowed,
		header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"},
			"Allow":        {"GET, HEAD"},
		},
		body: []byte(`{"code":20004,"message":"Method not allowed","more_info":"` + errorMoreInfo + `","status":405}`),
	}
}

func invalidParameterResponse() response {
	return response{
		status: http.StatusBadRequest,
		header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		body:   []byte(`{"code":21220,"message":"Invalid parameter","more_info":"` + errorMoreInfo + `","status":400}`),
	}
}

// responseOf returns the recorded response: its status, its headers (less the
// framing headers, see replayHeader) and its body bytes exactly as stored.
func responseOf(rec *recording.Recording) response {
	resp := response{status: rec.Response.Status, header: replayHeader(rec.Response.Headers)}
	switch {
	case rec.Response.BodyText != nil:
		resp.body = []byte(*rec.Response.BodyText)
	case rec.Response.Body != nil:
		resp.body = append([]byte(nil), rec.Response.Body...)
	}
	return resp
}

// replayHeader copies h with canonical keys. It drops the headers that frame the
// message on the wire rather than describe it: replaying a recorded
// "Connection: close" would break keep-alive, and a recorded Content-Length or
// Transfer-Encoding need not fit the stored body bytes. Content-Length is set
// from the body when the response is written.
func replayHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Te", "Trailer", "Upgrade":
			continue
		}
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

// writeResponse writes resp exactly: no Content-Type is sniffed when resp has
// none, and a HEAD request gets the headers without the body.
func writeResponse(w http.ResponseWriter, r *http.Request, resp response) {
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = append([]string(nil), vs...)
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // a nil value stops net/http from sniffing one
	}
	if bodyAllowed(resp.status) {
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead && bodyAllowed(resp.status) {
		_, _ = w.Write(resp.body)
	}
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
