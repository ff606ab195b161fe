package publish

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/env"
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

// vars declares the publish function's environment, bound to c.
func vars(c *config) env.Table {
	return append(boot.Vars(&c.Settings, "EventBridge", "DynamoDB", "SQS"),
		env.Func("CONTRACT_MODE", string(retrieve.ModeWarn), "as getcall's (`warn`, `strict`, `off`); in `strict` a non-conformant response is an item failure",
			func(v string) (err error) {
				c.mode, err = retrieve.ParseMode(v)
				return err
			}),
		env.Require(env.String(&c.bus, "EVENT_BUS_NAME", "", "name or ARN of the bus (template: `CallwireBus`)")),
		env.Func("EVENT_SOURCE", defaultSource, "the events' `source`: letters, digits, `._/-`, up to 256, not `aws.*`", func(v string) error {
			if !validSource(v) || strings.HasPrefix(v, "aws.") {
				return errors.New("must be 1-256 letters, digits, '.', '_', '/' or '-', not starting with aws.")
			}
			c.source = v
			return nil
		}),
		env.Require(env.String(&c.table, "IDEMPOTENCY_TABLE", "", "the idempotency table (template: `PublishedEventsTable`)")),
		env.Func("IDEMPOTENCY_TTL_HOURS", strconv.Itoa(int(idempotency.DefaultTTL/time.Hour)), "hours a published event id is remembered, 1 to 8760",
			func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > maxTTLHours {
					return fmt.Errorf("must be a whole number of hours from 1 to %d", maxTTLHours)
				}
				c.ttl = time.Duration(n) * time.Hour
				return nil
			}),
		env.Int(&c.concurrency, "RETRIEVE_CONCURRENCY", strconv.Itoa(defaultConcurrency), "calls of one batch retrieved at once, 1 to 100", 1, maxConcurrency),
		env.Func("DEAD_LETTER_QUEUE_URL", "", "the queue for records that can never be published, sent at once with a `reason` (template: `CallbackDeadLetterQueue`); unset leaves them item failures for the redrive policy",
			func(v string) error {
				v = strings.TrimSpace(v)
				if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return errors.New("is not an http(s) queue URL")
				}
				c.deadLetterURL = v
				return nil
			}),
	)
}

// Env is the publish function's environment, as data: the README's
// configuration table and the deploy tests are built from it.
func Env() env.Table { return vars(new(config)) }

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	if err := vars(&cfg).Load(getenv); err != nil {
		return config{}, fmt.Errorf("publish: config: %w", err)
	}
	return cfg, nil
}
