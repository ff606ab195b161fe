package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/callwire/callwire/functions/internal/boot"
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

// config is getcall's configuration, read from the environment once per cold start.
type config struct {
	boot.Settings
	mode contractMode
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, mode: modeWarn}
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
