package callback

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/boot"
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

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, refreshInterval: defaultRefreshInterval, fetchOn: map[string]bool{}}

	cfg.queueURL = strings.TrimSpace(getenv("QUEUE_URL"))
	if cfg.queueURL == "" {
		errs = append(errs, errors.New("QUEUE_URL is required (the URL of the SQS queue for verified callbacks)"))
	} else if u, err := url.Parse(cfg.queueURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("QUEUE_URL %q is not an http(s) queue URL", cfg.queueURL))
	}

	if v := strings.TrimSpace(getenv("CALLBACK_PUBLIC_URL")); v != "" {
		if err := checkPublicURL(v); err != nil {
			errs = append(errs, err)
		}
		cfg.publicURL = v
	}

	if v := getenv("FETCH_ON"); strings.TrimSpace(v) != "" {
		for s := range strings.SplitSeq(v, ",") {
			s = strings.ToLower(strings.TrimSpace(s))
			if s == "" {
				continue
			}
			if !slices.Contains(callbackStatuses, s) {
				errs = append(errs, fmt.Errorf("FETCH_ON: %q is not a call status (%s)", s, strings.Join(callbackStatuses, ", ")))
				continue
			}
			cfg.fetchOn[s] = true
		}
		if len(cfg.fetchOn) == 0 {
			errs = append(errs, errors.New("FETCH_ON names no status; leave it unset for the terminal statuses"))
		}
	} else {
		for _, s := range pipeline.TerminalStatuses {
			cfg.fetchOn[string(s)] = true
		}
	}

	if v := getenv("SIGNING_KEY_REFRESH_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("SIGNING_KEY_REFRESH_INTERVAL %q is not a non-negative duration such as 1m", v))
		}
		cfg.refreshInterval = d
	}

	if len(errs) > 0 {
		return config{}, fmt.Errorf("callback: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// checkPublicURL accepts an absolute http(s) URL without userinfo, query or
// fragment: the URL as configured in SignalWire, to which each request's
// query string is appended.
func checkPublicURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return fmt.Errorf("CALLBACK_PUBLIC_URL %q is not a URL", v)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return fmt.Errorf("CALLBACK_PUBLIC_URL %q must be an absolute https URL", v)
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.Contains(v, "#"):
		return fmt.Errorf("CALLBACK_PUBLIC_URL %q must not have userinfo, a query string or a fragment (the request's query string is appended)", v)
	}
	return nil
}
