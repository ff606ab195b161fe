package publish

import (
	"context"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/queue"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/signalwire"
)

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(_ context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	rt, err := boot.Start(getenv, "publish", cfg.Settings, Metrics)
	if err != nil {
		return nil, err
	}
	awsCfg := rt.AWS
	// One attempt per retrieval: in a batch a 429 or a 5xx becomes an item
	// failure that the queue brings back after the visibility timeout,
	// never a wait inside the batch.
	client := boot.Client(rt.Secrets, cfg.Settings, signalwire.WithRetry(1, time.Millisecond, time.Millisecond))
	var dlq deadLetterSender
	if cfg.deadLetterURL != "" {
		dlq = queue.NewDeadLetters(awsCfg, cfg.deadLetterURL)
	}
	return newHandlerFrom(deps{
		cfg:   cfg,
		calls: retrieve.New(client, cfg.mode),
		store: idempotency.New(awsCfg, cfg.table, idempotency.WithTTL(cfg.ttl)),
		// One attempt per PutEvents request: a retried request whose first
		// try was delivered would publish its events again, beyond the
		// bound of two per event id. Failed records come back through the
		// queue instead.
		bus:     events.New(awsCfg, cfg.bus, cfg.source, events.OneAttempt),
		dlq:     dlq,
		secrets: rt.Secrets,
		log:     rt.Log,
		metrics: rt.Metrics,
	}), nil
}
