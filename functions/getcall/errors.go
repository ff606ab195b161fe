package getcall

import (
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/callwire/callwire/functions/internal/fail"
)

// classify returns the class of err in fail.Classes: getcall documents
// every errorType there, and answers HTTP with each class's status.
func classify(err error) fail.Class { return fail.Classify(err) }

// functionError is the error a direct or EventBridge invoke returns: Lambda
// reports its Type as errorType and its Message as errorMessage.
func functionError(c fail.Class, detail string) error {
	msg := c.Message
	if detail != "" {
		msg += ": " + detail
	}
	return messages.InvokeResponse_Error{Type: c.Type, Message: msg}
}
