package stack

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
)

// Stack is a template and the samconfig.toml that deploys it.
type Stack struct {
	Template   map[string]any
	Parameters map[string]Parameter
	Samconfig  *Samconfig
}

// Load reads template.yaml and samconfig.toml in root, the module root.
func Load(root string) (*Stack, error) {
	tmpl, err := LoadTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	params, err := Parameters(tmpl)
	if err != nil {
		return nil, fmt.Errorf("template.yaml: %w", err)
	}
	cfg, err := LoadSamconfig(filepath.Join(root, "samconfig.toml"))
	if err != nil {
		return nil, err
	}
	return &Stack{Template: tmpl, Parameters: params, Samconfig: cfg}, nil
}

// Defaults is the name of the deployment that takes every parameter's
// Default, as `sam deploy --guided` offers them.
const Defaults = "template defaults"

// Deployment is one way the stack gets deployed: the template's defaults, or
// a samconfig environment.
type Deployment struct {
	Name      string
	StackName string
	Region    string
	AccountID string
	// Params holds a value for every parameter of the template.
	Params map[string]string
}

// With returns a copy of d with parameter name set to val.
func (d Deployment) With(name, val string) Deployment {
	d.Params = maps.Clone(d.Params)
	d.Params[name] = val
	return d
}

// Answers gives the value of a parameter that `sam deploy --guided` asks for
// because it has no Default and samconfig does not set it.
type Answers func(d Deployment, name string) (string, bool)

// ExampleAccountID is the account of every deployment tests resolve.
const ExampleAccountID = "111122223333"

// ExampleAnswers answers SignalWireSecretArn with the ARN of a secret in the
// deployment's region and account, as `aws secretsmanager create-secret`
// prints it.
func ExampleAnswers(d Deployment, name string) (string, bool) {
	if name == "SignalWireSecretArn" {
		return "arn:aws:secretsmanager:" + d.Region + ":" + d.AccountID + ":secret:callwire/signalwire-AbC123", true
	}
	return "", false
}

// Deployments returns the deployment of the template's defaults (stack
// "callwire" in us-east-1) and one per samconfig environment, each with every
// parameter's value: the environment's parameter_overrides, else the
// parameter's Default, else the answer. Values are not checked against the
// parameters' constraints; Parameter.Check does that.
func (s *Stack) Deployments(answer Answers) ([]Deployment, error) {
	base := Deployment{Name: Defaults, StackName: "callwire", Region: "us-east-1", AccountID: ExampleAccountID}
	all := []Deployment{base}
	for _, env := range s.Samconfig.Environments() {
		d := Deployment{
			Name:      env,
			StackName: s.Samconfig.StringSetting(env, "deploy", "stack_name"),
			Region:    s.Samconfig.StringSetting(env, "deploy", "region"),
			AccountID: ExampleAccountID,
		}
		if d.StackName == "" || d.Region == "" {
			return nil, fmt.Errorf("samconfig environment %s: stack_name and region are required", env)
		}
		all = append(all, d)
	}
	for i := range all {
		d := &all[i]
		overrides := map[string]string{}
		if d.Name != Defaults {
			var err error
			if overrides, err = s.Samconfig.ParameterOverrides(d.Name); err != nil {
				return nil, err
			}
		}
		d.Params = map[string]string{}
		for name := range overrides {
			if _, ok := s.Parameters[name]; !ok {
				return nil, fmt.Errorf("%s: parameter_overrides sets %s, which the template does not declare", d.Name, name)
			}
		}
		for name, p := range s.Parameters {
			v, ok := overrides[name]
			if !ok && p.HasDefault {
				v, ok = p.Default, true
			}
			if !ok && answer != nil {
				v, ok = answer(*d, name)
			}
			if !ok {
				return nil, fmt.Errorf("%s: parameter %s has no value (no Default, no override, no answer)", d.Name, name)
			}
			d.Params[name] = v
		}
	}
	return all, nil
}

// noValue stands for a value removed by AWS::NoValue.
type noValue struct{}

