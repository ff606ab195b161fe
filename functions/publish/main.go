// Command publish is the Lambda function that consumes the hint queue: for
// each SQS record (a status callback or the reconciliation sweep saying that
// a call changed state) it retrieves the call, checks it against the pinned
// contract, and publishes it as callwire.call.v1 in a "Call Retrieved"
// event on EventBridge, once per call and status (an idempotency record in
// DynamoDB). Records that cannot be published now come back through the
// queue (ReportBatchItemFailures).
package main

import (
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

func main() {
	h, err := newHandler(os.Getenv)
	if err != nil {
		log.Fatalf("publish: init: %v", err)
	}
	lambda.Start(h.Handle)
}

// newHandler loads the configuration and builds the clients, once per cold start.
func newHandler(getenv func(string) string) (*handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := boot.AWS(getenv)
	if err != nil {
		return nil, err
	}
	// One attempt per retrieval: in a batch a 429 or a 5xx becomes an item
	// failure that the queue brings back after the visibility timeout,
	// never a wait inside the batch.
	metrics := emf.NewWriter(os.Stdout, Metrics)
	src := boot.Secrets(awsCfg, cfg.Settings, countStale(metrics, cfg.FunctionName))
	client := boot.Client(src, cfg.Settings, signalwire.WithRetry(1, time.Millisecond, time.Millisecond))
	var dlq deadLetterSender
	if cfg.deadLetterURL != "" {
		dlq = queue.NewDeadLetters(sqs.NewFromConfig(awsCfg), cfg.deadLetterURL)
	}
	return newHandlerFrom(deps{
		cfg:   cfg,
		calls: retrieve.New(client, cfg.mode),
		store: idempotency.New(dynamodb.NewFromConfig(awsCfg), cfg.table, idempotency.WithTTL(cfg.ttl)),
		// One attempt per PutEvents request: a retried request whose first
		// try was delivered would publish its events again, beyond the
		// bound of two per event id. Failed records come back through the
		// queue instead.
		bus:     eventbridge.NewFromConfig(awsCfg, func(o *eventbridge.Options) { o.RetryMaxAttempts = 1 }),
		dlq:     dlq,
		secrets: src,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}

// countStale emits SecretStaleServes each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func countStale(w *emf.Writer, functionName string) secrets.Option {
	dims := emf.Dimensions("publish", functionName)
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}
