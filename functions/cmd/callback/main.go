// Command callback is the Lambda function behind the status-callback URL: it
// verifies each SignalWire voice status callback's signature, checks the
// callback against callwire's schema of it, and hands a hint (call SID,
// status, sequence number, timestamp) to an SQS queue, answering SignalWire
// at once. Nothing in the request path calls SignalWire: the consumer of the
// queue confirms each call with Retrieve a Call.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/callback"
)

func main() {
	h, err := callback.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("callback: init: %v", err)
	}
	lambda.Start(h.Handle)
}
