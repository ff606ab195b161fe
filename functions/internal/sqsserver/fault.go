package sqsserver

import "net/http"

// Fault is an error the server returns for every request on a queue.
type Fault int

// Faults that SetFault can inject.
const (
	None         Fault = iota // serve the queue normally
	Unavailable               // 503 ServiceUnavailable, which the SDK retries
	Throttled                 // 400 RequestThrottled, which the SDK retries
	AccessDenied              // 400 AccessDenied
)

// awsError is an AWS JSON 1.0 error response.
type awsError struct {
	Status    int
	Type      string // the shape name after com.amazonaws.sqs#
	QueryCode string // the X-Amzn-Query-Error code
	Message   string
}

func (f Fault) awsError() *awsError {
	switch f {
	case Throttled:
		return &awsError{http.StatusBadRequest, "RequestThrottled", "RequestThrottled", "Rate exceeded."}
	case AccessDenied:
		return &awsError{http.StatusBadRequest, "AccessDenied", "AccessDenied", "Access to the resource is denied."}
	default:
		return &awsError{http.StatusServiceUnavailable, "ServiceUnavailable", "ServiceUnavailable", "The request has failed due to a temporary failure of the server."}
	}
}

func invalidParameter(msg string) *awsError {
	return &awsError{http.StatusBadRequest, "InvalidParameterValue", "InvalidParameterValue", msg}
}

var (
	errNoQueue       = &awsError{http.StatusBadRequest, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."}
	errSerialization = &awsError{http.StatusBadRequest, "SerializationException", "SerializationException", "The request body could not be read."}
	errInvalidAction = &awsError{http.StatusBadRequest, "InvalidAction", "InvalidAction", "The action or operation requested is invalid."}
	errUnsigned      = &awsError{http.StatusForbidden, "MissingAuthenticationToken", "MissingAuthenticationToken", "Request must be signed with AWS Signature Version 4 for sqs."}
)
