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
	"log"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/secrets"
)

func main() {
	h, err := newHandler(os.Getenv)
	if err != nil {
		log.Fatalf("sweep: init: %v", err)
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
	metrics := emf.NewWriter(os.Stdout, Metrics)
	client := boot.Client(boot.Secrets(awsCfg, cfg.Settings, countStale(metrics, cfg.FunctionName)), cfg.Settings)
	h := &handler{
		cfg:       cfg,
		calls:     client,
		published: idempotency.New(dynamodb.NewFromConfig(awsCfg), cfg.table),
		queue:     queue.NewSender(sqs.NewFromConfig(awsCfg), cfg.queueURL),
		validator: sync.OnceValues(contract.New),
		log:       slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics:   metrics,
		dims:      emf.Dimensions("sweep", cfg.FunctionName),
		now:       time.Now,
	}
	go func() { _, _ = h.validator() }() // built beside the first secret fetch
	return h, nil
}

// countStale emits SecretStaleServes each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func countStale(w *emf.Writer, functionName string) secrets.Option {
	dims := emf.Dimensions("sweep", functionName)
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}
