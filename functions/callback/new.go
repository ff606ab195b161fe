package callback

import (
	"context"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/callbackschema"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

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
	// Forced refreshes after failed signature checks are bounded to one per
	// SIGNING_KEY_REFRESH_INTERVAL (an interval of 0 turns them off in the
	// handler, which then never asks for one).
	rt, err := boot.Start(getenv, "callback", cfg.Settings, Metrics, secrets.WithRefreshInterval(cfg.refreshInterval))
	if err != nil {
		return nil, err
	}
	return newHandlerFrom(deps{
		cfg:     cfg,
		keys:    signalwire.NewSecretCredentials(rt.Secrets, cfg.SecretID),
		queue:   queue.NewSender(rt.AWS, cfg.queueURL),
		secrets: rt.Secrets,
		log:     rt.Log,
		metrics: rt.Metrics,
	}), nil
}
