package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// Reason classifies why a secret could not be read. Its values are stable
// and short enough to use as log fields and metric labels.
type Reason string

// Reasons reported in Error.
const (
	// NotFound means the secret does not exist or is scheduled for deletion.
	NotFound Reason = "not found"
	// AccessDenied means IAM, KMS or request signing refused access.
	AccessDenied Reason = "access denied"
	// Throttled means Secrets Manager rate-limited the call; retry later.
	Throttled Reason = "throttled"
	// Unavailable means the service failed or timed out, or the caller's ctx ended.
	Unavailable Reason = "unavailable"
	// NoString means the secret has no SecretString (binary only, or empty).
	NoString Reason = "no secret string"
	// Malformed means the SecretString is not JSON that fits the target of Decode.
	Malformed Reason = "malformed"
)

// ErrUnavailable is matched (errors.Is) by every *Error whose Reason is
// Throttled or Unavailable: Secrets Manager could not answer, and no good
// value of the secret could be served in its place. Such a failure is
// expected to pass; retry after the Error's RetryAfter. The other reasons
// (not found, access denied, no secret string, malformed) need someone to
// change the secret or its permissions.
var ErrUnavailable = errors.New("secrets: secret unavailable")

// Error reports a failure to read a secret. Its text names the secret ID and
// the reason, never the secret's value.
type Error struct {
	SecretID string
	Reason   Reason
	Err      error
	// RetryAfter, when set, is how long the Source will not call Secrets
	// Manager for this secret again (the backoff after a failed fetch); a
	// read before then returns this failure again without a call.
	RetryAfter time.Duration
}

// Error returns a lowercase message such as
// `secrets: secret "callwire/signalwire": not found: <cause>`, followed by
// `; next fetch in 2s` while a backoff holds.
func (e *Error) Error() string {
	msg := fmt.Sprintf("secrets: secret %q: %s", e.SecretID, e.Reason)
	if e.Err != nil {
		msg += fmt.Sprintf(": %v", e.Err)
	}
	if e.RetryAfter > 0 {
		msg += "; next fetch in " + e.RetryAfter.Round(time.Millisecond).String()
	}
	return msg
}

// Unwrap returns the underlying cause, so errors.As reaches SDK error types
// and errors.Is reaches context.DeadlineExceeded.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrUnavailable and e is an outage (Reason
// Throttled or Unavailable).
func (e *Error) Is(target error) bool { return target == ErrUnavailable && e.outage() }

// outage reports whether e means Secrets Manager could not answer, as
// opposed to answering that the secret cannot be had: only then may the last
// good value stand in for it.
func (e *Error) outage() bool { return e.Reason == Throttled || e.Reason == Unavailable }

var errDecodeResponse = errors.New("could not decode the Secrets Manager response")

// apiError turns an error from GetSecretValue into an *Error.
func apiError(secretID string, err error) *Error {
	var deser *smithy.DeserializationError
	if errors.As(err, &deser) {
		// The response body holds the secret; keep the decoder's
		// description of it out of the error.
		return &Error{SecretID: secretID, Reason: Unavailable, Err: errDecodeResponse}
	}
	return &Error{SecretID: secretID, Reason: classify(err), Err: err}
}

func classify(err error) Reason {
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return NotFound
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Unavailable
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return Unavailable
	}
	switch apiErr.ErrorCode() {
	case "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException":
		return Throttled
	case "AccessDeniedException", "DecryptionFailure", "UnrecognizedClientException", "InvalidSignatureException",
		"IncompleteSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "MissingAuthenticationToken":
		return AccessDenied
	case "InvalidRequestException":
		// Returned for a secret that is scheduled for deletion.
		return NotFound
	default:
		return Unavailable
	}
}

// jsonError describes a json.Unmarshal failure by position and Go type only.
// encoding/json messages can quote the input ("invalid character 'x'",
// "number 12345"), and the input here is the secret.
func jsonError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var invalidErr *json.InvalidUnmarshalError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("invalid json at byte offset %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return fmt.Errorf("json value at byte offset %d does not fit go type %s", typeErr.Offset, typeErr.Type)
	case errors.As(err, &invalidErr):
		return invalidErr // describes the Go target, not the input
	default:
		return errors.New("invalid json")
	}
}
