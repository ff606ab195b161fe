// Package recording reads what the contract suite checks offline:
// recorded exchanges (one JSON file each, as testdata/recordings holds
// them) and the "Retrieve a Call" entries of HAR files, streamed entry by
// entry so that memory is bounded by the largest exchange, not by the
// number of entries. ReadDocument tells the two formats apart. It is
// tooling, never linked into a Lambda.
package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/callwire/callwire/contract"
)

// MaxRecordingSize bounds a recording file; real exchanges are a few kilobytes.
const MaxRecordingSize = 4 << 20

// Recording is one recorded exchange, stored as a JSON file (see README, "Recording format").
type Recording struct {
	Request    RecordedRequest  `json:"request"`
	Response   RecordedResponse `json:"response"`
	RecordedAt string           `json:"recorded_at,omitempty"`
	Source     string           `json:"source,omitempty"`
	Expect     *Expectation     `json:"expect,omitempty"`
}

// RecordedRequest is the request half of a recording. It never holds an Authorization header.
type RecordedRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers,omitempty"`
}

// RecordedResponse is the response half of a recording. Body keeps a JSON body's
// bytes as they were; BodyText holds a body that is not JSON (HTML, truncated).
type RecordedResponse struct {
	Status   int             `json:"status"`
	Headers  http.Header     `json:"headers,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
	BodyText *string         `json:"body_text,omitempty"`
}

// Expectation is optional test metadata: whether the recording is conformant and
// which findings it must produce, each named by pointer or by rule.
type Expectation struct {
	Conformant bool     `json:"conformant"`
	Findings   []string `json:"findings"`
}

// RecordingError reports a recording that cannot be read or parsed.
type RecordingError struct {
	Path   string
	Reason string
	Err    error
}

func (e *RecordingError) Error() string {
	return fmt.Sprintf("recording %s: %s", e.Path, e.Reason)
}

func (e *RecordingError) Unwrap() error { return e.Err }

// ParseRecording decodes and checks one recording; name is used in errors.
func ParseRecording(name string, data []byte) (*Recording, error) {
	if len(data) > MaxRecordingSize {
		return nil, &RecordingError{Path: name, Reason: fmt.Sprintf("larger than %d bytes", MaxRecordingSize)}
	}
	var r Recording
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		// A file nested deeper than encoding/json's limit (10,000
		// levels, body included) is described as such.
		return nil, &RecordingError{Path: name, Reason: "invalid JSON: " + contract.DescribeJSONError(err), Err: err}
	}
	// dec.More reports false for a stray '}' or ']', so look at the rest.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, &RecordingError{Path: name, Reason: "trailing data after the recording"}
	}
	switch {
	case r.Request.Method == "":
		return nil, &RecordingError{Path: name, Reason: "request.method is missing"}
	case r.Request.URL == "":
		return nil, &RecordingError{Path: name, Reason: "request.url is missing"}
	case r.Response.Status < 100 || r.Response.Status > 599:
		return nil, &RecordingError{Path: name, Reason: fmt.Sprintf("response.status %d is not an HTTP status", r.Response.Status)}
	case r.Response.Body != nil && r.Response.BodyText != nil:
		return nil, &RecordingError{Path: name, Reason: "response has both body and body_text"}
	}
	r.Request.Headers = canonicalHeader(r.Request.Headers)
	r.Response.Headers = canonicalHeader(r.Response.Headers)
	if _, ok := r.Request.Headers["Authorization"]; ok {
		return nil, &RecordingError{Path: name, Reason: "request holds an Authorization header; recordings must not"}
	}
	return &r, nil
}

// canonicalHeader returns h with each field name in canonical form (field
// names are case-insensitive, RFC 9110 section 5.1, as the HAR reader and
// the replay server treat them): the values of names that differ only in
// case are joined, in lexical order of the names as written.
func canonicalHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		ck := http.CanonicalHeaderKey(k)
		if vs, ok := out[ck]; ok {
			out[ck] = append(vs, h[k]...)
		} else {
			out[ck] = slices.Clone(h[k])
		}
	}
	return out
}

// ReadRecording reads and parses the recording at path.
func ReadRecording(path string) (*Recording, error) {
	data, err := readBounded(path, MaxRecordingSize)
	if err != nil {
		return nil, &RecordingError{Path: path, Reason: "cannot read: " + errReason(err), Err: err}
	}
	return ParseRecording(path, data)
}

// Exchange returns the recording as an exchange to check.
func (r *Recording) Exchange() contract.Exchange {
	ex := contract.Exchange{
		Method: r.Request.Method,
		URL:    r.Request.URL,
		Status: r.Response.Status,
		Header: r.Response.Headers,
	}
	switch {
	case r.Response.BodyText != nil:
		ex.Body = []byte(*r.Response.BodyText)
	case r.Response.Body != nil:
		ex.Body = r.Response.Body
	}
	if ex.Header == nil {
		ex.Header = http.Header{}
	}
	return ex
}

// FindFiles returns the recordings (.json) and HAR files (.har) under root, which
// may be a file or a directory (walked recursively), in lexical order.
func FindFiles(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json", ".har":
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Size the buffer from Stat, as os.ReadFile does, so a regular file is
	// read in one call plus the one that sees EOF.
	size := 512
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() < limit {
		size = int(info.Size()) + 1
	}
	r := io.LimitReader(f, limit+1)
	data := make([]byte, 0, size)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
