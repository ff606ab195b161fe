package deploy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// samEnvironments are the config environments samconfig.toml must define.
var samEnvironments = []string{"default", "staging", "prod"}

// samSetting returns key for env, looking in the command's table first and
// then in the environment's global table, as sam does.
func samSetting(tables tomlTables, env, command, key string) (any, bool) {
	for _, table := range []string{env + "." + command + ".parameters", env + ".global.parameters"} {
		if v, ok := tables[table][key]; ok {
			return v, true
		}
	}
	return nil, false
}

func TestSamconfigEnvironments(t *testing.T) {
	t.Parallel()
	tables := mustSamconfig(t)
	if v := tables[""]["version"]; v != 0.1 {
		t.Errorf("version = %v, want 0.1", v)
	}
	for _, env := range samEnvironments {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			tests := []struct {
				command, key string
				want         any
			}{
				{"deploy", "capabilities", "CAPABILITY_IAM"},
				{"deploy", "resolve_s3", true},
				{"deploy", "confirm_changeset", env == "prod"},
				{"build", "build_in_source", true},
			}
			for _, tt := range tests {
				if got, _ := samSetting(tables, env, tt.command, tt.key); got != tt.want {
					t.Errorf("[%s.%s] %s = %v, want %v", env, tt.command, tt.key, got, tt.want)
				}
			}
			for _, key := range []string{"stack_name", "region"} {
				v, _ := samSetting(tables, env, "deploy", key)
				if s, ok := v.(string); !ok || s == "" {
					t.Errorf("%s: %s = %v, want a non-empty string", env, key, v)
				}
			}
		})
	}
	var stacks []string
	for _, env := range samEnvironments {
		v, _ := samSetting(tables, env, "deploy", "stack_name")
		stacks = append(stacks, fmt.Sprint(v))
	}
	slices.Sort(stacks)
	if len(slices.Compact(stacks)) != len(samEnvironments) {
		t.Errorf("stack names %v are not distinct; two environments would deploy over each other", stacks)
	}
}

// TestSamconfigParameters checks each environment's parameter_overrides
// against the template's Parameters: no undeclared key, every parameter
// without a default set, and every value allowed by the parameter.
func TestSamconfigParameters(t *testing.T) {
	t.Parallel()
	tables := mustSamconfig(t)
	params := mapAt(mustTemplate(t), "Parameters")
	if len(params) == 0 {
		t.Fatal("template.yaml declares no Parameters")
	}
	for _, env := range samEnvironments {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			raw, ok := samSetting(tables, env, "deploy", "parameter_overrides")
			if !ok {
				t.Fatalf("[%s.deploy.parameters] has no parameter_overrides", env)
			}
			overrides, err := parseOverrides(raw)
			if err != nil {
				t.Fatal(err)
			}
			for key, val := range overrides {
				p, ok := params[key]
				if !ok {
					t.Errorf("parameter_overrides sets %s, which template.yaml does not declare", key)
					continue
				}
				if err := checkParameterValue(mapAt(p), val); err != nil {
					t.Errorf("%s=%q: %v", key, val, err)
				}
			}
			for name, p := range params {
				if _, hasDefault := mapAt(p)["Default"]; !hasDefault {
					if _, set := overrides[name]; !set {
						t.Errorf("parameter %s has no Default and parameter_overrides does not set it", name)
					}
				}
			}
			region, _ := samSetting(tables, env, "deploy", "region")
			if arn := overrides["SignalWireSecretArn"]; arn != "" {
				if parts := strings.Split(arn, ":"); len(parts) < 4 || parts[3] != region {
					t.Errorf("SignalWireSecretArn %s is not in the stack's region %v; the functions look the secret up in their own region", arn, region)
				}
			}
		})
	}
}

// checkParameterValue applies a CloudFormation parameter's constraints.
func checkParameterValue(p map[string]any, val string) error {
	if allowed, ok := p["AllowedValues"].([]any); ok {
		found := false
		for _, a := range allowed {
			s, _ := scalarString(a)
			found = found || s == val
		}
		if !found {
			return fmt.Errorf("not one of %v", allowed)
		}
	}
	if pattern, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile("^(?:" + pattern + ")$")
		if err != nil {
			return fmt.Errorf("AllowedPattern: %w", err)
		}
		if !re.MatchString(val) {
			return fmt.Errorf("does not match %s", pattern)
		}
	}
	if p["Type"] == "Number" {
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		if lo, ok := p["MinValue"].(int); ok && n < float64(lo) {
			return fmt.Errorf("below MinValue %d", lo)
		}
		if hi, ok := p["MaxValue"].(int); ok && n > float64(hi) {
			return fmt.Errorf("above MaxValue %d", hi)
		}
	}
	return nil
}

// TestParameterDefaultsAreValid applies each parameter's constraints to its
// own Default, which CloudFormation would otherwise reject at deploy time.
func TestParameterDefaultsAreValid(t *testing.T) {
	t.Parallel()
	for name, p := range mapAt(mustTemplate(t), "Parameters") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			def, ok := mapAt(p)["Default"]
			if !ok {
				return
			}
			s, ok := scalarString(def)
			if !ok {
				t.Fatalf("Default %v is not a scalar", def)
			}
			if err := checkParameterValue(mapAt(p), s); err != nil {
				t.Errorf("Default %q: %v", s, err)
			}
		})
	}
}
