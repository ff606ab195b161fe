package dynamoserver

import "net/http"

// Fault is an error the server returns for every request on a table.
type Fault int

// Faults that SetFault can inject.
const (
	None         Fault = iota // serve the table normally
	Unavailable               // 500 InternalServerError, which the SDK retries
	Throttled                 // 400 ProvisionedThroughputExceededException, which the SDK retries
	AccessDenied              // 400 AccessDeniedException
)

// awsError is an AWS JSON 1.0 error response. Item is the old item a
// ConditionalCheckFailedException carries when the request asked for it.
type awsError struct {
	Status  int
	Type    string // the shape name after com.amazonaws.dynamodb.v20120810#
	Message string
	Item    item
}

func (f Fault) awsError() *awsError {
	switch f {
	case Throttled:
		return &awsError{http.StatusBadRequest, "ProvisionedThroughputExceededException",
			"The level of configured provisioned throughput for the table was exceeded.", nil}
	case AccessDenied:
		return &awsError{http.StatusBadRequest, "AccessDeniedException", "User is not authorized to perform this action on the table.", nil}
	default:
		return &awsError{http.StatusInternalServerError, "InternalServerError", "Internal server error", nil}
	}
}

func validation(msg string) *awsError {
	return &awsError{http.StatusBadRequest, "ValidationException", msg, nil}
}

var (
	errSerialization    = &awsError{http.StatusBadRequest, "SerializationException", "The request body could not be read.", nil}
	errUnknownOperation = &awsError{http.StatusBadRequest, "UnknownOperationException", "The operation is not supported.", nil}
	errUnsigned         = &awsError{http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token", nil}
)
