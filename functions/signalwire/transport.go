package signalwire

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// defaultTimeout bounds one request, body included, when ctx has no earlier deadline.
const defaultTimeout = 10 * time.Second

// maxHeaderBytes caps a response header block.
const maxHeaderBytes = 32 << 10

// NewHTTPClient returns the *http.Client the SignalWire client is meant to
// run on: kept-alive connections reused across Lambda invocations, bounded
// dial, TLS and header waits, a 10s overall timeout, and redirects never
// followed (a redirect could carry the Basic auth credentials to another host;
// the 3xx response is returned instead).
func NewHTTPClient() *http.Client {
	t := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		// SignalWire sends a few hundred bytes of headers; a block built to
		// exhaust memory is refused after 32 KiB.
		MaxResponseHeaderBytes: maxHeaderBytes,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  8 * time.Second,
		ExpectContinueTimeout:  time.Second,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &http.Client{
		Transport:     t,
		Timeout:       defaultTimeout,
		CheckRedirect: noRedirect,
	}
}

// noRedirect makes http.Client return a 3xx response as is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
