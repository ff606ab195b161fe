package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	defaultCacheTTL     = 5 * time.Minute
	defaultSampleRecent = 20
	// maxSampleRecent is the largest List Calls page SignalWire serves.
	maxSampleRecent = 1000
	// maxCallSIDs bounds the SIDs one invocation may name.
	maxCallSIDs = 100
)

// config is driftcheck's configuration, read from the environment once per
// cold start. sampleRecent and probeNotFound are the defaults of an input
// that does not set them.
type config struct {
	secretID      string
	cacheTTL      time.Duration
	sampleRecent  int
	probeNotFound bool
	functionName  string // AWS_LAMBDA_FUNCTION_NAME
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{cacheTTL: defaultCacheTTL, sampleRecent: defaultSampleRecent, probeNotFound: true}
	var errs []error
	// Set by the Lambda runtime (and the emulator); names the metrics' FunctionName dimension.
	cfg.functionName = getenv("AWS_LAMBDA_FUNCTION_NAME")
	cfg.secretID = strings.TrimSpace(getenv("SIGNALWIRE_SECRET_ID"))
	if cfg.secretID == "" {
		errs = append(errs, errors.New("SIGNALWIRE_SECRET_ID is required (name or ARN of the SignalWire secret)"))
	}
	if v := getenv("SECRET_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("SECRET_CACHE_TTL %q is not a non-negative duration such as 5m", v))
		}
		cfg.cacheTTL = d
	}
	if v := getenv("DRIFT_SAMPLE_RECENT"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxSampleRecent {
			errs = append(errs, fmt.Errorf("DRIFT_SAMPLE_RECENT %q must be an integer from 0 to %d", v, maxSampleRecent))
		}
		cfg.sampleRecent = n
	}
	if v := getenv("DRIFT_PROBE_NOT_FOUND"); v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("DRIFT_PROBE_NOT_FOUND %q must be true or false", v))
		}
		cfg.probeNotFound = b
	}
	if len(errs) > 0 {
		return config{}, fmt.Errorf("driftcheck: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}
