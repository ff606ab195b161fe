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
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/callbackschema"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

// sourceOptions configure the secret source as the handler needs it: the
// forced refreshes after failed signature checks bounded to one per
// SIGNING_KEY_REFRESH_INTERVAL (an interval of 0 turns them off in the
// handler, which then never asks for one), and SecretStaleServes counted
// each time the last good secret stands in during an outage.
func sourceOptions(cfg config, metrics *emf.Writer) []secrets.Option {
	return []secrets.Option{secrets.WithRefreshInterval(cfg.refreshInterval), countStale(metrics, cfg.FunctionName)}
}

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("callback: init: %v", err)
	}
	lambda.Start(h.Handle)
}

// newHandler loads the configuration and builds the clients, once per cold start.
func newHandler(ctx context.Context, getenv func(string) string) (*handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	if err := callbackschema.Compile(); err != nil {
		return nil, err
	}
	awsCfg, err := boot.AWS(getenv)
	if err != nil {
		return nil, err
	}
	metrics := emf.NewWriter(os.Stdout, Metrics)
	src, queue := boot.Secrets(awsCfg, cfg.Settings, sourceOptions(cfg, metrics)...), sqs.NewFromConfig(awsCfg)
	return newHandlerFrom(deps{
		cfg:     cfg,
		keys:    signalwire.NewSecretCredentials(src, cfg.SecretID),
		queue:   queue,
		secrets: src,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}

// countStale emits SecretStaleServes each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func countStale(w *emf.Writer, functionName string) secrets.Option {
	dims := emf.Dimensions("callback", functionName)
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}
