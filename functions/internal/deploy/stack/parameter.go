package stack

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
)

// Parameter is one entry of a template's Parameters section.
type Parameter struct {
	Name           string
	Type           string
	Default        string
	HasDefault     bool
	AllowedValues  []string
	AllowedPattern string
	MinValue       *float64
	MaxValue       *float64
	MinLength      *int
	MaxLength      *int
}

// Parameters returns the template's parameters by name.
func Parameters(tmpl map[string]any) (map[string]Parameter, error) {
	out := map[string]Parameter{}
	for name, raw := range MapAt(tmpl, "Parameters") {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parameter %s is not a mapping", name)
		}
		p := Parameter{Name: name}
		p.Type, _ = m["Type"].(string)
		if def, ok := m["Default"]; ok {
			s, ok := ScalarString(def)
			if !ok {
				return nil, fmt.Errorf("parameter %s: Default %v is not a scalar", name, def)
			}
			p.Default, p.HasDefault = s, true
		}
		for _, a := range SliceOf(m["AllowedValues"]) {
			s, ok := ScalarString(a)
			if !ok {
				return nil, fmt.Errorf("parameter %s: AllowedValues entry %v is not a scalar", name, a)
			}
			p.AllowedValues = append(p.AllowedValues, s)
		}
		if v, ok := m["AllowedPattern"]; ok {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("parameter %s: AllowedPattern is not a string", name)
			}
			if _, err := regexp.Compile(s); err != nil {
				return nil, fmt.Errorf("parameter %s: AllowedPattern: %w", name, err)
			}
			p.AllowedPattern = s
		}
		var err error
		if p.MinValue, err = number(m, "MinValue"); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		if p.MaxValue, err = number(m, "MaxValue"); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		if p.MinLength, err = integer(m, "MinLength"); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		if p.MaxLength, err = integer(m, "MaxLength"); err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		out[name] = p
	}
	return out, nil
}

func number(m map[string]any, key string) (*float64, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	s, ok := ScalarString(v)
	if !ok {
		return nil, fmt.Errorf("%s %v is not a number", key, v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%s %v is not a number", key, v)
	}
	return &f, nil
}

func integer(m map[string]any, key string) (*int, error) {
	f, err := number(m, key)
	if f == nil || err != nil {
		return nil, err
	}
	if *f != math.Trunc(*f) {
		return nil, fmt.Errorf("%s %v is not an integer", key, *f)
	}
	n := int(*f)
	return &n, nil
}

// ErrNotAllowed marks a value a parameter's constraints reject.
var ErrNotAllowed = errors.New("not allowed")

// Check applies the parameter's constraints to val as CloudFormation does
// when a stack is created or updated. AllowedPattern must match the whole
// value.
func (p Parameter) Check(val string) error {
	if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, val) {
		return fmt.Errorf("%w: %q is not one of %q", ErrNotAllowed, val, p.AllowedValues)
	}
	if p.AllowedPattern != "" {
		re := regexp.MustCompile("^(?:" + p.AllowedPattern + ")$") // compiled once in Parameters
		if !re.MatchString(val) {
			return fmt.Errorf("%w: %q does not match %s", ErrNotAllowed, val, p.AllowedPattern)
		}
	}
	if p.MinLength != nil && len(val) < *p.MinLength {
		return fmt.Errorf("%w: %q is shorter than MinLength %d", ErrNotAllowed, val, *p.MinLength)
	}
	if p.MaxLength != nil && len(val) > *p.MaxLength {
		return fmt.Errorf("%w: %q is longer than MaxLength %d", ErrNotAllowed, val, *p.MaxLength)
	}
	if p.Type == "Number" {
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("%w: %q is not a number", ErrNotAllowed, val)
		}
		if p.MinValue != nil && n < *p.MinValue {
			return fmt.Errorf("%w: %q is below MinValue %v", ErrNotAllowed, val, *p.MinValue)
		}
		if p.MaxValue != nil && n > *p.MaxValue {
			return fmt.Errorf("%w: %q is above MaxValue %v", ErrNotAllowed, val, *p.MaxValue)
		}
	}
	return nil
}

// Probes returns values at the edges of what the parameter allows: accept
// holds values CloudFormation accepts (every AllowedValues entry, MinValue
// and MaxValue), reject the nearest values it refuses (MinValue-1,
// MaxValue+1). Feeding them through the code that reads the parameter shows
// whether the template's bounds are the code's.
func (p Parameter) Probes() (accept, reject []string) {
	accept = append(accept, p.AllowedValues...)
	if p.Type == "Number" && len(p.AllowedValues) == 0 {
		if p.MinValue != nil {
			accept = append(accept, formatNumber(*p.MinValue))
			reject = append(reject, formatNumber(*p.MinValue-1))
		}
		if p.MaxValue != nil {
			accept = append(accept, formatNumber(*p.MaxValue))
			reject = append(reject, formatNumber(*p.MaxValue+1))
		}
	}
	return accept, reject
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
