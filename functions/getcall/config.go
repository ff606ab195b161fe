package main

import (
	"errors"
	"fmt"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/retrieve"
)

// config is getcall's configuration, read from the environment once per cold start.
type config struct {
	boot.Settings
	mode retrieve.Mode
}

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	settings, errs := boot.LoadSettings(getenv)
	cfg := config{Settings: settings, mode: retrieve.ModeWarn}
	if v := getenv("CONTRACT_MODE"); v != "" {
		m, err := retrieve.ParseMode(v)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.mode = m
	}
	if len(errs) > 0 {
		return config{}, fmt.Errorf("getcall: config: %w", errors.Join(errs...))
	}
	return cfg, nil
}
