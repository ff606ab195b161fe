package callback

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/callbackschema"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

// sourceOptions configure the secret source as the handler needs it: the
// forced refreshes after failed signature checks bounded to one per
// SIGNING_KEY_REFRESH_INTERVAL (an interval of 0 turns them off in the
// handler, which then never asks for one), and SecretStaleServes counted
// each time the last good secret stands in during an outage.
func sourceOptions(cfg config, metrics *emf.Writer) []secrets.Option {
	return []secrets.Option{secrets.WithRefreshInterval(cfg.refreshInterval), boot.StaleCounter(metrics, emf.Dimensions("callback", cfg.FunctionName))}
}

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(ctx context.Context, getenv func(string) string) (*Handler, error) {
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
	src := boot.Secrets(awsCfg, cfg.Settings, sourceOptions(cfg, metrics)...)
	return newHandlerFrom(deps{
		cfg:     cfg,
		keys:    signalwire.NewSecretCredentials(src, cfg.SecretID),
		queue:   queue.NewSender(awsCfg, cfg.queueURL),
		secrets: src,
		log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics: metrics,
	}), nil
}
