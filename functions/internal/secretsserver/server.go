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
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/functions/internal/fake"
)

const opGetSecretValue = "GetSecretValue"

// Option configures a Server built by New.
type Option = fake.Option

// WithAccessKeyID makes the server refuse, as AWS does for an unknown key,
// requests signed with any other access key ID (UnrecognizedClientException).
// Tests use it to tell which credentials reached the SDK. Without it any
// signed request is accepted.
var WithAccessKeyID = fake.WithAccessKeyID

// WithRegion sets the region used in ARNs. The default is us-east-1.
var WithRegion = fake.WithRegion

// WithAccountID sets the account ID used in ARNs. The default is 123456789012.
var WithAccountID = fake.WithAccountID

// WithLogger logs one line per request: operation, secret ID, status and
// error type. Secret values are never logged. The default discards logs.
var WithLogger = fake.WithLogger

// Server is an in-memory Secrets Manager. The zero value is not usable; call New.
type Server struct {
	*fake.Server

	mu      sync.Mutex
	secrets map[string]*secret // by name
	version int
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
	s := &Server{secrets: make(map[string]*secret)}
	s.Server = fake.New(protocol, s.handle, opts...)
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
		created:   s.Now(),
	}
}

// arn builds a stable ARN; AWS appends six random characters to the name,
// here they come from a hash of the name so tests can predict them.
func (s *Server) arn(name string) string {
	sum := sha256.Sum256([]byte(name))
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", s.Region, s.AccountID, name, hex.EncodeToString(sum[:])[:6])
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
func (s *Server) SetFault(secretID string, f Fault) { s.Server.SetFault(secretID, f) }

// Requests reports how many GetSecretValue requests arrived, including rejected ones.
func (s *Server) Requests() int64 { return s.Server.Requests(opGetSecretValue) }

func (s *Server) handle(_ *http.Request, op string, body []byte) (any, string, *fake.Error) {
	if op != opGetSecretValue {
		return nil, "", protocol.UnknownOperation
	}
	return s.getSecretValue(body)
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

func (s *Server) getSecretValue(body []byte) (any, string, *fake.Error) {
	var in getSecretValueInput
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	if in.SecretID == "" {
		return nil, "", errMissingSecretID
	}
	sec, e := s.lookup(in.SecretID)
	if e != nil {
		return nil, in.SecretID, e
	}
	return getSecretValueOutput{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionID:     sec.versionID,
		SecretString:  sec.str,
		SecretBinary:  sec.binary,
		VersionStages: []string{"AWSCURRENT"},
		CreatedDate:   float64(sec.created.UnixMilli()) / 1000,
	}, in.SecretID, nil
}

// lookup resolves id as a name or a full ARN and returns the secret, or the
// fault configured for it, or ResourceNotFoundException.
func (s *Server) lookup(id string) (*secret, *fake.Error) {
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
	if e := s.FaultFor(name); e != nil {
		return nil, e
	}
	if e := s.FaultFor(id); e != nil {
		return nil, e
	}
	if sec := s.secrets[name]; sec != nil {
		return sec, nil
	}
	return nil, errNotFound
}
