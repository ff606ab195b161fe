package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// contractMode says what getcall does with the contract check of each response.
type contractMode string

const (
	// modeWarn checks every response, logs and counts findings, and still returns the call.
	modeWarn contractMode = "warn"
	// modeStrict fails a non-conformant response with ContractViolation.
	modeStrict contractMode = "strict"
	// modeOff skips the check; the output has no "contract" member.
	modeOff contractMode = "off"
)

const defaultCacheTTL = 5 * time.Minute

// config is getcall's configuration, read from the environment once per cold start.
type config struct {
	secretID     string
	cacheTTL     time.Duration
	mode         contractMode
	functionName string // AWS_LAMBDA_FUNCTION_NAME
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{cacheTTL: defaultCacheTTL, mode: modeWarn}
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
	if v := getenv("CONTRACT_MODE"); v != "" {
		switch m := contractMode(strings.ToLower(v)); m {
		case modeWarn, modeStrict, modeOff:
			cfg.mode = m
		default:
			errs = append(errs, fmt.Errorf("CONTRACT_MODE %q must be warn, strict or off", v))
		}
	}
	if len(errs) > 0 {
		return config{}, fmt.Errorf("getcall: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}
