package publish

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/retrieve"
)

// Defaults of the optional settings.
const (
	// defaultSource is the events' source when EVENT_SOURCE is not set.
	defaultSource = "callwire"
	// defaultConcurrency is how many calls of one batch are retrieved at
	// once when RETRIEVE_CONCURRENCY is not set: a batch of 10 (the event
	// source mapping's batch size) costs one upstream round trip.
	defaultConcurrency = 10
	maxConcurrency     = 100
	// maxTTLHours bounds IDEMPOTENCY_TTL_HOURS: a year.
	maxTTLHours = 8760
)

// config is the publish function's configuration, read from the environment
// once per cold start.
type config struct {
	boot.Settings
	mode retrieve.Mode
	// bus is EVENT_BUS_NAME: the name or ARN of the bus events go to.
	bus string
	// source is EVENT_SOURCE: the events' source.
	source string
	// table is IDEMPOTENCY_TABLE: the DynamoDB table of published event ids.
	table string
	// ttl is IDEMPOTENCY_TTL_HOURS: how long a published event id is remembered.
	ttl time.Duration
	// concurrency is RETRIEVE_CONCURRENCY: calls retrieved at once per batch.
	concurrency int
	// deadLetterURL is DEAD_LETTER_QUEUE_URL: the callback dead-letter
	// queue, where publish sends at once the records it can never publish
	// (with a reason attribute). "" leaves them item failures, which the
	// queue's redrive policy moves after every receive failed.
	deadLetterURL string
}

// maxSourceLen is the longest EVENT_SOURCE EventBridge accepts.
const maxSourceLen = 256

// validSource reports whether v may be EVENT_SOURCE: a dotted name such as
// "callwire" or "com.example.calls", that is ^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$.
// It is a loop, not a package-level regexp: compiling that pattern (its
// {0,255} unrolls into 255 states) took 0.6-0.8 ms and 2,850 allocations of
// every cold start (GODEBUG=inittrace=1, "init main"; the bench's "package
// inits publish" row).
func validSource(v string) bool {
	if len(v) == 0 || len(v) > maxSourceLen {
		return false
	}
	for i := range len(v) {
		c := v[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '/' && c != '-') {
			return false
		}
	}
	return true
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{
		Settings:    settings,
		mode:        retrieve.ModeWarn,
		source:      defaultSource,
		ttl:         idempotency.DefaultTTL,
		concurrency: defaultConcurrency,
	}
	if v := getenv("CONTRACT_MODE"); v != "" {
		m, err := retrieve.ParseMode(v)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.mode = m
	}
	cfg.bus = strings.TrimSpace(getenv("EVENT_BUS_NAME"))
	if cfg.bus == "" {
		errs = append(errs, errors.New("EVENT_BUS_NAME is required (name or ARN of the EventBridge bus)"))
	}
	if v := getenv("EVENT_SOURCE"); v != "" {
		if !validSource(v) || strings.HasPrefix(v, "aws.") {
			errs = append(errs, fmt.Errorf("EVENT_SOURCE %q must be 1-256 letters, digits, '.', '_', '/' or '-', not starting with aws.", v))
		}
		cfg.source = v
	}
	cfg.table = strings.TrimSpace(getenv("IDEMPOTENCY_TABLE"))
	if cfg.table == "" {
		errs = append(errs, errors.New("IDEMPOTENCY_TABLE is required (name of the DynamoDB table of published event ids)"))
	}
	if v := getenv("IDEMPOTENCY_TTL_HOURS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxTTLHours {
			errs = append(errs, fmt.Errorf("IDEMPOTENCY_TTL_HOURS %q must be a whole number of hours from 1 to %d", v, maxTTLHours))
		}
		cfg.ttl = time.Duration(n) * time.Hour
	}
	if v := getenv("RETRIEVE_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxConcurrency {
			errs = append(errs, fmt.Errorf("RETRIEVE_CONCURRENCY %q must be an integer from 1 to %d", v, maxConcurrency))
		}
		cfg.concurrency = n
	}
	if v := strings.TrimSpace(getenv("DEAD_LETTER_QUEUE_URL")); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("DEAD_LETTER_QUEUE_URL %q is not an http(s) queue URL", clip(v)))
		}
		cfg.deadLetterURL = v
	}
	if len(errs) > 0 {
		return config{}, fmt.Errorf("publish: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}
