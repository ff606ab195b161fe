package getcall

import (
	"errors"
	"fmt"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/retrieve"
)

// config is getcall's configuration, read from the environment once per cold start.
type config struct {
	boot.Settings
	mode retrieve.Mode
}

// vars declares getcall's environment, bound to c.
func vars(c *config) env.Table {
	return append(boot.Vars(&c.Settings),
		env.Func("CONTRACT_MODE", string(retrieve.ModeWarn), "`warn`: check every response, log and count findings, return the call; `strict`: a non-conformant response fails with `ContractViolation`; `off`: no check, no `contract` member in the output",
			func(v string) (err error) {
				if c.mode, err = retrieve.ParseMode(v); err != nil {
					return errMode
				}
				return nil
			}),
	)
}

var errMode = errors.New("must be warn, strict or off")

// Env is getcall's environment, as data: the README's configuration table
// and the deploy tests are built from it.
func Env() env.Table { return vars(new(config)) }

// loadConfig reads the configuration through getenv and reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	if err := vars(&cfg).Load(getenv); err != nil {
		return config{}, fmt.Errorf("getcall: config: %w", err)
	}
	return cfg, nil
}
