// Command publish is the Lambda function that consumes the hint queue: for
// each SQS record (a status callback or the reconciliation sweep saying that
// a call changed state) it retrieves the call, checks it against the pinned
// contract, and publishes it as callwire.call.v1 in a "Call Retrieved"
// event on EventBridge, once per call and status (an idempotency record in
// DynamoDB). Records that cannot be published now come back through the
// queue (ReportBatchItemFailures).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/publish"
)

func main() {
	h, err := publish.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("publish: init: %v", err)
	}
	lambda.Start(h.Handle)
}
