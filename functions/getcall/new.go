package getcall

import (
	"context"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/retrieve"
)

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(ctx context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	rt, err := boot.Start(getenv, "getcall", cfg.Settings, Metrics)
	if err != nil {
		return nil, err
	}
	return newHandlerFrom(deps{
		cfg:     cfg,
		calls:   retrieve.New(boot.Client(rt.Secrets, cfg.Settings), cfg.mode),
		secrets: rt.Secrets,
		log:     rt.Log,
		metrics: rt.Metrics,
	}), nil
}
