// Package secretsserver is a loopback HTTP endpoint that answers the one
// Secrets Manager operation the functions call, GetSecretValue, by the AWS
// JSON 1.1 protocol (X-Amz-Target secretsmanager.GetSecretValue,
// application/x-amz-json-1.1), so the real AWS SDK client can talk to it.
// Tests and the local runner use it in place of AWS.
//
// It checks only that a request is signed at all (an Authorization header
// "AWS4-HMAC-SHA256 Credential=KEY/...") and, with WithAccessKeyID, which
// access key signed it; it does not recompute the signature. Errors have the
// shapes the SDK maps to its types (ResourceNotFoundException and the rest),
// and SetFault injects them per secret.
//
// Secret values live only in memory and are never logged.
package secretsserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	targetGetSecretValue = "secretsmanager.GetSecretValue"
	maxBodySize          = 64 << 10
)

// Option configures a Server built by New.
type Option func(*Server)

// WithAccessKeyID makes the server refuse, as AWS does for an unknown key,
// requests signed with any other access key ID (UnrecognizedClientException).
// Tests use it to tell which credentials reached the SDK. Without it any
// signed request is accepted.
func WithAccessKeyID(id string) Option {
	return func(s *Server) { s.accessKeyID = id }
}

// WithRegion sets the region used in ARNs. The default is us-east-1.
func WithRegion(region string) Option {
	return func(s *Server) { s.region = region }
}

// WithAccountID sets the account ID used in ARNs. The default is 123456789012.
func WithAccountID(id string) Option {
	return func(s *Server) { s.accountID = id }
}

// WithLogger logs one line per request: target, secret ID, status and error
// type. Secret values are never logged. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) { s.log = l }
}

// Server is an in-memory Secrets Manager. The zero value is not usable; call New.
type Server struct {
	accessKeyID string
	region      string
	accountID   string
	log         *slog.Logger

	mu      sync.Mutex
	secrets map[string]*secret // by name
	faults  map[string]Fault   // by name (or the raw SecretId when no such secret exists)
	version int
	http    *http.Server

	requests atomic.Int64
	rejected atomic.Int64
}

type secret struct {
	name      string
	arn       string
	versionID string
	str       *string
	binary    []byte
	created   time.Time
}

// New returns an empty Server.
func New(opts ...Option) *Server {
	s := &Server{
		region:    "us-east-1",
		accountID: "123456789012",
		log:       slog.New(slog.DiscardHandler),
		secrets:   make(map[string]*secret),
		faults:    make(map[string]Fault),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Put creates the secret named secretID with a SecretString, or replaces its
// value with a new version (as a rotation does). Its ARN stays the same.
func (s *Server) Put(secretID, secretString string) {
	s.put(secretID, &secretString, nil)
}

// PutBinary stores a secret that has only a SecretBinary, no SecretString.
func (s *Server) PutBinary(secretID string, b []byte) {
	s.put(secretID, nil, append([]byte(nil), b...))
}

func (s *Server) put(name string, str *string, binary []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	s.secrets[name] = &secret{
		name:      name,
		arn:       s.arn(name),
		versionID: fmt.Sprintf("00000000-0000-4000-8000-%012d", s.version),
		str:       str,
		binary:    binary,
		created:   time.Now(),
	}
}

// arn builds a stable ARN; AWS appends six random characters to the name,
// here they come from a hash of the name so tests can predict them.
func (s *Server) arn(name string) string {
	sum := sha256.Sum256([]byte(name))
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", s.region, s.accountID, name, hex.EncodeToString(sum[:])[:6])
}

// ARN returns the ARN of the secret named secretID, or "" if it does not exist.
func (s *Server) ARN(secretID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[secretID]; ok {
		return sec.arn
	}
	return ""
}

// SetFault makes every GetSecretValue for secretID (a name, or the ARN of an
// existing secret) fail with f until it is reset with None.
func (s *Server) SetFault(secretID string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == None {
		delete(s.faults, secretID)
		return
	}
	s.faults[secretID] = f
}

// Requests reports how many GetSecretValue requests arrived, including rejected ones.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Rejected reports how many GetSecretValue requests were refused because
// they were not signed, or were signed with another access key than the one
// given to WithAccessKeyID.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

// Start listens on addr (such as "127.0.0.1:0") and serves in the background.
// It returns the base URL to use as the SDK's BaseEndpoint.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", errors.New("secretsserver: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("secretsserver: listen %s: %w", addr, err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.http)
	return "http://" + ln.Addr().String(), nil
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

// ServeHTTP handles one AWS JSON 1.1 request, so the server can also be
// mounted in an httptest.Server or any http.Server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if target == targetGetSecretValue {
		s.requests.Add(1)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize))
	if err != nil {
		s.writeError(w, target, "", errSerialization)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		s.writeError(w, target, "", errUnknownOperation)
		return
	}
	if e := s.authenticate(r); e != nil {
		if target == targetGetSecretValue {
			s.rejected.Add(1)
		}
		s.writeError(w, target, "", *e)
		return
	}
	if target != targetGetSecretValue {
		s.writeError(w, target, "", errUnknownOperation)
		return
	}
	s.getSecretValue(w, body)
}