// Resolve returns the template as CloudFormation sees it for d: conditions
// decided, resources and outputs whose condition is false dropped, each
// Fn::If replaced by its chosen branch, AWS::NoValue removed, and every Ref to
// a parameter or pseudo parameter (and every such ${} in an Fn::Sub) replaced
// by its value. References to resources stay; Render turns them into
// stand-ins.
func (s *Stack) Resolve(d Deployment) (map[string]any, error) {
	r := resolver{s: s, d: d, conds: map[string]bool{}, deciding: map[string]bool{}}
	for name := range MapAt(s.Template, "Conditions") {
		if _, err := r.condition(name); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	for k, v := range s.Template {
		switch k {
		case "Conditions", "Parameters":
			out[k] = v
			continue
		case "Resources", "Outputs":
			kept := map[string]any{}
			for id, item := range MapAt(v) {
				if c, ok := MapAt(item)["Condition"].(string); ok {
					keep, err := r.condition(c)
					if err != nil {
						return nil, fmt.Errorf("%s %s: %w", k, id, err)
					}
					if !keep {
						continue
					}
				}
				rv, err := r.value(item)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", k, id, err)
				}
				kept[id] = rv
			}
			out[k] = kept
			continue
		}
		rv, err := r.value(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = rv
	}
	return out, nil
}

// Conditions returns the value of every condition for d.
func (s *Stack) Conditions(d Deployment) (map[string]bool, error) {
	r := resolver{s: s, d: d, conds: map[string]bool{}, deciding: map[string]bool{}}
	for name := range MapAt(s.Template, "Conditions") {
		if _, err := r.condition(name); err != nil {
			return nil, err
		}
	}
	return r.conds, nil
}

// Environment returns function id's Environment.Variables for d, every value
// a string as the function reads it. A reference to one of the stack's
// resources (a queue's URL) gets the stand-in Render would give it.
func (s *Stack) Environment(d Deployment, id string) (map[string]string, error) {
	tmpl, err := s.Resolve(d)
	if err != nil {
		return nil, err
	}
	fn := MapAt(tmpl, "Resources", id)
	if t, _ := fn["Type"].(string); t != ServerlessFunction {
		return nil, fmt.Errorf("%s is not an %s in the template", id, ServerlessFunction)
	}
	env := map[string]string{}
	for k, v := range MapAt(fn, "Properties", "Environment", "Variables") {
		str, ok := ScalarString(v)
		if !ok {
			if str, err = s.standIn(d, tmpl, v); err != nil {
				return nil, fmt.Errorf("%s: %s = %v does not resolve to a string before deployment: %w", id, k, v, err)
			}
		}
		env[k] = str
	}
	return env, nil
}

// EnvironmentParameters returns, for function id, the parameter each
// environment variable takes its value from with a plain !Ref.
func (s *Stack) EnvironmentParameters(id string) map[string]string {
	out := map[string]string{}
	for k, v := range MapAt(s.Template, "Resources", id, "Properties", "Environment", "Variables") {
		if name, ok := Ref(v); ok {
			if _, isParam := s.Parameters[name]; isParam {
				out[k] = name
			}
		}
	}
	return out
}

type resolver struct {
	s        *Stack
	d        Deployment
	conds    map[string]bool
	deciding map[string]bool
}

func (r *resolver) condition(name string) (bool, error) {
	if v, ok := r.conds[name]; ok {
		return v, nil
	}
	def, ok := MapAt(r.s.Template, "Conditions")[name]
	if !ok {
		return false, fmt.Errorf("condition %s is not declared", name)
	}
	if r.deciding[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	r.deciding[name] = true
	v, err := r.boolean(def)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	r.conds[name] = v
	return v, nil
}

// boolean evaluates a condition function.
func (r *resolver) boolean(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("%v is not a condition function", v)
	}
	for fn, arg := range m {
		args := SliceOf(arg)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name)
		case "Fn::Equals":
			if len(args) != 2 {
				return false, errors.New("Fn::Equals takes two values")
			}
			var vals [2]string
			for i, a := range args {
				rv, err := r.value(a)
				if err != nil {
					return false, err
				}
				s, ok := ScalarString(rv)
				if !ok {
					return false, fmt.Errorf("Fn::Equals operand %v does not resolve to a string", a)
				}
				vals[i] = s
			}
			return vals[0] == vals[1], nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			if len(args) == 0 || fn == "Fn::Not" && len(args) != 1 {
				return false, fmt.Errorf("%s: wrong number of conditions", fn)
			}
			all, some := true, false
			for _, a := range args {
				b, err := r.boolean(a)
				if err != nil {
					return false, err
				}
				all, some = all && b, some || b
			}
			switch fn {
			case "Fn::Not":
				return !all, nil
			case "Fn::And":
				return all, nil
			}
			return some, nil
		}
		return false, fmt.Errorf("unsupported condition function %s", fn)
	}
	panic("unreachable")
}

