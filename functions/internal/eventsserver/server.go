// Package eventsserver is a loopback HTTP endpoint that speaks enough of the
// Amazon EventBridge AWS JSON 1.1 protocol (CreateEventBus, PutEvents) for
// the real AWS SDK client to talk to it through AWS_ENDPOINT_URL_EVENTBRIDGE.
// Tests and the local runner use it in place of an event bus in AWS and read
// back what was put; tests can make entries fail as EventBridge's partial
// failures do.
//
// It checks only that each request carries a SigV4 Authorization header
// scoped to events, not the signature itself. Events live only in memory and
// are never logged.
package eventsserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/callwire/callwire/functions/internal/fake"
)

const (
	// MaxEntries is the most entries one PutEvents request may carry.
	MaxEntries = 10
	// MaxRequestSize is the largest total entry size of one PutEvents
	// request, computed as EntrySize does: 256 KiB.
	MaxRequestSize = 256 << 10
	// DefaultBus is the bus every account has.
	DefaultBus = "default"
)

// The operations the server implements, as X-Amz-Target names them after
// "AWSEvents.".
const (
	OpCreateEventBus = "CreateEventBus"
	OpPutEvents      = "PutEvents"
)

// Option configures a Server built by New.
type Option = fake.Option

// WithAccountID sets the account ID in bus ARNs; the default is 123456789012.
var WithAccountID = fake.WithAccountID

// WithRegion sets the region in bus ARNs; the default is us-east-1.
var WithRegion = fake.WithRegion

// WithLogger logs one line per request: operation, status and error type,
// never an event. The default discards logs.
var WithLogger = fake.WithLogger

// Event is one event the server accepted.
type Event struct {
	ID         string
	Bus        string
	Source     string
	DetailType string
	Detail     string
	Resources  []string
	// Time is the entry's Time, or when the server accepted it.
	Time time.Time
}

// Server is an in-memory EventBridge. The zero value is not usable; call New.
type Server struct {
	*fake.Server

	mu       sync.Mutex
	buses    map[string]bool
	events   []Event
	failNext []entryFailure // injected entry failures, consumed in order
	// partial is how many entries the next PutEvents requests deliver
	// before the whole request fails (DeliverThenFail); -1 when off.
	partial int
	// delay holds each PutEvents answer after its entries were delivered.
	delay  time.Duration
	notify chan struct{} // closed and replaced when events are accepted
}

type entryFailure struct{ code, message string }

// New returns a Server with the default bus only.
func New(opts ...Option) *Server {
	s := &Server{buses: map[string]bool{DefaultBus: true}, notify: make(chan struct{}), partial: -1}
	s.Server = fake.New(protocol, s.handle, opts...)
	return s
}

// CreateBus creates the bus named name, as a deployed stack would have.
func (s *Server) CreateBus(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buses[name] = true
}

// Events returns a copy of the events accepted on the bus named bus, in the
// order they were put.
func (s *Server) Events(bus string) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Event
	for _, e := range s.events {
		if e.Bus == bus {
			e.Resources = slices.Clone(e.Resources)
			out = append(out, e)
		}
	}
	return out
}

// Accepted returns a channel that is closed the next time the server accepts
// an event, so a caller can wait without polling.
func (s *Server) Accepted() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notify
}

// FailEntries makes the next n entries that would otherwise be accepted fail
// with the given error code (such as "InternalFailure" or
// "ThrottlingException"), the way EventBridge reports a partial failure: the
// request succeeds and the entry carries ErrorCode and ErrorMessage.
func (s *Server) FailEntries(n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, entryFailure{code, "Injected failure: " + code})
	}
}

// SetFault makes every PutEvents request fail with f until it is reset with
// None.
func (s *Server) SetFault(f Fault) { s.Server.SetFault("", f) }

// DeliverThenFail makes every PutEvents request until it is reset with n < 0
// deliver its first n valid entries and then fail as a whole with 500
// InternalException. EventBridge documents no such answer (it checks a
// request before it delivers any entry, and reports entry failures one by
// one); this is the fault of an implementation that does it, such as moto
// when a later entry names a bus that does not exist. A publisher cannot
// tell from the answer that anything was delivered.
func (s *Server) DeliverThenFail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = n
}

// SetDelay holds every PutEvents answer for d after its entries were
// delivered (0 turns it off), or until the client gives up: a slow
// EventBridge whose caller times out after the events went out.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// EntrySize is the size EventBridge counts for one PutEvents entry: 14 bytes
// for a Time, and the UTF-8 lengths of Source, DetailType, Detail and each
// resource.
func EntrySize(hasTime bool, source, detailType, detail string, resources []string) int {
	n := len(source) + len(detailType) + len(detail)
	if hasTime {
		n += 14
	}
	for _, r := range resources {
		n += len(r)
	}
	return n
}

