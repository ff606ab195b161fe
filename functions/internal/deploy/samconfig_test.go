package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// samEnvironments are the config environments samconfig.toml must define.
var samEnvironments = []string{"default", "prod", "staging"}

// askedAtDeploy are the parameters `sam deploy --guided` must ask for: they
// have no Default and samconfig.toml leaves them out, because no value could
// be right for every account.
var askedAtDeploy = []string{"SignalWireSecretArn"}

// stackTags are the tags every environment puts on its stack (and so on
// every resource CloudFormation tags).
var stackTags = []string{"project", "environment"}

func TestSamconfigEnvironments(t *testing.T) {
	t.Parallel()
	cfg := mustStack(t).Samconfig
	if cfg.Version != 0.1 {
		t.Errorf("version = %v, want 0.1", cfg.Version)
	}
	if diff := cmp.Diff(samEnvironments, cfg.Environments()); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
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
				if got, _ := cfg.Setting(env, tt.command, tt.key); got != tt.want {
					t.Errorf("[%s.%s] %s = %v, want %v", env, tt.command, tt.key, got, tt.want)
				}
			}
			for _, key := range []string{"stack_name", "region"} {
				if cfg.StringSetting(env, "deploy", key) == "" {
					t.Errorf("%s: %s is not a non-empty string", env, key)
				}
			}
			tags, err := cfg.Tags(env)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range stackTags {
				if tags[k] == "" {
					t.Errorf("tags = %v, want a non-empty %s", tags, k)
				}
			}
		})
	}
	envTags := map[string]string{}
	for _, env := range samEnvironments {
		tags, _ := cfg.Tags(env)
		if other, dup := envTags[tags["environment"]]; dup {
			t.Errorf("environments %s and %s have the same environment tag %q", other, env, tags["environment"])
		}
		envTags[tags["environment"]] = env
	}
	var stacks []string
	for _, env := range samEnvironments {
		stacks = append(stacks, cfg.StringSetting(env, "deploy", "stack_name"))
	}
	slices.Sort(stacks)
	if len(slices.Compact(stacks)) != len(samEnvironments) {
		t.Errorf("stack names %v are not distinct; two environments would deploy over each other", stacks)
	}
}

// TestSamconfigParameters checks each environment's parameter_overrides
// against the template's Parameters: no undeclared key, every value allowed
// by its parameter, and every parameter without a default either set or one
// that `sam deploy --guided` asks for.
func TestSamconfigParameters(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	if len(s.Parameters) == 0 {
		t.Fatal("template.yaml declares no Parameters")
	}
	for _, env := range samEnvironments {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			overrides, err := s.Samconfig.ParameterOverrides(env)
			if err != nil {
				t.Fatal(err)
			}
			for key, val := range overrides {
				p, ok := s.Parameters[key]
				if !ok {
					t.Errorf("parameter_overrides sets %s, which template.yaml does not declare", key)
					continue
				}
				if err := p.Check(val); err != nil {
					t.Errorf("%s: %v", key, err)
				}
				if slices.Contains(askedAtDeploy, key) {
					t.Errorf("parameter_overrides sets %s=%q; leave it out so sam deploy --guided asks for the real value", key, val)
				}
			}
			for name, p := range s.Parameters {
				_, set := overrides[name]
				if !p.HasDefault && !set && !slices.Contains(askedAtDeploy, name) {
					t.Errorf("parameter %s has no Default, parameter_overrides does not set it, and it is not one sam deploy --guided is expected to ask for", name)
				}
			}
		})
	}
	for _, name := range askedAtDeploy {
		if p, ok := s.Parameters[name]; !ok || p.HasDefault {
			t.Errorf("parameter %s: declared %v, has Default %v; want declared without a Default", name, ok, p.HasDefault)
		}
	}
}

// placeholderMarks are pieces of text that mark a value as a stand-in that
// was never replaced.
var placeholderMarks = []string{"replace", "example.com", "example.org", "123456789012", "changeme", "todo", "xxxx", "<", ">"}

// TestSamconfigHasNoPlaceholders reads every value in samconfig.toml: a
// placeholder that the template accepts deploys a stack that fails at every
// invocation (a secret ARN no policy matches) or mails a stranger.
func TestSamconfigHasNoPlaceholders(t *testing.T) {
	t.Parallel()
	cfg := mustStack(t).Samconfig
	for _, env := range cfg.Environments() {
		for _, command := range []string{"global", "build", "deploy"} {
			for key, v := range cfg.Table(env, command) {
				text := strings.ToLower(fmt.Sprint(v))
				for _, mark := range placeholderMarks {
					if strings.Contains(text, mark) {
						t.Errorf("[%s.%s.parameters] %s = %v contains %q, a placeholder", env, command, key, v, mark)
					}
				}
			}
		}
	}
}

// TestParameterDefaultsAreValid applies each parameter's constraints to its
// own Default, which CloudFormation would otherwise reject at deploy time.
func TestParameterDefaultsAreValid(t *testing.T) {
	t.Parallel()
	for name, p := range mustStack(t).Parameters {
		if !p.HasDefault {
			continue
		}
		if err := p.Check(p.Default); err != nil {
			t.Errorf("%s Default: %v", name, err)
		}
	}
}

// TestSecretArnPattern checks that SignalWireSecretArn accepts only what IAM
// can match: a full secret ARN with the six-character suffix Secrets Manager
// appends, in any partition, and no wildcard or placeholder.
func TestSecretArnPattern(t *testing.T) {
	t.Parallel()
	p := mustStack(t).Parameters["SignalWireSecretArn"]
	tests := []struct {
		arn  string
		want bool
	}{
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:callwire/signalwire-AbC123", true},
		{"arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:sw-a1B2c3", true},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:callwire/signalwire", false},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:REPLACE-ME-callwire-signalwire", false},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:callwire/signalwire-??????", false},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:callwire/signalwire-*", false},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:*", false},
		{"callwire/signalwire", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := p.Check(tt.arn); (err == nil) != tt.want {
			t.Errorf("Check(%q) = %v, want accepted %v", tt.arn, err, tt.want)
		}
	}
}

// TestDeploymentsResolve resolves the template for the defaults and every
// samconfig environment: every parameter has a value its constraints allow.
func TestDeploymentsResolve(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	for _, d := range mustDeployments(t) {
		for name, v := range d.Params {
			if err := s.Parameters[name].Check(v); err != nil {
				t.Errorf("%s: %s: %v", d.Name, name, err)
			}
		}
		mustResolve(t, d)
	}
}
