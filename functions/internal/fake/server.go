// Package fake is the one scaffold of callwire's loopback AWS endpoints
// (secretsserver, sqsserver, dynamoserver, eventsserver): the listener, the
// request counters, fault injection by resource, the signed-request check
// and the error writer of the AWS JSON 1.0 and 1.1 protocols. Each service
// package keeps only its own operations, as a Handler.
//
// The signed-request check reads the SigV4 Authorization header's
// credential scope (access key, date, region, service, aws4_request) and
// the request date; it never recomputes the signature. Request and
// response bodies are never logged.
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Error is one AWS JSON error answer.
type Error struct {
	Status  int
	Type    string // the shape name, written after Protocol.TypePrefix in __type
	Message string
	// QueryCode is the X-Amzn-Query-Error code of an AWS-query-compatible
	// service (SQS); "" sends no such header.
	QueryCode string
	// Fields are more members of the error document, such as the Item of
	// DynamoDB's ConditionalCheckFailedException.
	Fields map[string]any
}

// Error implements error, so an *Error can also travel as one.
func (e *Error) Error() string { return e.Type + ": " + e.Message }

// ErrSerialization is the answer to a body that cannot be read or decoded.
var ErrSerialization = &Error{Status: http.StatusBadRequest, Type: "SerializationException", Message: "The request body could not be read.",
	QueryCode: "SerializationException"}

// Decode reads the JSON request body into v, or returns ErrSerialization.
func Decode(body []byte, v any) *Error {
	if err := json.Unmarshal(body, v); err != nil {
		return ErrSerialization
	}
	return nil
}

// Fault is an error a server answers for a resource instead of serving it.
type Fault int

// The faults a test can inject; each service maps them to its own errors
// in Protocol.Faults.
const (
	None         Fault = iota // serve normally
	Unavailable               // a 5xx the SDK retries
	Throttled                 // the service's throttling error, which the SDK retries
	AccessDenied              // the service's access-denied error
	NotFound                  // the service's not-found error
)

// Protocol is what one AWS JSON service looks like on the wire.
type Protocol struct {
	Name         string // the package name: log lines and errors start with it
	TargetPrefix string // of X-Amz-Target, such as "AmazonSQS."
	Service      string // the SigV4 scope's service, such as "sqs"
	ContentType  string // application/x-amz-json-1.0 or -1.1
	TypePrefix   string // before the shape name in __type, such as "com.amazonaws.sqs#"
	ResourceKey  string // the log attribute that names a resource, such as "queue"
	MaxBody      int
	// Unsigned answers a request without a SigV4 credential; WrongKey one
	// signed with another key than WithAccessKeyID's.
	Unsigned, WrongKey *Error
	// UnknownOperation answers an operation the service does not implement.
	UnknownOperation *Error
	// Faults maps each fault the service supports to its answer.
	Faults map[Fault]*Error
}

// Handler serves one operation: it returns the output document, or an
// error, and the resource it concerned (for the log).
type Handler func(r *http.Request, op string, body []byte) (out any, resource string, e *Error)

// Option configures a Server.
type Option func(*Server)

// WithAccountID sets the account ID in ARNs and URLs; the default is 123456789012.
func WithAccountID(id string) Option { return func(s *Server) { s.AccountID = id } }

// WithRegion sets the region in ARNs; the default is us-east-1.
func WithRegion(region string) Option { return func(s *Server) { s.Region = region } }

// WithLogger logs one line per request: operation, resource, status and
// error type, never a body. The default discards logs.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithClock replaces time.Now, for tests of delays, timeouts and ages.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.Now = now } }

// WithAccessKeyID makes the server refuse, as AWS does for an unknown key,
// requests signed with any other access key ID. Without it any signed
// request is accepted.
func WithAccessKeyID(id string) Option { return func(s *Server) { s.accessKeyID = id } }

// Server is the part every loopback endpoint shares. Build it with New.
type Server struct {
	AccountID string
	Region    string
	Now       func() time.Time

	proto       Protocol
	handle      Handler
	log         *slog.Logger
	accessKeyID string

	mu     sync.Mutex
	faults map[string]Fault
	url    string
	http   *http.Server

	requests sync.Map // op -> *atomic.Int64
	total    atomic.Int64
	rejected atomic.Int64
}

