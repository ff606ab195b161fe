package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/callback"
	"github.com/callwire/callwire/functions/driftcheck"
	"github.com/callwire/callwire/functions/getcall"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/publish"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/specwatch"
	"github.com/callwire/callwire/functions/sweep"
)

// function is one AWS::Serverless::Function of template.yaml and what its
// package declares: its environment and its metrics. Every check of the
// template against the code is built from these tables.
type function struct {
	id, dir string
	env     env.Table
	metrics []emf.Metric
}

var functions = []function{
	{"GetCallFunction", "getcall", getcall.Env(), getcall.Metrics},
	{"DriftCheckFunction", "driftcheck", driftcheck.Env(), driftcheck.Metrics},
	{"CallbackFunction", "callback", callback.Env(), callback.Metrics},
	{"PublishFunction", "publish", publish.Env(), publish.Metrics},
	{"SweepFunction", "sweep", sweep.Env(), sweep.Metrics},
	{"SpecWatchFunction", "specwatch", specwatch.Env(), specwatch.Metrics},
}

// functionDirs maps each function's logical ID to its package's directory
// under functions/.
var functionDirs = func() map[string]string {
	m := map[string]string{}
	for _, f := range functions {
		m[f.id] = f.dir
	}
	return m
}()

// mainDir returns the directory, under functions/, of the main package
// that deploys the function whose package is functions/<dir>.
func mainDir(dir string) string { return "cmd/" + dir }

// localOnlyVars are declared by the functions but must never be set by the
// template: switches for the local runner and tests only.
var localOnlyVars = map[string]bool{
	signalwire.EnvAllowLoopback: true, // a secret's loopback space_url is honoured
}

// metric is one metric a function emits: its name and its dimension names,
// sorted and joined with commas.
type metric struct {
	Name string
	Dims string
}

func (m metric) String() string { return m.Name + "{" + m.Dims + "}" }

func newMetric(name string, dims []string) metric {
	dims = slices.Clone(dims)
	slices.Sort(dims)
	return metric{Name: name, Dims: strings.Join(dims, ",")}
}

// declaredMetrics returns f's metrics with every dimension they carry
// inside Lambda: emf.Dimensions' two and the metric's own.
func (f function) declaredMetrics() []metric {
	var ms []metric
	for _, m := range f.metrics {
		ms = append(ms, newMetric(m.Name, append([]string{emf.DimFunction, emf.DimFunctionName}, m.Dims...)))
	}
	return ms
}

// TestEnvironmentMatchesTable compares each function's Environment.Variables
// with the variables its package declares, apart from those the runtime
// sets and the local-only switches, and checks that every required one is
// set.
func TestEnvironmentMatchesTable(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	for _, f := range functions {
		t.Run(f.id, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, v := range f.env {
				if !v.Runtime && !localOnlyVars[v.Name] {
					want = append(want, v.Name)
				}
			}
			slices.Sort(want)
			vars := mapAt(tmpl, "Resources", f.id, "Properties", "Environment", "Variables")
			got := slices.Sorted(mapsKeys(vars))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s Environment.Variables (-declared by functions/%s +template):\n%s", f.id, f.dir, diff)
			}
			for k := range localOnlyVars {
				if _, ok := f.env.Lookup(k); !ok {
					t.Errorf("functions/%s does not declare %s; the check that the template never sets it sees nothing", f.dir, k)
				}
			}
			for _, v := range f.env {
				if _, set := vars[v.Name]; v.Required && !set {
					t.Errorf("%s does not set %s, which functions/%s requires", f.id, v.Name, f.dir)
				}
			}
			for k, v := range vars {
				if _, isRef := ref(v); isRef {
					continue
				}
				if _, ok := scalarString(v); !ok {
					t.Errorf("%s: %s = %v, want a string or a !Ref", f.id, k, v)
				}
			}
		})
	}
}

// TestDeployConfig feeds each function's environment, as template.yaml sets
// it with the parameters' defaults and with every samconfig.toml
// environment, through the function's table: a value the function rejects
// would fail every cold start of the deployed function.
func TestDeployConfig(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	for _, d := range mustDeployments(t) {
		for _, f := range functions {
			t.Run(d.Name+"/"+f.id, func(t *testing.T) {
				t.Parallel()
				vars, err := s.Environment(d, f.id)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.env.Load(getenvOf(t, f, vars)); err != nil {
					t.Errorf("%s refuses its deployed environment %v: %v", f.dir, vars, err)
				}
			})
		}
	}
}

// getenvOf returns a getenv over vars that fails t on a name f does not
// declare.
func getenvOf(t *testing.T, f function, vars map[string]string) func(string) string {
	return func(name string) string {
		if _, ok := f.env.Lookup(name); !ok {
			t.Errorf("functions/%s reads %s, which it does not declare", f.dir, name)
		}
		return vars[name]
	}
}

