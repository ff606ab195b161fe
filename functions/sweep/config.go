package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
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
)

// config is the sweep's configuration, read from the environment once per cold start.
type config struct {
	boot.Settings
	queueURL  string
	table     string
	window    time.Duration
	pageSize  int
	pageLimit int
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, window: defaultWindow, pageSize: defaultPageSize, pageLimit: defaultPageLimit}
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
