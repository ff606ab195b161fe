// Command getcall is the Lambda function that retrieves one SignalWire call,
// checks the response against the pinned contract and returns it normalized
// as callwire.call.v1.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/getcall"
)

func main() {
	h, err := getcall.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("getcall: init: %v", err)
	}
	lambda.Start(h)
}
