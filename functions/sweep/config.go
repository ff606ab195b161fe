package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
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

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, window: defaultWindow, pageSize: defaultPageSize, pageLimit: defaultPageLimit, ttl: idempotency.DefaultTTL}
	if cfg.queueURL = strings.TrimSpace(getenv("QUEUE_URL")); cfg.queueURL == "" {
		errs = append(errs, errors.New("QUEUE_URL is required (the callback queue's URL)"))
	}
	if cfg.table = strings.TrimSpace(getenv("IDEMPOTENCY_TABLE")); cfg.table == "" {
		errs = append(errs, errors.New("IDEMPOTENCY_TABLE is required (the published-events table)"))
	}
	if v := getenv("SWEEP_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minWindow || d > maxWindow {
			errs = append(errs, fmt.Errorf("SWEEP_WINDOW %q must be a duration from %v to %v, such as 2h", v, minWindow, maxWindow))
		}
		cfg.window = d
	}
	if err := intSetting("SWEEP_PAGE_SIZE", getenv("SWEEP_PAGE_SIZE"), 1, maxPageSize, &cfg.pageSize); err != nil {
		errs = append(errs, err)
	}
	if err := intSetting("SWEEP_PAGE_LIMIT", getenv("SWEEP_PAGE_LIMIT"), 1, maxPageLimit, &cfg.pageLimit); err != nil {
		errs = append(errs, err)
	}
	ttlHours := int(cfg.ttl / time.Hour)
	if err := intSetting("IDEMPOTENCY_TTL_HOURS", getenv("IDEMPOTENCY_TTL_HOURS"), 1, maxTTLHours, &ttlHours); err != nil {
		errs = append(errs, err)
	}
	cfg.ttl = time.Duration(ttlHours) * time.Hour
	if len(errs) > 0 {
		return config{}, fmt.Errorf("sweep: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// intSetting parses v, when set, into dst within [lo, hi].
func intSetting(name, v string, lo, hi int, dst *int) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("%s %q must be an integer from %d to %d", name, v, lo, hi)
	}
	*dst = n
	return nil
}
