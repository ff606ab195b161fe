package callback

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
)

// deployID is the callback receiver's logical ID in template.yaml.
const deployID = "CallbackFunction"

var loadDeployStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load("../..") })

// deployEnv returns a getenv over env.
func deployEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func mustDeployStack(t *testing.T) (*stack.Stack, []stack.Deployment) {
	t.Helper()
	s, err := loadDeployStack()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deployments(stack.ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	return s, ds
}

// TestDeployConfig feeds the receiver's environment, as template.yaml sets
// it with the parameters' defaults and with every samconfig.toml
// environment, through loadConfig: a value the function rejects would fail
// every cold start of the deployed function.
func TestDeployConfig(t *testing.T) {
	t.Parallel()
	s, ds := mustDeployStack(t)
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
			if cfg.AllowLoopback {
				t.Error("the deployed receiver allows a loopback space_url")
			}
			if want := strings.Split(d.Params["CallbackFetchOn"], ","); !slices.Equal(slices.Sorted(maps.Keys(cfg.fetchOn)), slices.Sorted(slices.Values(want))) {
				t.Errorf("fetchOn = %v, want the CallbackFetchOn parameter %v", cfg.fetchOn, want)
			}
			if cfg.publicURL != d.Params["CallbackPublicUrl"] {
				t.Errorf("publicURL = %q, want the CallbackPublicUrl parameter %q", cfg.publicURL, d.Params["CallbackPublicUrl"])
			}
			if !strings.HasPrefix(cfg.queueURL, "https://sqs."+d.Region+".amazonaws.com/") {
				t.Errorf("queueURL = %q, want the callback queue's URL in %s", cfg.queueURL, d.Region)
			}
			if cfg.refreshInterval <= 0 {
				t.Errorf("refreshInterval = %v: a key reset would go unseen until the cache expires", cfg.refreshInterval)
			}
		})
	}
}

// TestDeployParameterBounds feeds the values at the edges of every
// parameter the receiver's environment takes from through loadConfig, and
// checks them against the parameter's own constraints: what the template
// allows the code must accept, and what the code refuses the template must
// refuse too, so a stack never deploys a receiver that fails every cold
// start.
func TestDeployParameterBounds(t *testing.T) {
	t.Parallel()
	s, ds := mustDeployStack(t)
	params := s.EnvironmentParameters(deployID)
	for _, v := range []string{"FETCH_ON", "CALLBACK_PUBLIC_URL", "SIGNALWIRE_SECRET_ID"} {
		if params[v] == "" {
			t.Fatalf("%s does not take a parameter; the template walk is broken (%v)", v, params)
		}
	}
	// probes are values of each parameter that either side may get wrong.
	probes := map[string][]string{
		"CallbackFetchOn": append(slices.Clone(callbackStatuses),
			strings.Join(callbackStatuses, ","), "completed,busy,failed,no-answer,canceled",
			"", "answered", "completed,", ",completed", "completed,,busy", "Completed", "in progress", "completed,answered"),
		"CallbackPublicUrl": {
			"", "https://hooks.example.com/signalwire/status", "https://hooks.example.com", "https://hooks.example.com:8443/a/b",
			"https://u@hooks.example.com/x", "https://u:p@hooks.example.com/x", "https://hooks.example.com/x?token=1",
			"https://hooks.example.com/x?", "https://hooks.example.com/x#f", "https://", "ftp://hooks.example.com/x",
			"hooks.example.com/x", "https://hooks.example.com/a b", "http://hooks.example.com/x",
		},
	}
	for variable, name := range params {
		p := s.Parameters[name]
		accept, reject := p.Probes()
		values := append(append(probes[name], accept...), reject...)
		if name == "SignalWireSecretArn" {
			values = append(values, ds[0].Params[name])
		}
		for _, v := range values {
			allowed := p.Check(v) == nil
			env, err := s.Environment(ds[0].With(name, v), deployID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadConfig(deployEnv(env))
			if allowed && err != nil {
				t.Errorf("%s=%q (parameter %s): the template allows it, loadConfig refuses it: %v", variable, v, name, err)
			}
			if !allowed && err == nil && !lenient[name+"="+v] {
				t.Errorf("%s=%q (parameter %s): loadConfig accepts what the template refuses; widen the parameter or say why here", variable, v, name)
			}
		}
	}
	// Every status the code knows is one the parameter takes, and the
	// other way round (the pattern lists them).
	fetchOn := s.Parameters["CallbackFetchOn"]
	for _, st := range callbackStatuses {
		if err := fetchOn.Check(st); err != nil {
			t.Errorf("CallbackFetchOn refuses %q, a status the receiver knows: %v", st, err)
		}
	}
	if err := fetchOn.Check(fetchOn.Default); err != nil {
		t.Errorf("CallbackFetchOn default: %v", err)
	}
}

// lenient lists values the code accepts and the template deliberately
// refuses: the template is stricter where a looser value only hides a
// mistake.
var lenient = map[string]bool{
	// The code trims and lowercases each status and skips empty ones; the
	// parameter wants the canonical list.
	"CallbackFetchOn=completed,":                      true,
	"CallbackFetchOn=,completed":                      true,
	"CallbackFetchOn=completed,,busy":                 true,
	"CallbackFetchOn=Completed":                       true,
	"CallbackFetchOn=":                                true, // unset: the terminal statuses, which the parameter's default spells out
	"CallbackPublicUrl=https://hooks.example.com/a b": true, // net/url takes it; SignalWire would not send to it
	"CallbackPublicUrl=http://hooks.example.com/x":    true, // for local runs; a deployed receiver is reached over https
}
