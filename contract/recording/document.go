package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Document is what one JSON input holds: a recording, or a HAR whose
// entries were handed out as it was read.
type Document struct {
	// Recording is set when the input is a recording.
	Recording *Recording
	// HAR is set when the input is a HAR document.
	HAR *HARSummary
}

// ErrEmpty reports an input that holds nothing but whitespace.
var ErrEmpty = errors.New("empty input")

// ReadDocument reads one JSON document from r and tells a HAR from a
// recording by its content, never by a name: a JSON object with a "log"
// member is a HAR, read entry by entry as ScanHAR reads it (fn gets each
// "Retrieve a Call" entry); anything else is read as a recording (at most
// MaxRecordingSize bytes), whose reader explains what is wrong with it. name
// is used in errors: a *HARError for a HAR (returned with the summary of
// what was read before it), a *RecordingError otherwise, ErrEmpty for an
// input of whitespace only.
func ReadDocument(name string, r io.Reader, fn func(HAREntry) error) (Document, error) {
	c := &capture{r: r, limit: MaxRecordingSize + 1}
	s, err := newHARScanner(name, c, MaxHAREntrySize)
	if err != nil {
		return Document{}, err
	}
	s.onLog = func() { c.over, c.buf = true, nil }
	tok, err := s.dec.Token()
	if errors.Is(err, io.EOF) && len(bytes.TrimLeft(c.buf, " \t\r\n")) == 0 {
		return Document{}, ErrEmpty
	}
	if err == nil && tok == json.Delim('{') {
		sum, err := s.scanTop(fn)
		if s.seenLog {
			return Document{HAR: &sum}, err
		}
	}
	// A recording: what the decoder read, then the rest.
	if !c.over {
		rest, err := io.ReadAll(io.LimitReader(r, c.limit-int64(len(c.buf))))
		if err != nil {
			return Document{}, &RecordingError{Path: name, Reason: "cannot read: " + errReason(err), Err: err}
		}
		c.buf = append(c.buf, rest...)
	}
	if c.over || int64(len(c.buf)) > MaxRecordingSize {
		return Document{}, &RecordingError{Path: name, Reason: fmt.Sprintf("not a HAR, and larger than a recording may be (%d bytes)", MaxRecordingSize)}
	}
	rec, err := ParseRecording(name, c.buf)
	if err != nil {
		return Document{}, err
	}
	return Document{Recording: rec}, nil
}

// capture keeps the first limit bytes read through it, so that an input
// read as far as telling what it is can still be parsed as a recording; it
// stops keeping them once they are past the limit or the input is a HAR.
type capture struct {
	r     io.Reader
	buf   []byte
	limit int64
	over  bool
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if !c.over {
		if int64(len(c.buf)+n) > c.limit {
			c.over, c.buf = true, nil
		} else {
			c.buf = append(c.buf, p[:n]...)
		}
	}
	return n, err
}