func (s *Server) handle(r *http.Request, op string, body []byte) (any, string, *fake.Error) {
	switch op {
	case OpCreateEventBus:
		return s.createEventBus(body)
	case OpPutEvents:
		out, bus, e := s.putEvents(body)
		s.mu.Lock()
		d := s.delay
		s.mu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
			}
			t.Stop()
		}
		return out, bus, e
	}
	return nil, "", protocol.UnknownOperation
}

func (s *Server) createEventBus(body []byte) (any, string, *fake.Error) {
	var in struct {
		Name string `json:"Name"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	if in.Name == "" || len(in.Name) > 256 || strings.HasPrefix(in.Name, "aws.") || strings.Contains(in.Name, "/") {
		return nil, "", validation("Event bus name is not valid.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buses[in.Name] {
		return nil, in.Name, &fake.Error{Status: http.StatusBadRequest, Type: "ResourceAlreadyExistsException", Message: "Event bus " + in.Name + " already exists."}
	}
	s.buses[in.Name] = true
	return map[string]string{"EventBusArn": s.busARN(in.Name)}, in.Name, nil
}

func (s *Server) busARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", s.Region, s.AccountID, name)
}

type putEntry struct {
	Source       string   `json:"Source"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	Resources    []string `json:"Resources"`
	Time         *float64 `json:"Time"`
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func (s *Server) putEvents(body []byte) (any, string, *fake.Error) {
	var in struct {
		Entries    []putEntry `json:"Entries"`
		EndpointID string     `json:"EndpointId"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	if in.EndpointID != "" {
		return nil, "", validation("EndpointId is not supported by this endpoint.")
	}
	if len(in.Entries) == 0 || len(in.Entries) > MaxEntries {
		return nil, "", validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	total := 0
	for _, e := range in.Entries {
		total += EntrySize(e.Time != nil, e.Source, e.DetailType, e.Detail, e.Resources)
	}
	if total > MaxRequestSize {
		return nil, "", validation("Total size of the entries in the request is over the limit.")
	}
	if e := s.FaultFor(""); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		FailedEntryCount int           `json:"FailedEntryCount"`
		Entries          []resultEntry `json:"Entries"`
	}{Entries: make([]resultEntry, len(in.Entries))}
	accepted := false
	for i, e := range in.Entries {
		if s.partial >= 0 && i >= s.partial {
			s.notifyLocked(accepted)
			return nil, "", protocol.Faults[fake.Unavailable]
		}
		res := s.acceptLocked(e)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		} else {
			accepted = true
		}
		out.Entries[i] = res
	}
	s.notifyLocked(accepted)
	return out, "", nil
}

// notifyLocked wakes the callers of Accepted when events were accepted.
func (s *Server) notifyLocked(accepted bool) {
	if accepted {
		close(s.notify)
		s.notify = make(chan struct{})
	}
}

// busName reads an EventBusName, which may be a name or an ARN.
func busName(v string) string {
	if v == "" {
		return DefaultBus
	}
	if strings.HasPrefix(v, "arn:") {
		if i := strings.LastIndex(v, "event-bus/"); i >= 0 {
			return v[i+len("event-bus/"):]
		}
	}
	return v
}

// acceptLocked checks one entry and records it, or returns its error entry.
func (s *Server) acceptLocked(e putEntry) resultEntry {
	switch {
	case e.Source == "":
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}
	case e.DetailType == "":
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument."}
	case e.Detail == "":
		return resultEntry{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument."}
	case !utf8.ValidString(e.Detail) || !isJSONObject(e.Detail) || depth(e.Detail) > MaxDetailDepth:
		return resultEntry{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	case strings.HasPrefix(e.Source, "aws."):
		return resultEntry{ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source."}
	}
	if len(s.failNext) > 0 {
		f := s.failNext[0]
		s.failNext = s.failNext[1:]
		return resultEntry{ErrorCode: f.code, ErrorMessage: f.message}
	}
	at := s.Now().UTC()
	if e.Time != nil {
		at = time.UnixMilli(int64(*e.Time * 1000)).UTC()
	}
	if !s.buses[busName(e.EventBusName)] {
		// EventBridge accepts an entry for a bus that does not exist, gives
		// it an event ID and delivers it nowhere: the request has no error
		// for it (PutEvents documents InternalException only) and no entry
		// error code names it.
		return resultEntry{EventID: fake.NewID()}
	}
	ev := Event{
		ID:         fake.NewID(),
		Bus:        busName(e.EventBusName),
		Source:     e.Source,
		DetailType: e.DetailType,
		Detail:     e.Detail,
		Resources:  slices.Clone(e.Resources),
		Time:       at,
	}
	s.events = append(s.events, ev)
	return resultEntry{EventID: ev.ID}
}

// MaxDetailDepth is how deep EventBridge documents that PutEvents processes
// nested JSON in an entry's Detail; a deeper one is refused here as
// MalformedDetail.
const MaxDetailDepth = 1100

// depth returns the deepest nesting of objects and arrays in the JSON
// document s, outside strings.
func depth(s string) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil
}