// value resolves v; an AWS::NoValue comes back as noValue{}.
func (r *resolver) value(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if name, ok := Ref(x); ok {
				if name == "AWS::NoValue" {
					return noValue{}, nil
				}
				if s, ok := r.lookup(name); ok {
					return s, nil
				}
				return x, nil
			}
			if args, ok := x["Fn::If"].([]any); ok {
				if len(args) != 3 {
					return nil, errors.New("Fn::If takes a condition and two values")
				}
				name, _ := args[0].(string)
				c, err := r.condition(name)
				if err != nil {
					return nil, err
				}
				if c {
					return r.value(args[1])
				}
				return r.value(args[2])
			}
			if sub, ok := x["Fn::Sub"]; ok {
				return r.sub(sub)
			}
		}
		out := make(map[string]any, len(x))
		for k, c := range x {
			rv, err := r.value(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := rv.(noValue); !drop {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, c := range x {
			rv, err := r.value(c)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := rv.(noValue); !drop {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

// lookup returns the value of a parameter or pseudo parameter.
func (r *resolver) lookup(name string) (string, bool) {
	if v, ok := r.d.Params[name]; ok {
		return v, true
	}
	switch name {
	case "AWS::Region":
		return r.d.Region, true
	case "AWS::StackName":
		return r.d.StackName, true
	case "AWS::AccountId":
		return r.d.AccountID, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

// sub fills the parameters and pseudo parameters of an Fn::Sub in. The
// result is a plain string when nothing else is left, else an Fn::Sub of
// the rest.
func (r *resolver) sub(arg any) (any, error) {
	text, vars := arg, map[string]any{}
	if s := SliceOf(arg); s != nil {
		if len(s) != 2 {
			return nil, errors.New("Fn::Sub takes a string or [string, variables]")
		}
		text, vars = s[0], MapAt(s[1])
	}
	str, ok := text.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Sub text is %T, not a string", text)
	}
	left := false
	out, err := substitute(str, func(name string) (string, bool, error) {
		if v, ok := vars[name]; ok {
			rv, err := r.value(v)
			if err != nil {
				return "", false, err
			}
			s, ok := ScalarString(rv)
			if !ok {
				left = true
			}
			return s, ok, nil
		}
		if s, ok := r.lookup(name); ok {
			return s, true, nil
		}
		left = true
		return "", false, nil
	})
	if err != nil {
		return nil, err
	}
	if left {
		if len(vars) > 0 {
			return map[string]any{"Fn::Sub": []any{out, vars}}, nil
		}
		return map[string]any{"Fn::Sub": out}, nil
	}
	return unescapeSub(out), nil
}

// substitute replaces each ${name} in s for which lookup has a value and
// keeps the others (and every ${!literal}) as they are.
func substitute(s string, lookup func(name string) (string, bool, error)) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("Fn::Sub: unterminated ${ in %q", s)
		}
		name := s[i+2 : i+end]
		b.WriteString(s[:i])
		if strings.HasPrefix(name, "!") {
			b.WriteString(s[i : i+end+1])
		} else {
			v, ok, err := lookup(strings.TrimSpace(name))
			if err != nil {
				return "", err
			}
			if ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+end+1])
			}
		}
		s = s[i+end+1:]
	}
}

// unescapeSub turns ${!literal} into ${literal}, as CloudFormation does.
func unescapeSub(s string) string { return strings.ReplaceAll(s, "${!", "${") }
