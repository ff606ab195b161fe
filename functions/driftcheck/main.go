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
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/secrets"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("driftcheck: init: %v", err)
	}
	lambda.Start(h.Handle)
}

// newHandler loads the configuration and builds the clients, once per cold start.
func newHandler(ctx context.Context, getenv func(string) string) (*handler, error) {
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
	return newHandlerFrom(deps{
		cfg:     cfg,
		calls:   client,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}

// countStale emits SecretStaleServes each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func countStale(w *emf.Writer, functionName string) secrets.Option {
	dims := emf.Dimensions("driftcheck", functionName)
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}
