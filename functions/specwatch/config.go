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

// Var is one environment variable the function reads.
type Var struct {
	Name     string
	Required bool
	Default  string
	Doc      string
}

// Env is every environment variable the spec watch reads, in the order the
// README lists them; loadConfig reads nothing else.
var Env = []Var{
	{Name: "SPEC_URL", Default: DefaultURL, Doc: "HTTPS URL of the published OpenAPI document."},
	{Name: "SPEC_ALLOWED_HOSTS", Default: "raw.githubusercontent.com", Doc: "Comma-separated hosts SPEC_URL (and any redirect) may name."},
	{Name: "SPEC_MAX_BYTES", Default: strconv.Itoa(specdiff.MaxSpecSize), Doc: "Largest document read, in bytes (at most the default)."},
	{Name: "SPEC_FETCH_TIMEOUT", Default: defaultFetchTimeout.String(), Doc: "Timeout of the document fetch (at most 1m)."},
	{Name: "SPEC_SAMPLE_CALLS", Default: strconv.Itoa(defaultSampleCalls), Doc: "Recent live calls retrieved to judge which document reality follows (0 to 20)."},
	{Name: "IDEMPOTENCY_TABLE", Required: true, Doc: "The DynamoDB table holding the watch's one item."},
	{Name: "EVENT_BUS_NAME", Required: true, Doc: "The EventBridge bus the Spec Changed event goes to."},
	{Name: "EVENT_SOURCE", Default: defaultSource, Doc: "The event's source."},
	{Name: "SIGNALWIRE_SECRET_ID", Required: true, Doc: "Name or ARN of the SignalWire secret (for the live sample)."},
	{Name: "SECRET_CACHE_TTL", Default: boot.DefaultCacheTTL.String(), Doc: "How long the secret is served from memory."},
	{Name: "SECRET_STALE_TTL", Default: boot.DefaultStaleTTL.String(), Doc: "How long the last good secret keeps serving while Secrets Manager fails (0 turns it off)."},
	{Name: "CALLWIRE_ALLOW_LOOPBACK", Default: "false", Doc: "Tests and the local runner only: SPEC_URL and the secret's space_url may name a loopback server, over http too."},
	{Name: "AWS_LAMBDA_FUNCTION_NAME", Doc: "Set by Lambda: the metrics' FunctionName dimension."},
}

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
}

// LoadConfig reads the configuration through getenv and reports every
// problem at once; getenv is asked only for the names in Env.
func LoadConfig(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name string) string {
		i := slices.IndexFunc(Env, func(v Var) bool { return v.Name == name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("%s is read but not declared in Env", name))
			return ""
		}
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		if Env[i].Required {
			errs = append(errs, fmt.Errorf("%s is required (%s)", name, strings.TrimSuffix(Env[i].Doc, ".")))
		}
		return Env[i].Default
	}
	// boot reads the shared settings and reports their problems itself.
	settings, bootErrs := boot.LoadSettings(func(name string) string {
		if !slices.ContainsFunc(Env, func(v Var) bool { return v.Name == name }) {
			errs = append(errs, fmt.Errorf("%s is read but not declared in Env", name))
		}
		return getenv(name)
	})
	errs = append(errs, bootErrs...)
	cfg := Config{Settings: settings, Table: get("IDEMPOTENCY_TABLE"), Bus: get("EVENT_BUS_NAME"), Source: get("EVENT_SOURCE")}
	cfg.AllowedHosts = splitHosts(get("SPEC_ALLOWED_HOSTS"))
	if len(cfg.AllowedHosts) == 0 {
		errs = append(errs, errors.New("SPEC_ALLOWED_HOSTS names no host"))
	}
	u, err := parseURL(get("SPEC_URL"), cfg.AllowedHosts, settings.AllowLoopback)
	if err != nil {
		errs = append(errs, fmt.Errorf("SPEC_URL: %w", err))
	}
	cfg.URL = u
	if n, err := strconv.Atoi(get("SPEC_MAX_BYTES")); err != nil || n < 1 || n > specdiff.MaxSpecSize {
		errs = append(errs, fmt.Errorf("SPEC_MAX_BYTES must be an integer from 1 to %d", specdiff.MaxSpecSize))
	} else {
		cfg.MaxBytes = n
	}
	if d, err := time.ParseDuration(get("SPEC_FETCH_TIMEOUT")); err != nil || d <= 0 || d > maxFetchTimeout {
		errs = append(errs, fmt.Errorf("SPEC_FETCH_TIMEOUT must be a duration above 0 and at most %s, such as 10s", maxFetchTimeout))
	} else {
		cfg.FetchTimeout = d
	}
	if n, err := strconv.Atoi(get("SPEC_SAMPLE_CALLS")); err != nil || n < 0 || n > maxSampleCalls {
		errs = append(errs, fmt.Errorf("SPEC_SAMPLE_CALLS must be an integer from 0 to %d", maxSampleCalls))
	} else {
		cfg.SampleCalls = n
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("specwatch: config: %w", errors.Join(errs...))
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
