package dynamoserver

import (
	"net/http"

	"github.com/callwire/callwire/functions/internal/fake"
)

// Fault is an error the server returns for every request on a table.
type Fault = fake.Fault

// Faults that SetFault can inject.
const (
	None         = fake.None         // serve the table normally
	Unavailable  = fake.Unavailable  // 500 InternalServerError, which the SDK retries
	Throttled    = fake.Throttled    // 400 ProvisionedThroughputExceededException, which the SDK retries
	AccessDenied = fake.AccessDenied // 400 AccessDeniedException
)

var protocol = fake.Protocol{
	Name:         "dynamoserver",
	TargetPrefix: "DynamoDB_20120810.",
	Service:      "dynamodb",
	ContentType:  "application/x-amz-json-1.0",
	TypePrefix:   "com.amazonaws.dynamodb.v20120810#",
	ResourceKey:  "table",
	MaxBody:      16 << 20,
	Unsigned: &fake.Error{Status: http.StatusBadRequest, Type: "MissingAuthenticationTokenException",
		Message: "Request is missing Authentication Token"},
	WrongKey: &fake.Error{Status: http.StatusBadRequest, Type: "UnrecognizedClientException",
		Message: "The security token included in the request is invalid."},
	UnknownOperation: &fake.Error{Status: http.StatusBadRequest, Type: "UnknownOperationException", Message: "The operation is not supported."},
	Faults: map[fake.Fault]*fake.Error{
		fake.Throttled: {Status: http.StatusBadRequest, Type: "ProvisionedThroughputExceededException",
			Message: "The level of configured provisioned throughput for the table was exceeded."},
		fake.AccessDenied: {Status: http.StatusBadRequest, Type: "AccessDeniedException",
			Message: "User is not authorized to perform this action on the table."},
		fake.Unavailable: {Status: http.StatusInternalServerError, Type: "InternalServerError", Message: "Internal server error"},
	},
}

func validation(msg string) *fake.Error {
	return &fake.Error{Status: http.StatusBadRequest, Type: "ValidationException", Message: msg}
}