// New returns a Server speaking p that answers each operation with h.
func New(p Protocol, h Handler, opts ...Option) *Server {
	s := &Server{
		AccountID: "123456789012",
		Region:    "us-east-1",
		Now:       time.Now,
		proto:     p,
		handle:    h,
		log:       slog.New(slog.DiscardHandler),
		faults:    make(map[string]Fault),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Start listens on addr (such as "127.0.0.1:0") and serves in the
// background. It returns the base URL, the SDK's BaseEndpoint.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", errors.New(s.proto.Name + ": already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("%s: listen %s: %w", s.proto.Name, addr, err)
	}
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.http)
	return s.url, nil
}

// URL returns the base URL Start returned, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops a server started with Start. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.http
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Requests reports how many requests for op arrived, or, for op "", how
// many requests of any kind, rejected ones included.
func (s *Server) Requests(op string) int64 {
	if op == "" {
		return s.total.Load()
	}
	if c, ok := s.requests.Load(op); ok {
		return c.(*atomic.Int64).Load()
	}
	return 0
}

// Rejected reports how many requests were refused as unsigned or signed
// with another access key.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

// SetFault makes every request on the resource fail with f until it is
// reset with None.
func (s *Server) SetFault(resource string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == None {
		delete(s.faults, resource)
		return
	}
	s.faults[resource] = f
}

// FaultFor returns the answer of the fault set on resource, or nil.
func (s *Server) FaultFor(resource string) *Error {
	s.mu.Lock()
	f, ok := s.faults[resource]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	if e := s.proto.Faults[f]; e != nil {
		return e
	}
	return s.proto.Faults[Unavailable]
}

// ServeHTTP handles one AWS JSON request, so a server can also be mounted
// in an httptest.Server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), s.proto.TargetPrefix)
	s.total.Add(1)
	c, _ := s.requests.LoadOrStore(op, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.proto.MaxBody)+1))
	if err != nil || len(body) > s.proto.MaxBody {
		s.WriteError(w, op, "", ErrSerialization)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		s.WriteError(w, op, "", s.proto.UnknownOperation)
		return
	}
	if e := s.authenticate(r); e != nil {
		s.rejected.Add(1)
		s.WriteError(w, op, "", e)
		return
	}
	out, resource, e := s.handle(r, op, body)
	if e != nil {
		s.WriteError(w, op, resource, e)
		return
	}
	s.write(w, http.StatusOK, out)
	s.log.Info(s.proto.Name+": request", "op", op, s.proto.ResourceKey, resource, "status", http.StatusOK)
}

// authenticate checks that r carries a SigV4 Authorization header whose
// credential is scoped to the service, and its date; under WithAccessKeyID
// also which key signed it. The signature itself is not checked.
func (s *Server) authenticate(r *http.Request) *Error {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok || r.Header.Get("X-Amz-Date") == "" {
		return s.proto.Unsigned
	}
	for part := range strings.SplitSeq(rest, ",") {
		cred, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential=")
		if !ok {
			continue
		}
		scope := strings.Split(cred, "/")
		if len(scope) != 5 || scope[0] == "" || scope[3] != s.proto.Service || scope[4] != "aws4_request" {
			return s.proto.Unsigned
		}
		if s.accessKeyID != "" && scope[0] != s.accessKeyID {
			return s.proto.WrongKey
		}
		return nil
	}
	return s.proto.Unsigned
}

func (s *Server) write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalFailure","message":"encode"}`)
	}
	w.Header().Set("Content-Type", s.proto.ContentType)
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	w.Header().Set("X-Amzn-Requestid", NewID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteError writes e as the protocol's error document and logs it.
func (s *Server) WriteError(w http.ResponseWriter, op, resource string, e *Error) {
	doc := map[string]any{}
	for k, v := range e.Fields {
		doc[k] = v
	}
	doc["__type"], doc["message"] = s.proto.TypePrefix+e.Type, e.Message
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	if e.QueryCode != "" {
		w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";Sender")
	}
	s.write(w, e.Status, doc)
	s.log.Info(s.proto.Name+": request", "op", op, s.proto.ResourceKey, resource, "status", e.Status, "error_type", e.Type)
}

// NewID returns a random version 4 UUID, the shape of AWS message, event
// and request IDs.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
