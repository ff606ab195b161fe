package driftcheck

import (
	"fmt"
	"strconv"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/env"
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

// vars declares driftcheck's environment, bound to c.
func vars(c *config) env.Table {
	return append(boot.Vars(&c.Settings),
		env.Int(&c.sampleRecent, "DRIFT_SAMPLE_RECENT", strconv.Itoa(defaultSampleRecent),
			"recent calls a run samples when its input does not say (0 to 1000; parameter `DriftSampleRecent`)", 0, maxSampleRecent),
		env.Bool(&c.probeNotFound, "DRIFT_PROBE_NOT_FOUND", "true",
			"whether a run also checks the 404 of an unknown SID when its input does not say"),
	)
}

// Env is driftcheck's environment, as data: the README's configuration
// table and the deploy tests are built from it.
func Env() env.Table { return vars(new(config)) }

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	if err := vars(&cfg).Load(getenv); err != nil {
		return config{}, fmt.Errorf("driftcheck: config: %w", err)
	}
	return cfg, nil
}
