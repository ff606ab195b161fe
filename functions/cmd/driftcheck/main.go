// Command driftcheck is the Lambda function that checks live SignalWire
// "Retrieve a Call" exchanges against the pinned contract, on a schedule
// (EventBridge Scheduler) or on a direct invoke, and reports the drift it
// finds as one JSON report, one log line and CloudWatch metrics.
//
// Drift is reported, not thrown: the function fails only when it cannot do
// its job, with errorType InvalidRequest, CredentialsUnavailable,
// AccessDenied or UpstreamUnavailable.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/driftcheck"
)

func main() {
	h, err := driftcheck.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("driftcheck: init: %v", err)
	}
	lambda.Start(h.Handle)
}
