// Command specwatch is the scheduled spec watch Lambda function: it reports
// changes to SignalWire's published OpenAPI document as a "Spec Changed"
// event, and which document live calls follow (package specwatch).
//
// It fails only when it cannot do its job, with errorType Failure.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/specwatch"
)

func main() {
	h, err := specwatch.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("specwatch: init: %v", err)
	}
	lambda.Start(h.Handle)
}
