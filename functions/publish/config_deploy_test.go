package publish

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// deployID is the publish function's logical ID in template.yaml.
const deployID = "PublishFunction"

var loadDeployStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load("../..") })

// TestDeployConfig feeds the function's environment, as template.yaml sets
// it with the parameters' defaults and with every samconfig.toml
// environment, through loadConfig: a value the function rejects would fail
// every cold start of the deployed function.
func TestDeployConfig(t *testing.T) {
	t.Parallel()
	s, err := loadDeployStack()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deployments(stack.ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			env, err := s.Environment(d, deployID)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("loadConfig(%v): %v", env, err)
			}
			if cfg.SecretID != d.Params["SignalWireSecretArn"] || cfg.source != d.Params["CallEventSource"] {
				t.Errorf("SecretID %q, source %q: want the parameters %q and %q", cfg.SecretID, cfg.source, d.Params["SignalWireSecretArn"], d.Params["CallEventSource"])
			}
			if want, _ := strconv.Atoi(d.Params["IdempotencyTtlHours"]); cfg.ttl != time.Duration(want)*time.Hour {
				t.Errorf("ttl = %v, want the IdempotencyTtlHours parameter %v h", cfg.ttl, want)
			}
			if cfg.bus == "" || cfg.table == "" {
				t.Errorf("bus %q, table %q: want both set by the template", cfg.bus, cfg.table)
			}
		})
	}
}

// TestDeployParameterBounds feeds the edges of every parameter the
// function's environment takes from through loadConfig: what the template
// allows the code must accept, and what it refuses the code must refuse.
func TestDeployParameterBounds(t *testing.T) {
	t.Parallel()
	s, err := loadDeployStack()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deployments(stack.ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	params := s.EnvironmentParameters(deployID)
	if _, ok := params["IDEMPOTENCY_TTL_HOURS"]; !ok {
		t.Fatalf("IDEMPOTENCY_TTL_HOURS takes no parameter (%v); the template walk is broken", params)
	}
	for variable, name := range params {
		accept, reject := s.Parameters[name].Probes()
		for _, probe := range []struct {
			values []string
			want   bool
		}{{accept, true}, {reject, false}} {
			for _, v := range probe.values {
				env, err := s.Environment(ds[0].With(name, v), deployID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := loadConfig(func(k string) string { return env[k] }); (err == nil) != probe.want {
					t.Errorf("%s=%q (parameter %s): loadConfig error %v; the template allows it: %v", variable, v, name, err, probe.want)
				}
			}
		}
	}
}

// TestDeployTimeout checks the function's Timeout against what a batch
// needs: one SignalWire request's whole bound (one attempt, all calls of the
// batch at once) and the time kept for publishing after it.
func TestDeployTimeout(t *testing.T) {
	t.Parallel()
	s, err := loadDeployStack()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := stack.At(s.Template, "Resources", deployID, "Properties", "Timeout")
	secs, ok := raw.(int)
	if !ok {
		t.Fatalf("Timeout = %v, want a number of seconds", raw)
	}
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := perRequest + publishReserve; time.Duration(secs)*time.Second < need {
		t.Errorf("Timeout %ds is below one SignalWire request's bound plus the publish reserve (%v)", secs, need)
	}
}
