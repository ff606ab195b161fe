// Package env declares, as data, the environment variables a function
// reads: a Table of Vars, each with its name, whether it is required, its
// default and a one-line description, bound to the setting it fills.
//
// A function's Table is the only way its configuration reaches the
// environment: Load reads exactly the declared names through the getenv it
// is given, so the deploy tests, the README's configuration tables and the
// template check are all built from the same table the code runs on. A test
// getenv (testkit.Getenv) fails on a name the table does not declare.
//
// A function declares its table as a function of its config, in the way of
// the flag package:
//
//	func vars(c *config) env.Table {
//		return env.Table{
//			env.Func("CONTRACT_MODE", "warn", "warn, strict or off", func(v string) (err error) {
//				c.mode, err = retrieve.ParseMode(v)
//				return err
//			}),
//		}
//	}
//
// so that vars(new(config)) describes it and vars(&cfg).Load(getenv) fills cfg.
package env

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Var is one environment variable.
type Var struct {
	// Name is the variable's name, such as SIGNALWIRE_SECRET_ID.
	Name string
	// Required says Load fails when the variable is unset or blank.
	Required bool
	// Default is the value used when the variable is unset or empty,
	// spelled as the variable would be ("5m", "true"); empty for none.
	Default string
	// Doc says in one line what the variable sets.
	Doc string
	// Runtime marks a variable Lambda (or the local runner) sets, such as
	// AWS_REGION: a template never declares it.
	Runtime bool

	set func(string) error
}

// Func declares a variable whose value set parses; set's error says what
// is wrong with the value ("must be true or false") and Load prefixes it
// with the name and the value.
func Func(name, def, doc string, set func(string) error) Var {
	return Var{Name: name, Default: def, Doc: doc, set: set}
}

// String declares a variable read into p, trimmed of surrounding space.
func String(p *string, name, def, doc string) Var {
	return Func(name, def, doc, func(v string) error {
		*p = strings.TrimSpace(v)
		return nil
	})
}

// Bool declares a variable read into p: true or false.
func Bool(p *bool, name, def, doc string) Var {
	return Func(name, def, doc, func(v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return errors.New("must be true or false")
		}
		*p = b
		return nil
	})
}

// Duration declares a variable read into p with time.ParseDuration and
// checked by check (nil for none).
func Duration(p *time.Duration, name, def, doc string, check func(time.Duration) error) Var {
	return Func(name, def, doc, func(v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return errors.New("is not a duration such as 5m")
		}
		if check != nil {
			if err := check(d); err != nil {
				return err
			}
		}
		*p = d
		return nil
	})
}

// Int declares a variable read into p, an integer from lo to hi.
func Int(p *int, name, def, doc string, lo, hi int) Var {
	return Func(name, def, doc, func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be an integer from %d to %d", lo, hi)
		}
		*p = n
		return nil
	})
}

// Require returns v marked required.
func Require(v Var) Var {
	v.Required = true
	return v
}

// Runtime returns v marked as set by the runtime.
func Runtime(v Var) Var {
	v.Runtime = true
	return v
}

// Table is the environment a function reads.
type Table []Var

// Load reads every declared variable through getenv, once each, in table
// order: an unset or empty variable takes its default (if any), a required
// one that is blank is an error, and every value is parsed into its
// setting. It reports every problem at once.
func (t Table) Load(getenv func(string) string) error {
	var errs []error
	for _, v := range t {
		if v.set == nil {
			continue // declared only: read elsewhere (boot.AWS) or by the runtime
		}
		raw := getenv(v.Name)
		if strings.TrimSpace(raw) == "" {
			if v.Required {
				errs = append(errs, fmt.Errorf("%s is required: %s", v.Name, v.Doc))
				continue
			}
			if raw == "" {
				raw = v.Default
			}
			if raw == "" {
				continue
			}
		}
		if err := v.set(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s %q %w", v.Name, echo(raw), err))
		}
	}
	return errors.Join(errs...)
}

// maxEcho is the most of a refused value an error repeats.
const maxEcho = 64

// echo is raw as an error may repeat it: a URL's userinfo (which may hold a
// password or token) replaced by "redacted", and clipped to maxEcho bytes on
// a rune boundary, so neither a secret nor a megabyte reaches a log.
func echo(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil {
		u.User = url.User("redacted")
		raw = u.String()
	} else if i := strings.Index(raw, "@"); i >= 0 && strings.Contains(raw[:i], "://") {
		raw = raw[:strings.Index(raw, "://")+3] + "redacted" + raw[i:]
	}
	if len(raw) <= maxEcho {
		return raw
	}
	raw = raw[:maxEcho]
	for !utf8.ValidString(raw) {
		raw = raw[:len(raw)-1]
	}
	return raw + "..."
}

// Names returns the declared names in table order.
func (t Table) Names() []string {
	names := make([]string, len(t))
	for i, v := range t {
		names[i] = v.Name
	}
	return names
}

// Lookup returns the variable named name.
func (t Table) Lookup(name string) (Var, bool) {
	for _, v := range t {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}
