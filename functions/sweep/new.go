package sweep

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/queue"
)

// New loads the configuration from getenv and builds the clients and the
// handler, once per cold start; main passes os.Getenv.
func New(_ context.Context, getenv func(string) string) (*Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := boot.AWS(getenv)
	if err != nil {
		return nil, err
	}
	metrics := emf.NewWriter(os.Stdout, Metrics)
	client := boot.Client(boot.Secrets(awsCfg, cfg.Settings, boot.StaleCounter(metrics, emf.Dimensions("sweep", cfg.FunctionName))), cfg.Settings)
	h := &Handler{
		cfg:       cfg,
		calls:     client,
		published: idempotency.New(awsCfg, cfg.table),
		queue:     queue.NewSender(awsCfg, cfg.queueURL),
		validator: sync.OnceValues(contract.New),
		log:       slog.New(logcap.New(lambdacontext.NewLogHandler())),
		metrics:   metrics,
		dims:      emf.Dimensions("sweep", cfg.FunctionName),
		now:       time.Now,
	}
	go func() { _, _ = h.validator() }() // built beside the first secret fetch
	return h, nil
}
