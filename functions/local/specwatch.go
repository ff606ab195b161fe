package main

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
)

// specWatchDocument is the published document the spec watch fetches in a
// local run: callwire's own changed copy of the pinned document.
const specWatchDocument = "testdata/specwatch/published-v1.yaml"

// specDocServer serves one OpenAPI document on loopback, as the published
// document's host would, with an ETag so a second fetch is conditional.
type specDocServer struct {
	srv      *http.Server
	url      string
	requests atomic.Int64
}

// startSpecDocServer serves the file at path over plain HTTP on loopback;
// the spec watch accepts it because the local environment sets
// CALLWIRE_ALLOW_LOOPBACK.
func startSpecDocServer(path string) (*specDocServer, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &specDocServer{url: "http://" + ln.Addr().String() + "/fern/apis/compatibility/openapi.yaml"}
	etag := `"` + strconv.Itoa(len(body)) + `"`
	d.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.requests.Add(1)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(body)
	})}
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

// environ points the spec watch at the document.
func (d *specDocServer) environ() []string { return []string{"SPEC_URL=" + d.url} }

// counts is the document requests, for the verdict.
func (d *specDocServer) counts() []string {
	return []string{count(int(d.requests.Load()), "document request", "document requests")}
}

func (d *specDocServer) details() []string {
	return []string{"local: published document served at " + d.url}
}

// Close stops the server.
func (d *specDocServer) Close() { _ = d.srv.Close() }
