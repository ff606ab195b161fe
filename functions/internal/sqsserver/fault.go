package sqsserver

import (
	"net/http"

	"github.com/callwire/callwire/functions/internal/fake"
)

// Fault is an error the server returns for every request on a queue.
type Fault = fake.Fault

// Faults that SetFault can inject.
const (
	None         = fake.None         // serve the queue normally
	Unavailable  = fake.Unavailable  // 503 ServiceUnavailable, which the SDK retries
	Throttled    = fake.Throttled    // 400 RequestThrottled, which the SDK retries
	AccessDenied = fake.AccessDenied // 400 AccessDenied
)

var protocol = fake.Protocol{
	Name:         "sqsserver",
	TargetPrefix: "AmazonSQS.",
	Service:      "sqs",
	ContentType:  "application/x-amz-json-1.0",
	TypePrefix:   "com.amazonaws.sqs#",
	ResourceKey:  "queue",
	MaxBody:      1 << 20,
	Unsigned: sqsError(http.StatusForbidden, "MissingAuthenticationToken", "MissingAuthenticationToken",
		"Request must be signed with AWS Signature Version 4 for sqs."),
	WrongKey: sqsError(http.StatusForbidden, "InvalidClientTokenId", "InvalidClientTokenId",
		"The security token included in the request is invalid."),
	UnknownOperation: sqsError(http.StatusBadRequest, "InvalidAction", "InvalidAction", "The action or operation requested is invalid."),
	Faults: map[fake.Fault]*fake.Error{
		fake.Unavailable: sqsError(http.StatusServiceUnavailable, "ServiceUnavailable", "ServiceUnavailable",
			"The request has failed due to a temporary failure of the server."),
		fake.Throttled:    sqsError(http.StatusBadRequest, "RequestThrottled", "RequestThrottled", "Rate exceeded."),
		fake.AccessDenied: sqsError(http.StatusBadRequest, "AccessDenied", "AccessDenied", "Access to the resource is denied."),
	},
}

// sqsError is an SQS error: its shape name and its AWS query code differ
// for some errors (QueueDoesNotExist is AWS.SimpleQueueService.NonExistentQueue).
func sqsError(status int, typ, queryCode, msg string) *fake.Error {
	return &fake.Error{Status: status, Type: typ, QueryCode: queryCode, Message: msg}
}

func invalidParameter(msg string) *fake.Error {
	return sqsError(http.StatusBadRequest, "InvalidParameterValue", "InvalidParameterValue", msg)
}

var errNoQueue = sqsError(http.StatusBadRequest, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
