package stack

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Samconfig is a parsed samconfig.toml: version = 0.1 and one table per
// environment and command, [env.command.parameters], where command is
// global, build, deploy and so on.
type Samconfig struct {
	// Version is the file's version key.
	Version any
	tables  map[string]any
}

// LoadSamconfig reads and parses a samconfig.toml file.
func LoadSamconfig(path string) (*Samconfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseSamconfig(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseSamconfig parses the text of a samconfig.toml file.
func ParseSamconfig(src string) (*Samconfig, error) {
	var tables map[string]any
	if _, err := toml.Decode(src, &tables); err != nil {
		return nil, err
	}
	for name, v := range tables {
		if name == "version" {
			continue
		}
		env, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("top-level key %q is not an environment table", name)
		}
		for command, t := range env {
			m, isMap := t.(map[string]any)
			if _, hasParams := m["parameters"].(map[string]any); !isMap || len(m) != 1 || !hasParams {
				return nil, fmt.Errorf("[%s.%s] must hold exactly one table, parameters", name, command)
			}
		}
	}
	return &Samconfig{Version: tables["version"], tables: tables}, nil
}

// Environments returns the names of the configuration environments, sorted.
func (c *Samconfig) Environments() []string {
	var envs []string
	for name := range c.tables {
		if name != "version" {
			envs = append(envs, name)
		}
	}
	slices.Sort(envs)
	return envs
}

// Table returns the keys of [env.command.parameters].
func (c *Samconfig) Table(env, command string) map[string]any {
	return MapAt(c.tables, env, command, "parameters")
}

// Setting returns key for env and command, looking in the command's table
// first and then in the environment's global table, as the SAM CLI does.
func (c *Samconfig) Setting(env, command, key string) (any, bool) {
	for _, cmd := range []string{command, "global"} {
		if v, ok := c.Table(env, cmd)[key]; ok {
			return v, true
		}
	}
	return nil, false
}

// StringSetting is Setting for a value that must be a string; missing is "".
func (c *Samconfig) StringSetting(env, command, key string) string {
	v, _ := c.Setting(env, command, key)
	s, _ := v.(string)
	return s
}

// ParameterOverrides returns env's deploy parameter_overrides as a map; an
// environment without them has none.
func (c *Samconfig) ParameterOverrides(env string) (map[string]string, error) {
	v, ok := c.Setting(env, "deploy", "parameter_overrides")
	if !ok {
		return map[string]string{}, nil
	}
	out, err := ParseOverrides(v)
	if err != nil {
		return nil, fmt.Errorf("[%s] parameter_overrides: %w", env, err)
	}
	return out, nil
}

// Tags returns env's deploy tags as a map; an environment without them has none.
func (c *Samconfig) Tags(env string) (map[string]string, error) {
	v, ok := c.Setting(env, "deploy", "tags")
	if !ok {
		return map[string]string{}, nil
	}
	out, err := parsePairs(v, isTagKey)
	if err != nil {
		return nil, fmt.Errorf("[%s] tags: %w", env, err)
	}
	return out, nil
}

// ParseOverrides splits SAM's parameter_overrides, a string of Key=Value
// pairs separated by spaces (values may be "double" or 'single' quoted) or an
// array of such strings, into a map. Keys are parameter names, letters and
// digits only.
func ParseOverrides(v any) (map[string]string, error) {
	return parsePairs(v, isParameterName)
}

func isParameterName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// isTagKey accepts the tag keys the SAM CLI can split off: no space, quote or =.
func isTagKey(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\"'=")
}

func parsePairs(v any, keyOK func(string) bool) (map[string]string, error) {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("array element %v is not a string", e)
			}
			parts = append(parts, s)
		}
	default:
		return nil, fmt.Errorf("value is %T, want a string or an array of strings", v)
	}
	out := map[string]string{}
	for _, s := range parts {
		for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
			key, rest, ok := strings.Cut(s, "=")
			if key == "ParameterKey" {
				return nil, errors.New("the ParameterKey=K,ParameterValue=V form is not supported; write K=V")
			}
			if !ok || !keyOK(key) {
				return nil, fmt.Errorf("want Key=Value at %q", s)
			}
			var val string
			switch {
			case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, "'"):
				q := rest[0]
				var b strings.Builder
				i := 1
				for ; i < len(rest) && rest[i] != q; i++ {
					if rest[i] == '\\' && i+1 < len(rest) {
						i++
					}
					b.WriteByte(rest[i])
				}
				if i >= len(rest) {
					return nil, fmt.Errorf("%s: unterminated quote", key)
				}
				val, s = b.String(), rest[i+1:]
				if s != "" && s[0] != ' ' && s[0] != '\t' {
					return nil, fmt.Errorf("%s: text right after the closing quote", key)
				}
			default:
				end := strings.IndexAny(rest, " \t")
				if end < 0 {
					end = len(rest)
				}
				val, s = rest[:end], rest[end:]
			}
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("%s set twice", key)
			}
			out[key] = val
		}
	}
	return out, nil
}
