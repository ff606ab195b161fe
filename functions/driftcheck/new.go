package driftcheck

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/logcap"
)

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(ctx context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := boot.AWS(getenv)
	if err != nil {
		return nil, err
	}
	metrics := emf.NewWriter(os.Stdout, Metrics)
	client := boot.Client(boot.Secrets(awsCfg, cfg.Settings, boot.StaleCounter(metrics, emf.Dimensions("driftcheck", cfg.FunctionName))), cfg.Settings)
	return newHandlerFrom(deps{
		cfg:     cfg,
		calls:   client,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}
