package callback

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/pipeline"
)

// defaultRefreshInterval is the least time between two forced secret
// refreshes after failed signature checks, when
// SIGNING_KEY_REFRESH_INTERVAL is not set.
const defaultRefreshInterval = time.Minute

// callbackStatuses are the values of CallStatus SignalWire documents for
// voice status callbacks; FETCH_ON may name any of them.
var callbackStatuses = []string{
	"initiated", "ringing", "in-progress", "queued", "failed", "busy", "no-answer", "completed", "canceled",
}

// config is the callback receiver's configuration, read once per cold start.
type config struct {
	boot.Settings
	// queueURL is QUEUE_URL: the SQS queue verified callbacks go to.
	queueURL string
	// publicURL is CALLBACK_PUBLIC_URL: the URL configured in SignalWire,
	// without a query string, or "" to rebuild it from each request.
	publicURL string
	// fetchOn is FETCH_ON: the statuses whose callbacks are queued.
	fetchOn map[string]bool
	// refreshInterval is SIGNING_KEY_REFRESH_INTERVAL: the least time
	// between two secret refreshes forced by a failed signature check; 0
	// turns them off (the secret cache's TTL still applies).
	refreshInterval time.Duration
}

// vars declares the receiver's environment, bound to c.
func vars(c *config) env.Table {
	return append(boot.Vars(&c.Settings, "SQS"),
		env.Require(env.Func("QUEUE_URL", "", "the SQS queue for hints (template: `CallbackQueue`)", func(v string) error {
			c.queueURL = strings.TrimSpace(v)
			return checkQueueURL(c.queueURL)
		})),
		env.Func("CALLBACK_PUBLIC_URL", "", "the callback URL as configured in SignalWire, without a query string, when it is not the Function URL; unset rebuilds it from each request", func(v string) error {
			c.publicURL = strings.TrimSpace(v)
			return checkPublicURL(c.publicURL)
		}),
		env.Func("FETCH_ON", strings.Join(terminalStatuses(), ","), "comma-separated call statuses whose callbacks are queued; others are answered 204 and counted in `CallbacksIgnored`", func(v string) error {
			if strings.TrimSpace(v) == "" {
				v = strings.Join(terminalStatuses(), ",")
			}
			c.fetchOn = map[string]bool{}
			var errs []error
			for s := range strings.SplitSeq(v, ",") {
				s = strings.ToLower(strings.TrimSpace(s))
				if s == "" {
					continue
				}
				if !slices.Contains(callbackStatuses, s) {
					errs = append(errs, fmt.Errorf("%q is not a call status (%s)", s, strings.Join(callbackStatuses, ", ")))
					continue
				}
				c.fetchOn[s] = true
			}
			if len(errs) == 0 && len(c.fetchOn) == 0 {
				errs = append(errs, errors.New("is empty: FETCH_ON names no status; leave it unset for the terminal statuses"))
			}
			return errors.Join(errs...)
		}),
		env.Duration(&c.refreshInterval, "SIGNING_KEY_REFRESH_INTERVAL", "1m",
			"the least time between two secret refreshes forced by failed signatures or a missing key, counted when attempted; `0` turns them off",
			func(d time.Duration) error {
				if d < 0 {
					return errors.New("is not a non-negative duration such as 1m")
				}
				return nil
			}),
	)
}

// terminalStatuses are FETCH_ON's default: the statuses that end a call.
func terminalStatuses() []string {
	var ss []string
	for _, s := range pipeline.TerminalStatuses {
		ss = append(ss, string(s))
	}
	return ss
}

// Env is the receiver's environment, as data: the README's configuration
// table and the deploy tests are built from it.
func Env() env.Table { return vars(new(config)) }

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	if err := vars(&cfg).Load(getenv); err != nil {
		return config{}, fmt.Errorf("callback: config: %w", err)
	}
	return cfg, nil
}

// checkQueueURL accepts an absolute http(s) URL, as SQS queue URLs are.
func checkQueueURL(v string) error {
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("is not an http(s) queue URL")
	}
	return nil
}

// checkPublicURL accepts an absolute http(s) URL without userinfo, query or
// fragment: the URL as configured in SignalWire, to which each request's
// query string is appended.
func checkPublicURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return errors.New("must be an absolute https URL")
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.Contains(v, "#"):
		return errors.New("must not have userinfo, a query string or a fragment (the request's query string is appended)")
	}
	return nil
}
