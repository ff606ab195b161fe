package lambdatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Result is the outcome of one invoke.
type Result struct {
	RequestID string
	// Status is the emulator's HTTP status. It is 200 for a function that
	// returned an error too; see Err.
	Status int
	// Payload is the response body exactly as the emulator sent it.
	Payload []byte
	// Err is set when the function failed: it returned an error, panicked,
	// exited or timed out. Payload then holds the error document.
	Err *FunctionError
	// Report is the invoke's REPORT line; HasReport is false when the emulator
	// wrote none (it writes none when the runtime dies before answering).
	Report    Report
	HasReport bool
	// Init holds the INIT REPORT durations of the inits that ran during this
	// invoke: the emulator starts the runtime on the first invoke, and again
	// after the runtime died.
	Init []time.Duration
	// Wall is the time from sending the request to reading the whole response,
	// measured by the client.
	Wall time.Duration
}

// FunctionError is the error document Lambda returns for a failed invoke. Its
// Type is the name of the error's dynamic type for an error the handler
// returned, or a Lambda error type such as Runtime.ExitError.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return e.Type + ": " + e.Message
}

// timeoutType is the error type Lambda reports for an invoke that ran past
// the function's timeout; the emulator sends only a plain-text message.
const timeoutType = "Sandbox.Timedout"

// classify reads the emulator's answer. A function error comes back as 200
// with Lambda's error document, a runtime that crashed as 502 with that
// document or, if the runtime died during init, with no body at all (failType,
// taken from the emulator's log, then names the error). Any other status is
// the emulator failing, not the function.
func classify(status int, body []byte, requestID, failType string) (*FunctionError, error) {
	if fe := errorDocument(body); fe != nil && (status == http.StatusOK || status == http.StatusBadGateway) {
		return fe, nil
	}
	switch {
	case status == http.StatusOK && bytes.HasPrefix(body, []byte("Task timed out after ")):
		return &FunctionError{Type: timeoutType, Message: string(bytes.TrimSpace(body))}, nil
	case status == http.StatusOK:
		return nil, nil
	case status == http.StatusBadGateway:
		if failType == "" {
			failType = "Runtime.Unknown"
		}
		return &FunctionError{
			Type:    failType,
			Message: "RequestId: " + requestID + " Error: the runtime failed without a response; see the function's logs",
		}, nil
	}
	return nil, fmt.Errorf("emulator answered HTTP %d: %s", status, oneLine(body))
}

// errorDocument returns the body as a FunctionError if it is Lambda's error
// document: a JSON object with errorType and at most errorMessage and
// stackTrace besides.
func errorDocument(body []byte) *FunctionError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil
	}
	if _, ok := doc["errorType"]; !ok {
		return nil
	}
	for k := range doc {
		switch k {
		case "errorType", "errorMessage", "stackTrace":
		default:
			return nil
		}
	}
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil {
		return nil
	}
	return &fe
}
