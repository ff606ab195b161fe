package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

// call is one loaded recording, keyed by its Call SID.
type call struct {
	source string // the file it came from, for error messages
	resp   response
	// listed is the compacted body of a 200 recording whose body is a JSON
	// object, as it appears on the List Calls page; nil for any other recording.
	listed json.RawMessage
	// status and ended are the listed body's status and end_time, for the
	// List Calls filters; empty and zero when absent or unreadable.
	status string
	ended  time.Time
}

// LoadDir loads every recording (.json) under dir, recursively; dir may also
// name one file. It loads all of them or none: the error names the file and the
// reason for a malformed recording, a request URL that does not end in
// /Calls/{sid}, or a SID recorded twice (naming both files). A dir holding no
// recordings is an error too, as it is most likely a wrong path.
func (s *Server) LoadDir(dir string) error {
	files, err := recording.FindFiles(dir)
	if err != nil {
		return fmt.Errorf("replay: load %s: %w", dir, err)
	}
	calls := make(map[string]*call)
	var order []string
	for _, f := range files {
		if !strings.EqualFold(filepath.Ext(f), ".json") {
			continue
		}
		rec, err := recording.ReadRecording(f)
		if err != nil {
			return fmt.Errorf("replay: load %s: %w", dir, err)
		}
		sid, c, err := newCall(f, rec)
		if err != nil {
			return fmt.Errorf("replay: load %s: %w", dir, err)
		}
		if prev, ok := calls[sid]; ok {
			return fmt.Errorf("replay: load %s: %w", dir, duplicateError(sid, prev.source, f))
		}
		calls[sid] = c
		order = append(order, sid)
	}
	if len(order) == 0 {
		return fmt.Errorf("replay: load %s: no recordings (.json) found", dir)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sid := range order {
		if prev, ok := s.calls[sid]; ok {
			return fmt.Errorf("replay: load %s: %w", dir, duplicateError(sid, prev.source, calls[sid].source))
		}
	}
	for _, sid := range order {
		s.calls[sid] = calls[sid]
	}
	return nil
}

// Add loads one recording. It returns an error if the request URL does not end
// in /Calls/{sid} or if a recording for that SID is already loaded.
func (s *Server) Add(rec *recording.Recording) error {
	if rec == nil {
		return errors.New("replay: add: nil recording")
	}
	sid, c, err := newCall("", rec)
	if err != nil {
		return fmt.Errorf("replay: add: %w", err)
	}
	c.source = "recording added for call " + sid
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.calls[sid]; ok {
		return fmt.Errorf("replay: add: %w", duplicateError(sid, prev.source, c.source))
	}
	s.calls[sid] = c
	return nil
}

func duplicateError(sid, first, second string) error {
	return fmt.Errorf("call %s is recorded twice: %s and %s", sid, first, second)
}

// newCall checks rec and derives its SID: the last segment of the request URL's
// path, whose parent segment must be "Calls".
func newCall(source string, rec *recording.Recording) (string, *call, error) {
	fail := func(reason string) (string, *call, error) {
		return "", nil, &recording.RecordingError{Path: source, Reason: reason}
	}
	u, err := url.Parse(rec.Request.URL)
	if err != nil {
		// The parse error quotes the URL; keep it out of the message.
		return fail("request.url is not a URL")
	}
	segs := strings.Split(u.Path, "/")
	n := len(segs)
	if n < 2 || segs[n-2] != "Calls" || segs[n-1] == "" {
		return fail("request.url path " + strings.TrimSpace(u.Path) + " does not end in /Calls/{sid}")
	}
	if rec.Response.Status < 200 || rec.Response.Status > 599 {
		return fail(fmt.Sprintf("response.status %d cannot be replayed", rec.Response.Status))
	}
	if rec.Response.Body != nil && rec.Response.BodyText != nil {
		return fail("response has both body and body_text")
	}
	c := &call{source: source, resp: responseOf(rec)}
	if rec.Response.Status == http.StatusOK && rec.Response.BodyText == nil {
		c.listed = compactObject(rec.Response.Body)
		var fields struct {
			Status  any `json:"status"`
			EndTime any `json:"end_time"`
		}
		if c.listed != nil && json.Unmarshal(c.listed, &fields) == nil {
			c.status, _ = fields.Status.(string)
			if end, ok := fields.EndTime.(string); ok {
				c.ended, _ = contract.ParseDate(end)
			}
		}
	}
	return segs[n-1], c, nil
}

// compactObject returns body compacted if it is a JSON object, else nil.
func compactObject(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, trimmed); err != nil {
		return nil
	}
	return buf.Bytes()
}
