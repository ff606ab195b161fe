package getcall

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// deployID is getcall's logical ID in template.yaml.
const deployID = "GetCallFunction"

var loadDeployStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load("../..") })

// deployEnv returns a getenv over env.
func deployEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// TestDeployConfig feeds getcall's environment, as template.yaml sets it
// with the parameters' defaults and with every samconfig.toml environment,
// through loadConfig: a value the function rejects would fail every cold
// start of the deployed function.
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
			cfg, err := loadConfig(deployEnv(env))
			if err != nil {
				t.Fatalf("loadConfig(%v): %v", env, err)
			}
			if cfg.SecretID != d.Params["SignalWireSecretArn"] {
				t.Errorf("SecretID = %q, want the SignalWireSecretArn parameter %q", cfg.SecretID, d.Params["SignalWireSecretArn"])
			}
			if string(cfg.mode) != d.Params["ContractMode"] {
				t.Errorf("mode = %q, want the ContractMode parameter %q", cfg.mode, d.Params["ContractMode"])
			}
		})
	}
}

// TestDeployParameterBounds feeds the edges of every parameter getcall's
// environment takes from (each allowed value, MinValue and MaxValue, and
// just outside them) through loadConfig: what the template allows the code
// must accept, and what the code accepts beyond the bounds the template
// must allow, so the two limits are the same.
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
	if len(params) == 0 {
		t.Fatal("no environment variable of getcall takes a parameter; the template walk is broken")
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
				if _, err := loadConfig(deployEnv(env)); (err == nil) != probe.want {
					t.Errorf("%s=%q (parameter %s): loadConfig error %v; the template allows it: %v", variable, v, name, err, probe.want)
				}
			}
		}
	}
}

// TestDeployTimeout checks getcall's Timeout against the SignalWire client:
// it gives one request the client's whole bound, so a slow answer is not
// cut short by a deadline the client's retry margin was not made for.
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
	timeout := time.Duration(secs) * time.Second
	perRequest := signalwire.NewHTTPClient().Timeout
	if perRequest <= 0 {
		t.Fatal("the SignalWire HTTP client has no timeout")
	}
	if timeout < perRequest {
		t.Errorf("Timeout %v is below one SignalWire request's bound %v", timeout, perRequest)
	}
	// Beyond a few requests' worth of time only a hung caller waits.
	if limit := time.Duration(math.Ceil(3*perRequest.Seconds())) * time.Second; timeout > limit {
		t.Errorf("Timeout %v is above %v, three SignalWire requests' bound; a synchronous caller would give up first", timeout, limit)
	}
}
