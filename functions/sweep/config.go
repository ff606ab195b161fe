package sweep

import (
	"fmt"
	"strconv"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
	envtab "github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/idempotency"
)

// Limits of the sweep's settings, shared with template.yaml's parameter bounds.
const (
	defaultWindow    = 2 * time.Hour
	minWindow        = 10 * time.Minute
	maxWindow        = 7 * 24 * time.Hour
	defaultPageSize  = 1000
	maxPageSize      = 1000
	defaultPageLimit = 50
	maxPageLimit     = 1000
	// maxTTLHours bounds IDEMPOTENCY_TTL_HOURS as publish does: a year.
	maxTTLHours = 8760
	// maxFutureEnd is how far past now a window may end: the clocks of
	// SignalWire and Lambda differ by less, and a later end is a mistake.
	maxFutureEnd = 5 * time.Minute
)

// config is the sweep's configuration, read from the environment once per cold start.
type config struct {
	boot.Settings
	queueURL  string
	table     string
	window    time.Duration
	pageSize  int
	pageLimit int
	// ttl is IDEMPOTENCY_TTL_HOURS, how long publish remembers a published
	// event id: a window longer than that, or starting before it, would
	// queue calls whose record has expired, to be published again.
	ttl time.Duration
}

// vars declares the sweep's environment, bound to c. (envtab is the env
// package: the tests have a type named env.)
func vars(c *config) envtab.Table {
	return append(boot.Vars(&c.Settings, "DynamoDB", "SQS"),
		envtab.Require(envtab.String(&c.queueURL, "QUEUE_URL", "", "the callback queue's URL (template: `CallbackQueue`)")),
		envtab.Require(envtab.String(&c.table, "IDEMPOTENCY_TABLE", "", "the published-events table (template: `PublishedEventsTable`)")),
		envtab.Duration(&c.window, "SWEEP_WINDOW", "2h", "how far back each run lists calls, 10m to 168h (parameter `SweepWindow`)", func(d time.Duration) error {
			if d < minWindow || d > maxWindow {
				return fmt.Errorf("must be a duration from %v to %v, such as 2h", minWindow, maxWindow)
			}
			return nil
		}),
		envtab.Int(&c.pageSize, "SWEEP_PAGE_SIZE", strconv.Itoa(defaultPageSize), "calls per List Calls page, 1 to 1000", 1, maxPageSize),
		envtab.Int(&c.pageLimit, "SWEEP_PAGE_LIMIT", strconv.Itoa(defaultPageLimit), "the most List Calls pages one run reads, 1 to 1000 (parameter `SweepPageLimit`)", 1, maxPageLimit),
		envtab.Func("IDEMPOTENCY_TTL_HOURS", strconv.Itoa(int(idempotency.DefaultTTL/time.Hour)),
			"as publish's, 1 to 8760; a window longer than it is refused", func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > maxTTLHours {
					return fmt.Errorf("must be an integer from 1 to %d", maxTTLHours)
				}
				c.ttl = time.Duration(n) * time.Hour
				return nil
			}),
	)
}

// Env is the sweep's environment, as data: the README's configuration
// table and the deploy tests are built from it.
func Env() envtab.Table { return vars(new(config)) }

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	if err := vars(&cfg).Load(getenv); err != nil {
		return config{}, fmt.Errorf("sweep: config: %w", err)
	}
	return cfg, nil
}
