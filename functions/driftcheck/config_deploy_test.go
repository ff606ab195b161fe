package driftcheck

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// deployID is driftcheck's logical ID in template.yaml.
const deployID = "DriftCheckFunction"

var loadDeployStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load("../..") })

// deployEnv returns a getenv over env.
func deployEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// TestDeployConfig feeds driftcheck's environment, as template.yaml sets
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
			cfg, err := loadConfig(deployEnv(env))
			if err != nil {
				t.Fatalf("loadConfig(%v): %v", env, err)
			}
			if cfg.SecretID != d.Params["SignalWireSecretArn"] {
				t.Errorf("SecretID = %q, want the SignalWireSecretArn parameter %q", cfg.SecretID, d.Params["SignalWireSecretArn"])
			}
			if got := cfg.sampleRecent; env["DRIFT_SAMPLE_RECENT"] != "" && strconv.Itoa(got) != d.Params["DriftSampleRecent"] {
				t.Errorf("sampleRecent = %d, want the DriftSampleRecent parameter %s", got, d.Params["DriftSampleRecent"])
			}
		})
	}
}

// TestDeployParameterBounds feeds the edges of every parameter driftcheck's
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
	if params["DRIFT_SAMPLE_RECENT"] == "" {
		t.Fatal("DRIFT_SAMPLE_RECENT does not take a parameter; the template walk is broken")
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
	p := s.Parameters["DriftSampleRecent"]
	if p.MaxValue == nil || *p.MaxValue != maxSampleRecent || p.MinValue == nil || *p.MinValue != 0 {
		t.Errorf("DriftSampleRecent bounds %s..%s, want 0..%d, the code's", bound(p.MinValue), bound(p.MaxValue), maxSampleRecent)
	}
}

// TestDeployTimeout checks driftcheck's Timeout against its time budget: a
// run must have room for a List Calls page and one check, each taking the
// SignalWire client's whole bound, before the margin in which no check
// starts; otherwise a slow SignalWire leaves every run empty.
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
	if need := 2*perRequest + defaultStartMargin; timeout < need {
		t.Errorf("Timeout %v is below %v: a List Calls page and one check (%v each) and the start margin %v", timeout, need, perRequest, defaultStartMargin)
	}
	if defaultReserve >= defaultStartMargin {
		t.Errorf("reserve %v is not below the start margin %v", defaultReserve, defaultStartMargin)
	}
}

func bound(v *float64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
