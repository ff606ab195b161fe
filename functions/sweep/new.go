package sweep

import (
	"context"
	"sync"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/queue"
)

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(_ context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	rt, err := boot.Start(getenv, "sweep", cfg.Settings, Metrics)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:       cfg,
		calls:     boot.Client(rt.Secrets, cfg.Settings),
		published: idempotency.New(rt.AWS, cfg.table),
		queue:     queue.NewSender(rt.AWS, cfg.queueURL),
		validator: sync.OnceValues(contract.New),
		log:       rt.Log,
		metrics:   rt.Metrics,
		dims:      emf.Dimensions("sweep", cfg.FunctionName),
		now:       time.Now,
	}
	go func() { _, _ = h.validator() }() // built beside the first secret fetch
	return h, nil
}