// authenticate checks that r is signed with SigV4 at all and, under
// WithAccessKeyID, by that key. The signature itself is not verified.
func (s *Server) authenticate(r *http.Request) *awsError {
	scope, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=")
	keyID, _, found := strings.Cut(scope, "/")
	if !ok || !found || keyID == "" {
		return &errIncompleteSignature
	}
	if s.accessKeyID != "" && keyID != s.accessKeyID {
		return &errUnrecognizedClient
	}
	return nil
}

type getSecretValueInput struct {
	SecretID string `json:"SecretId"`
}

type getSecretValueOutput struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionID     string   `json:"VersionId"`
	SecretString  *string  `json:"SecretString,omitempty"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"` // base64, as AWS sends blobs
	VersionStages []string `json:"VersionStages"`
	CreatedDate   float64  `json:"CreatedDate"`
}

func (s *Server) getSecretValue(w http.ResponseWriter, body []byte) {
	var in getSecretValueInput
	if err := json.Unmarshal(body, &in); err != nil {
		s.writeError(w, targetGetSecretValue, "", errSerialization)
		return
	}
	if in.SecretID == "" {
		s.writeError(w, targetGetSecretValue, "", errMissingSecretID)
		return
	}
	sec, fault := s.lookup(in.SecretID)
	if fault != None {
		s.writeError(w, targetGetSecretValue, in.SecretID, fault.awsError())
		return
	}
	if sec == nil {
		s.writeError(w, targetGetSecretValue, in.SecretID, NotFound.awsError())
		return
	}
	out := getSecretValueOutput{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionID:     sec.versionID,
		SecretString:  sec.str,
		SecretBinary:  sec.binary,
		VersionStages: []string{"AWSCURRENT"},
		CreatedDate:   float64(sec.created.UnixMilli()) / 1000,
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
	s.log.Info("secretsserver: request", "target", targetGetSecretValue, "secret_id", in.SecretID, "status", http.StatusOK)
}

// lookup resolves id as a name or a full ARN and returns the secret (nil if
// absent) and the fault configured for it.
func (s *Server) lookup(id string) (*secret, Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := id
	if strings.HasPrefix(id, "arn:") {
		for _, sec := range s.secrets {
			if sec.arn == id {
				name = sec.name
				break
			}
		}
	}
	if f, ok := s.faults[name]; ok {
		return nil, f
	}
	if f, ok := s.faults[id]; ok {
		return nil, f
	}
	return s.secrets[name], None
}

func (s *Server) writeError(w http.ResponseWriter, target, secretID string, e awsError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
	s.log.Info("secretsserver: request", "target", target, "secret_id", secretID, "status", e.Status, "error_type", e.Type)
}
