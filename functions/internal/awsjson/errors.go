package awsjson

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
)

// maxMessage bounds the service's message kept in an APIError.
const maxMessage = 512

// APIError is a response that was not 2xx. It satisfies smithy.APIError, so
// code that matches SDK errors by code (errors.As(err, &apiErr) and
// apiErr.ErrorCode() == "ConditionalCheckFailedException") keeps working.
type APIError struct {
	Service    string
	Operation  string
	StatusCode int
	// Code is the error's shape name without its namespace, such as
	// "ConditionalCheckFailedException" or "ResourceNotFoundException".
	Code string
	// Message is the service's message, at most 512 bytes.
	Message string
	// RequestID is the service's x-amzn-RequestId.
	RequestID string
	// Body is the raw error document (DynamoDB's ConditionalCheckFailed
	// carries the item there when asked for).
	Body []byte
}

var _ smithy.APIError = (*APIError)(nil)

func (e *APIError) Error() string {
	s := "awsjson: " + e.Service + " " + e.Operation + ": " + http.StatusText(e.StatusCode) + " (" + e.Code + ")"
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// ErrorCode returns Code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns Message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault says whether the caller (4xx) or the service (5xx) is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	switch {
	case e.StatusCode >= 500:
		return smithy.FaultServer
	case e.StatusCode >= 400:
		return smithy.FaultClient
	default:
		return smithy.FaultUnknown
	}
}

// newAPIError reads an AWS JSON error: the code from X-Amzn-ErrorType or the
// body's __type (code or code), without namespace or ":" suffix.
func newAPIError(svc, op string, resp *http.Response, body []byte) *APIError {
	var doc struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &doc)
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = doc.Type
	}
	if code == "" {
		code = doc.Code
	}
	code = sanitizeCode(code)
	if code == "" {
		code = "UnknownError"
	}
	msg := doc.Message
	if msg == "" {
		msg = doc.MessageU
	}
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	return &APIError{Service: svc, Operation: op, StatusCode: resp.StatusCode, Code: code, Message: msg,
		RequestID: resp.Header.Get("X-Amzn-Requestid"), Body: body}
}

// sanitizeCode strips "namespace#" and ":suffix" as the SDK does.
func sanitizeCode(code string) string {
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return strings.TrimSpace(code)
}
