package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/callwire/callwire/functions/internal/boot"
)

const (
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
	boot.Settings
	sampleRecent  int
	probeNotFound bool
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, sampleRecent: defaultSampleRecent, probeNotFound: true}
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
