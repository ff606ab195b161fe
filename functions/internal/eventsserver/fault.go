package eventsserver

import "net/http"

// Fault is an error the server returns for every PutEvents request.
type Fault int

// Faults that SetFault can inject.
const (
	None         Fault = iota // accept events normally
	Unavailable               // 500 InternalException, which the SDK retries
	Throttled                 // 400 ThrottlingException, which the SDK retries
	AccessDenied              // 400 AccessDeniedException
)

// awsError is an AWS JSON 1.1 error response.
type awsError struct {
	Status  int
	Type    string
	Message string
}

func (f Fault) awsError() *awsError {
	switch f {
	case Throttled:
		return &awsError{http.StatusBadRequest, "ThrottlingException", "Rate exceeded"}
	case AccessDenied:
		return &awsError{http.StatusBadRequest, "AccessDeniedException", "User is not authorized to perform: events:PutEvents"}
	default:
		return &awsError{http.StatusInternalServerError, "InternalException", "An internal error occurred."}
	}
}

func validation(msg string) *awsError {
	return &awsError{http.StatusBadRequest, "ValidationException", msg}
}

var (
	errSerialization    = &awsError{http.StatusBadRequest, "SerializationException", "The request body could not be read."}
	errUnknownOperation = &awsError{http.StatusBadRequest, "UnknownOperationException", "The operation is not supported."}
	errUnsigned         = &awsError{http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"}
)
