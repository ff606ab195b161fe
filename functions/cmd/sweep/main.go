// Command sweep is the Lambda function that catches the status callbacks
// that never came. On a schedule (EventBridge Scheduler) it lists the calls
// that ended in a look-back window (List Calls, newest first, page by page),
// checks each against the pinned call schema, and puts every finished call
// whose event was not published yet on the queue the callbacks feed, so it
// reaches EventBridge with the same event id as if its callback had come.
//
// Each call and status is queued at most once per run. A window left unread
// (page limit, deadline, a pagination loop) is reported in a metric, a log
// line and an alarm; a run that cannot do its job fails with errorType
// InvalidRequest, CredentialsUnavailable, AccessDenied, UpstreamUnavailable
// or Internal.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/sweep"
)

func main() {
	h, err := sweep.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("sweep: init: %v", err)
	}
	lambda.Start(h.Handle)
}
