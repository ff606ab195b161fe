// Command getcall is the Lambda function that retrieves one SignalWire call,
// checks the response against the pinned contract and returns it normalized
// as callwire.call.v1.
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
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secrets"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("getcall: init: %v", err)
	}
	lambda.Start(h)
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
	src := boot.Secrets(awsCfg, cfg.Settings, countStale(metrics, cfg.FunctionName))
	return newHandlerFrom(deps{
		cfg:     cfg,
		calls:   retrieve.New(boot.Client(src, cfg.Settings), cfg.mode),
		secrets: src,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}

// countStale emits SecretStaleServes each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func countStale(w *emf.Writer, functionName string) secrets.Option {
	dims := emf.Dimensions("getcall", functionName)
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}
