// Command getcall is the Lambda function that retrieves one SignalWire call,
// checks the response against the pinned contract and returns it normalized
// as callwire.call.v1.
package main

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/retrieve"
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
	src, client := boot.Clients(awsCfg, cfg.Settings)
	return newHandlerFrom(deps{
		cfg:     cfg,
		calls:   retrieve.New(client, cfg.mode),
		secrets: src,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: emf.NewWriter(os.Stdout),
	}), nil
}
