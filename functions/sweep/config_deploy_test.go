package sweep

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/signalwire"
)

// deployID is the sweep's logical ID in template.yaml.
const deployID = "SweepFunction"

var loadDeployStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load("../..") })

// deployEnv returns a getenv over env.
func deployEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// TestDeployConfig feeds the sweep's environment, as template.yaml sets it
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
			if want, err := time.ParseDuration(d.Params["SweepWindow"]); err != nil || cfg.window != want {
				t.Errorf("window = %v, want the SweepWindow parameter %q", cfg.window, d.Params["SweepWindow"])
			}
			if want, err := strconv.Atoi(d.Params["IdempotencyTtlHours"]); err != nil || cfg.ttl != time.Duration(want)*time.Hour {
				t.Errorf("ttl = %v, want the IdempotencyTtlHours parameter %q (publish's record lifetime)", cfg.ttl, d.Params["IdempotencyTtlHours"])
			}
			if want, err := strconv.Atoi(d.Params["SweepPageLimit"]); err != nil || cfg.pageLimit != want {
				t.Errorf("pageLimit = %d, want the SweepPageLimit parameter %q", cfg.pageLimit, d.Params["SweepPageLimit"])
			}
			// The fewest List Calls requests for a window: the largest page.
			if cfg.pageSize != maxPageSize {
				t.Errorf("pageSize = %d, want %d, the largest List Calls page", cfg.pageSize, maxPageSize)
			}
			if cfg.queueURL == "" || cfg.table == "" {
				t.Errorf("queue %q, table %q: want both set by the template", cfg.queueURL, cfg.table)
			}
		})
	}
}

// TestDeployParameterBounds feeds the edges of every parameter the sweep's
// environment takes from (each allowed value, MinValue and MaxValue, and
// just outside them) through loadConfig: what the template allows the code
// must accept, and what the code accepts beyond the bounds the template
// must allow, so the two limits are the same. SweepWindow is a duration
// string, so every whole number of minutes and of hours up to past the
// code's maximum is fed to both.
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
	if params["SWEEP_WINDOW"] != "SweepWindow" || params["SWEEP_PAGE_LIMIT"] != "SweepPageLimit" {
		t.Fatalf("SWEEP_WINDOW and SWEEP_PAGE_LIMIT do not take SweepWindow and SweepPageLimit (%v); the template walk is broken", params)
	}
	for variable, name := range params {
		accept, reject := s.Parameters[name].Probes()
		if name == "SweepWindow" {
			accept = append(accept, fmt.Sprintf("%dm", int(minWindow.Minutes())), fmt.Sprintf("%dh", int(maxWindow.Hours())))
			reject = append(reject, fmt.Sprintf("%dm", int(minWindow.Minutes())-1), fmt.Sprintf("%dh", int(maxWindow.Hours())+1))
		}
		for _, probe := range []struct {
			values []string
			want   bool
		}{{accept, true}, {reject, false}} {
			for _, v := range probe.values {
				if err := s.Parameters[name].Check(v); (err == nil) != probe.want {
					t.Errorf("parameter %s: Check(%q) = %v, want allowed %v", name, v, err, probe.want)
					continue
				}
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
	p := s.Parameters["SweepPageLimit"]
	if p.MinValue == nil || *p.MinValue != 1 || p.MaxValue == nil || *p.MaxValue != maxPageLimit {
		t.Errorf("SweepPageLimit bounds %s..%s, want 1..%d, the code's", bound(p.MinValue), bound(p.MaxValue), maxPageLimit)
	}

	// Every whole-minute and whole-hour window: the template allows it
	// exactly when the code does.
	window := s.Parameters["SweepWindow"]
	env, err := s.Environment(ds[0], deployID)
	if err != nil {
		t.Fatal(err)
	}
	var candidates []string
	for m := 0; m <= int(maxWindow.Minutes())+60; m++ {
		candidates = append(candidates, fmt.Sprintf("%dm", m))
	}
	for h := 0; h <= int(maxWindow.Hours())+24; h++ {
		candidates = append(candidates, fmt.Sprintf("%dh", h))
	}
	allowed := 0
	for _, v := range candidates {
		env["SWEEP_WINDOW"] = v
		_, codeErr := loadConfig(deployEnv(env))
		tmplErr := window.Check(v)
		if (codeErr == nil) != (tmplErr == nil) {
			t.Errorf("SWEEP_WINDOW=%q: loadConfig error %v, SweepWindow Check %v; want both to accept or both to refuse", v, codeErr, tmplErr)
		}
		if tmplErr == nil {
			allowed++
		}
	}
	if want := int((maxWindow-minWindow)/time.Minute) + 1 + int(maxWindow.Hours()); allowed != want {
		t.Errorf("SweepWindow allows %d of the whole-minute and whole-hour windows, want %d", allowed, want)
	}
}

// pageBudget is the time template.yaml's Timeout comment allows one page:
// a List Calls request for 1000 calls, ten BatchGetItem requests and the
// SendMessageBatch requests for the calls not yet published.
const pageBudget = 6 * time.Second

// TestDeployTimeout checks the sweep's Timeout against its page limit: the
// default number of pages fits at pageBudget each; the first page fits
// even when SignalWire takes a whole request's bound, with the margin in
// which no page is asked for; and the Timeout is one Lambda accepts.
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
	if need := defaultPageLimit * pageBudget; timeout < need {
		t.Errorf("Timeout %v is below %v: %d pages (the default page limit) at %v each", timeout, need, defaultPageLimit, pageBudget)
	}
	perRequest := signalwire.NewHTTPClient().Timeout
	if need := perRequest + pageMargin; timeout < need {
		t.Errorf("Timeout %v is below one SignalWire request's bound %v plus the page margin %v", timeout, perRequest, pageMargin)
	}
	if timeout > 15*time.Minute {
		t.Errorf("Timeout %v is above Lambda's 15 minutes", timeout)
	}
	if def, _ := stack.At(s.Template, "Parameters", "SweepPageLimit", "Default"); def != defaultPageLimit {
		t.Errorf("SweepPageLimit Default %v, want the code's default %d", def, defaultPageLimit)
	}
	if def, _ := stack.At(s.Template, "Parameters", "SweepWindow", "Default"); def != fmt.Sprintf("%dh", int(defaultWindow.Hours())) {
		t.Errorf("SweepWindow Default %v, want the code's default %v", def, defaultWindow)
	}
}

func bound(v *float64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
