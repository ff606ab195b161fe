// Package replay serves recorded SignalWire exchanges over HTTP on loopback, so
// clients and Lambdas can be tested offline against the exact recorded bytes.
//
// A request for .../api/laml/2010-04-01/Accounts/{account}/Calls/{sid} is matched
// by {sid} alone; the account in the path is not compared. Tests can inject
// faults per SID with Server.Script and count requests and TCP connections.
package replay

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callwire/callwire/contract/recording"
)

// Server serves recorded SignalWire exchanges over HTTP on loopback, matched by
// the Call SID in the request path alone. It is safe for concurrent use.
type Server struct {
	projectID string
	apiToken  string
	auth      bool
	notFound  response

	mu       sync.Mutex
	calls    map[string]*call
	callList []string
	listSet  bool
	scripts  map[string][]Scripted
	perSID   map[string]int64

	requests    atomic.Int64
	connections atomic.Int64

	life    sync.Mutex
	srv     *http.Server
	closed  bool
	done    chan struct{}
	doneOne sync.Once
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials makes the server require exactly this Basic auth (project ID
// as user name, API token as password). Any other request gets SignalWire's 401
// error body and a WWW-Authenticate header; the credentials are never echoed.
func WithCredentials(projectID, apiToken string) Option {
	return func(s *Server) {
		s.projectID, s.apiToken, s.auth = projectID, apiToken, true
	}
}

// SetCredentials changes the Basic auth the server requires, as a credentials
// rotation does: from now on only these are accepted.
func (s *Server) SetCredentials(projectID, apiToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projectID, s.apiToken, s.auth = projectID, apiToken, true
}

// WithNotFound sets the response served for unknown SIDs and unknown paths. The
// default is SignalWire's 404 error body (code 20404). A nil rec keeps the default.
func WithNotFound(rec *recording.Recording) Option {
	return func(s *Server) {
		if rec != nil {
			s.notFound = responseOf(rec)
		}
	}
}

// New returns a Server with no recordings loaded.
func New(opts ...Option) *Server {
	s := &Server{
		notFound: notFoundResponse(),
		calls:    make(map[string]*call),
		scripts:  make(map[string][]Scripted),
		perSID:   make(map[string]int64),
		done:     make(chan struct{}),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// ServeHTTP serves one request: 401 when credentials are required and do not
// match, a call's recording (or its next scripted response), the List Calls page,
// 405 for methods other than GET and HEAD, and the not-found response otherwise.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	rt := parseRoute(r.URL.Path)
	if rt.kind == routeCall {
		s.mu.Lock()
		s.perSID[rt.sid]++
		s.mu.Unlock()
	}
	if !s.authorized(r) {
		writeResponse(w, r, unauthorizedResponse())
		return
	}
	if rt.kind == routeNone {
		writeResponse(w, r, s.notFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeResponse(w, r, methodNotAllowedResponse())
		return
	}
	switch rt.kind {
	case routeList:
		s.serveList(w, r)
	case routeCall:
		s.serveCall(w, r, rt.sid)
	}
}

// authorized reports whether r carries the configured Basic auth. Both halves
// are always compared so timing does not reveal which one was wrong.
func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	auth, projectID, apiToken := s.auth, s.projectID, s.apiToken
	s.mu.Unlock()
	if !auth {
		return true
	}
	user, pass, ok := r.BasicAuth()
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(projectID))
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(apiToken))
	return ok && userOK&passOK == 1
}

// Start listens on addr, which must be a loopback address such as
// "127.0.0.1:0", and serves in the background. It returns the base URL, for
// example "http://127.0.0.1:54321". A Server can be started once.
func (s *Server) Start(addr string) (baseURL string, err error) {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return "", errors.New("replay: start: server is closed")
	}
	if s.srv != nil {
		return "", errors.New("replay: start: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("replay: start: %w", err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return "", fmt.Errorf("replay: start: %s is not a loopback address", addr)
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.connections.Add(1)
			}
		},
	}
	go func() { _ = s.srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the listener, closes every connection and ends scripted delays in
// progress. It is safe to call more than once and on a server never started.
func (s *Server) Close() error {
	s.doneOne.Do(func() { close(s.done) })
	s.life.Lock()
	defer s.life.Unlock()
	s.closed = true
	if s.srv == nil {
		return nil
	}
	if err := s.srv.Close(); err != nil {
		return fmt.Errorf("replay: close: %w", err)
	}
	return nil
}

// Requests returns the number of HTTP requests served, whatever their outcome.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Connections returns the number of TCP connections accepted since Start. It
// counts only connections accepted by Start's listener, not by a server that
// calls ServeHTTP itself.
func (s *Server) Connections() int64 { return s.connections.Load() }

// RequestsFor returns the number of requests whose path named the Call SID sid,
// whatever their outcome (including 401, 405, scripted faults and unknown SIDs).
func (s *Server) RequestsFor(sid string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perSID[sid]
}
