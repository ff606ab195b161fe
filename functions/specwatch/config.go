package specwatch

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/contract/specdiff"
	"github.com/callwire/callwire/functions/internal/boot"
	envtab "github.com/callwire/callwire/functions/internal/env"
)

// DefaultURL is the published Compatibility API document: the raw
// fern/apis/compatibility/openapi.yaml of SignalWire's public signalwire/docs
// repository, on its default branch.
const DefaultURL = "https://raw.githubusercontent.com/signalwire/docs/HEAD/fern/apis/compatibility/openapi.yaml"

// Bounds of the configuration.
const (
	defaultFetchTimeout = 10 * time.Second
	maxFetchTimeout     = time.Minute
	defaultSampleCalls  = 5
	maxSampleCalls      = 20
	defaultSource       = "callwire.specwatch"
)

// Config is the spec watch's configuration.
type Config struct {
	boot.Settings
	URL          *url.URL
	AllowedHosts []string
	MaxBytes     int
	FetchTimeout time.Duration
	SampleCalls  int
	Table        string
	Bus          string
	Source       string

	rawURL string // SPEC_URL, checked against AllowedHosts once all is read
}

// vars declares the spec watch's environment, bound to c. (envtab is the
// env package: the tests have a type named env.)
func vars(c *Config) envtab.Table {
	return append(boot.Vars(&c.Settings, "DynamoDB", "EventBridge"),
		envtab.String(&c.rawURL, "SPEC_URL", DefaultURL, "HTTPS URL of the published OpenAPI document"),
		envtab.Func("SPEC_ALLOWED_HOSTS", "raw.githubusercontent.com", "comma-separated hosts SPEC_URL (and any redirect) may name",
			func(v string) error {
				if c.AllowedHosts = splitHosts(v); len(c.AllowedHosts) == 0 {
					return errors.New("is empty: SPEC_ALLOWED_HOSTS names no host")
				}
				return nil
			}),
		envtab.Int(&c.MaxBytes, "SPEC_MAX_BYTES", strconv.Itoa(specdiff.MaxSpecSize), "largest document read, in bytes (at most the default)", 1, specdiff.MaxSpecSize),
		envtab.Duration(&c.FetchTimeout, "SPEC_FETCH_TIMEOUT", "10s", "timeout of the document fetch (at most 1m)",
			func(d time.Duration) error {
				if d <= 0 || d > maxFetchTimeout {
					return fmt.Errorf("must be a duration above 0 and at most %s, such as 10s", maxFetchTimeout)
				}
				return nil
			}),
		envtab.Int(&c.SampleCalls, "SPEC_SAMPLE_CALLS", strconv.Itoa(defaultSampleCalls), "recent live calls retrieved to judge which document reality follows (0 to 20)", 0, maxSampleCalls),
		envtab.Require(envtab.String(&c.Table, "IDEMPOTENCY_TABLE", "", "the DynamoDB table holding the watch's one item")),
		envtab.Require(envtab.String(&c.Bus, "EVENT_BUS_NAME", "", "the EventBridge bus the Spec Changed event goes to")),
		envtab.String(&c.Source, "EVENT_SOURCE", defaultSource, "the event's source"),
	)
}

// Env is the spec watch's environment, as data: the README's configuration
// table and the deploy tests are built from it.
func Env() envtab.Table { return vars(new(Config)) }

// loadConfig reads the configuration through getenv and reports every
// problem at once; getenv is asked only for the names in Env.
func loadConfig(getenv func(string) string) (Config, error) {
	var cfg Config
	err := vars(&cfg).Load(getenv)
	if err == nil || len(cfg.AllowedHosts) > 0 {
		u, uerr := parseURL(cfg.rawURL, cfg.AllowedHosts, cfg.AllowLoopback)
		if uerr != nil {
			err = errors.Join(err, fmt.Errorf("SPEC_URL: %w", uerr))
		}
		cfg.URL = u
	}
	if err != nil {
		return Config{}, fmt.Errorf("specwatch: config: %w", err)
	}
	return cfg, nil
}

func splitHosts(v string) []string {
	var hosts []string
	for h := range strings.SplitSeq(v, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// parseURL accepts an https URL to an allowed host, without credentials or
// fragment; with loopback allowed, also http or https to a loopback address.
func parseURL(raw string, allowed []string, loopback bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("is not a URL")
	}
	if err := checkURL(u, allowed, loopback); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL is the host guard of every URL the fetch may request, redirects
// included.
func checkURL(u *url.URL, allowed []string, loopback bool) error {
	switch {
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.Fragment != "":
		return errors.New("must not have a fragment")
	case loopback && isLoopback(u.Hostname()) && (u.Scheme == "http" || u.Scheme == "https"):
		return nil
	case u.Scheme != "https":
		return fmt.Errorf("must be https, not %q", u.Scheme)
	case !slices.Contains(allowed, strings.ToLower(u.Hostname())):
		return fmt.Errorf("host %q is not in SPEC_ALLOWED_HOSTS", u.Hostname())
	case u.Port() != "" && u.Port() != "443":
		return errors.New("must use the default https port")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
