package eventsserver

import (
	"net/http"

	"github.com/callwire/callwire/functions/internal/fake"
)

// Fault is an error the server returns for every PutEvents request.
type Fault = fake.Fault

// Faults that SetFault can inject.
const (
	None         = fake.None         // accept events normally
	Unavailable  = fake.Unavailable  // 500 InternalException, which the SDK retries
	Throttled    = fake.Throttled    // 400 ThrottlingException, which the SDK retries
	AccessDenied = fake.AccessDenied // 400 AccessDeniedException
)

var protocol = fake.Protocol{
	Name:         "eventsserver",
	TargetPrefix: "AWSEvents.",
	Service:      "events",
	ContentType:  "application/x-amz-json-1.1",
	ResourceKey:  "bus",
	MaxBody:      4 << 20,
	Unsigned: &fake.Error{Status: http.StatusBadRequest, Type: "MissingAuthenticationTokenException",
		Message: "Missing Authentication Token"},
	WrongKey: &fake.Error{Status: http.StatusBadRequest, Type: "UnrecognizedClientException",
		Message: "The security token included in the request is invalid."},
	UnknownOperation: &fake.Error{Status: http.StatusBadRequest, Type: "UnknownOperationException", Message: "The operation is not supported."},
	Faults: map[fake.Fault]*fake.Error{
		fake.Throttled: {Status: http.StatusBadRequest, Type: "ThrottlingException", Message: "Rate exceeded"},
		fake.AccessDenied: {Status: http.StatusBadRequest, Type: "AccessDeniedException",
			Message: "User is not authorized to perform: events:PutEvents"},
		fake.Unavailable: {Status: http.StatusInternalServerError, Type: "InternalException", Message: "An internal error occurred."},
	},
}

func validation(msg string) *fake.Error {
	return &fake.Error{Status: http.StatusBadRequest, Type: "ValidationException", Message: msg}
}