// extraProbes are values of a parameter, beyond its edges, that the
// template and the code may disagree on.
var extraProbes = map[string][]string{
	"CallbackFetchOn": {
		"initiated", "ringing", "in-progress", "queued", "failed", "busy", "no-answer", "completed", "canceled",
		"initiated,ringing,in-progress,queued,failed,busy,no-answer,completed,canceled", "completed,busy,failed,no-answer,canceled",
		"", "answered", "completed,", ",completed", "completed,,busy", "Completed", "in progress", "completed,answered",
	},
	"CallbackPublicUrl": {
		"", "https://hooks.example.com/signalwire/status", "https://hooks.example.com", "https://hooks.example.com:8443/a/b",
		"https://u@hooks.example.com/x", "https://u:p@hooks.example.com/x", "https://hooks.example.com/x?token=1",
		"https://hooks.example.com/x?", "https://hooks.example.com/x#f", "https://", "ftp://hooks.example.com/x",
		"hooks.example.com/x", "https://hooks.example.com/a b", "http://hooks.example.com/x",
	},
	"SweepWindow": durationProbes(),
}

// durationProbes are every whole number of minutes up to eight days and of
// hours up to nine: a duration parameter's pattern and the code's bounds
// must agree on each.
func durationProbes() []string {
	var vs []string
	for m := 0; m <= 8*24*60; m++ {
		vs = append(vs, fmt.Sprintf("%dm", m))
	}
	for h := 0; h <= 9*24; h++ {
		vs = append(vs, fmt.Sprintf("%dh", h))
	}
	return vs
}

// lenient lists values the code accepts and the template deliberately
// refuses: the template is stricter where a looser value only hides a
// mistake.
var lenient = map[string]bool{
	// The receiver trims and lowercases each status and skips empty ones;
	// the parameter wants the canonical list.
	"CallbackFetchOn=completed,":      true,
	"CallbackFetchOn=,completed":      true,
	"CallbackFetchOn=completed,,busy": true,
	"CallbackFetchOn=Completed":       true,
	"CallbackFetchOn=":                true, // unset: the terminal statuses, which the parameter's default spells out
	// net/url takes it; SignalWire would not send to it.
	"CallbackPublicUrl=https://hooks.example.com/a b": true,
	// For local runs; a deployed receiver is reached over https.
	"CallbackPublicUrl=http://hooks.example.com/x": true,
}

// TestDeployParameterBounds feeds the edges of every parameter a
// function's environment takes from (each allowed value, MinValue and
// MaxValue, and just outside them; extraProbes) through the function's
// table: what the template allows the code must accept, and what the code
// accepts the template must allow too (or lenient says why not), so the two
// limits are the same.
func TestDeployParameterBounds(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	d := mustDeployments(t)[0]
	probed := map[string]bool{}
	for _, f := range functions {
		params := s.EnvironmentParameters(f.id)
		for variable, name := range params {
			p := s.Parameters[name]
			accept, reject := p.Probes()
			values := slices.Concat(accept, reject, extraProbes[name], []string{d.Params[name]})
			allowedSome, refusedSome := false, false
			// The variable is a plain !Ref to the parameter (what
			// EnvironmentParameters reports), so the rest of the
			// environment is resolved once.
			vars, err := s.Environment(d, f.id)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				allowed := p.Check(v) == nil
				allowedSome, refusedSome = allowedSome || allowed, refusedSome || !allowed
				vars[variable] = v
				err = f.env.Load(getenvOf(t, f, vars))
				if allowed && err != nil {
					t.Errorf("%s: %s=%q (parameter %s): the template allows it, the code refuses it: %v", f.id, variable, v, name, err)
				}
				if !allowed && err == nil && !lenient[name+"="+v] {
					t.Errorf("%s: %s=%q (parameter %s): the code accepts what the template refuses; widen the parameter or say why in lenient", f.id, variable, v, name)
				}
			}
			if len(extraProbes[name]) > 0 && (!allowedSome || !refusedSome) {
				t.Errorf("parameter %s: the probes are all allowed or all refused; they test no edge", name)
			}
			probed[name] = true
		}
	}
	for name := range extraProbes {
		if !probed[name] {
			t.Errorf("extraProbes names %s, which no function's environment takes", name)
		}
	}
	for _, want := range []string{"SignalWireSecretArn", "ContractMode", "CallbackFetchOn", "CallbackPublicUrl", "DriftSampleRecent", "SweepWindow", "SweepPageLimit", "IdempotencyTtlHours"} {
		if !probed[want] {
			t.Errorf("no function's environment takes the parameter %s; the template walk is broken", want)
		}
	}
}
