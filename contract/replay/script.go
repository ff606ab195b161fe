package replay

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Scripted is one injected response for a call. Delay is waited first (the
// request's context or Close end the wait without a response). Then Reset
// drops the connection without a response; otherwise Status, Header and Body are
// served as given. A Scripted with no Status, Header or Body serves the call's
// recording after Delay; one with a Header or Body but no Status uses 200.
type Scripted struct {
	Status int
	Header http.Header
	Body   []byte
	Delay  time.Duration
	// Reset hijacks the connection and closes it with a TCP reset, sending no
	// response. Note that net/http's Transport silently retries a GET once when a
	// reused keep-alive connection fails before any response byte arrives.
	Reset bool
}

// Script queues responses for sid: the next requests for sid get them in
// order, then requests fall back to the recording (or the not-found response).
// Calling Script again appends to the queue.
func (s *Server) Script(sid string, responses ...Scripted) {
	queued := make([]Scripted, len(responses))
	for i, sc := range responses {
		sc.Header = replayHeader(sc.Header)
		sc.Body = append([]byte(nil), sc.Body...)
		queued[i] = sc
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[sid] = append(s.scripts[sid], queued...)
}

// nextScript pops the next scripted response for sid.
func (s *Server) nextScript(sid string) (Scripted, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.scripts[sid]
	if len(q) == 0 {
		return Scripted{}, false
	}
	if len(q) == 1 {
		delete(s.scripts, sid)
	} else {
		s.scripts[sid] = q[1:]
	}
	return q[0], true
}

// serveCall serves the next scripted response for sid, or its recording.
func (s *Server) serveCall(w http.ResponseWriter, r *http.Request, sid string) {
	if sc, ok := s.nextScript(sid); ok {
		if sc.Delay > 0 && !s.wait(r.Context(), sc.Delay) {
			return
		}
		if sc.Reset {
			reset(w)
			return
		}
		if sc.Status != 0 || len(sc.Header) > 0 || len(sc.Body) > 0 {
			status := sc.Status
			if status == 0 {
				status = http.StatusOK
			}
			writeResponse(w, r, response{status: status, header: sc.Header, body: sc.Body})
			return
		}
	}
	s.mu.Lock()
	c := s.calls[sid]
	s.mu.Unlock()
	if c == nil {
		writeResponse(w, r, s.notFound)
		return
	}
	writeResponse(w, r, c.resp)
}

// wait sleeps for d; it reports false if ctx ends or the server closes first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// reset closes the connection under w without a response. A TCP connection is
// closed with SO_LINGER 0, so the client sees a reset rather than an orderly
// close. Where the connection cannot be hijacked (HTTP/2), the handler aborts,
// which net/http turns into a stream reset.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
