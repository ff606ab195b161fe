// Package stack reads the deployment files, template.yaml (AWS SAM) and
// samconfig.toml, the way CloudFormation and the SAM CLI read them, as far as
// the tests of the code they deploy need: the template with its intrinsic
// functions in long form, the parameters and their constraints, the samconfig
// environments, and for each deployment (the template's defaults, or one
// samconfig environment) the template with its conditions decided and its
// parameters filled in, down to each function's environment variables.
//
// It is used only by tests: those of functions/internal/deploy, and those of
// each function, which feed their resolved environment through their own
// loadConfig.
package stack

import (
	"fmt"
	"os"
	"strings"

	yaml "github.com/pb33f/go-yaml"
)

// ServerlessFunction is the resource type of a SAM function.
const ServerlessFunction = "AWS::Serverless::Function"

// LoadTemplate reads and parses a template file.
func LoadTemplate(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := ParseTemplate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// ParseTemplate decodes a CloudFormation YAML template into maps, slices and
// scalars. The short-form intrinsics become their long form, as CloudFormation
// reads them: !Ref X is {"Ref": "X"}, !GetAtt A.B is {"Fn::GetAtt": ["A",
// "B"]}, !Sub s is {"Fn::Sub": s}, !If [...] is {"Fn::If": [...]}.
func ParseTemplate(data []byte) (map[string]any, error) {
	v, err := Parse(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is %T, not a mapping", v)
	}
	return m, nil
}

// Parse decodes any CloudFormation YAML document as ParseTemplate does.
func Parse(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return cfnValue(&doc)
}

func cfnValue(n *yaml.Node) (any, error) {
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		return cfnIntrinsic(n, tag[1:])
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, fmt.Errorf("line %d: want one document, got %d", n.Line, len(n.Content))
		}
		return cfnValue(n.Content[0])
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := cfnValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := cfnValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

// cfnIntrinsic turns a node tagged !name into its long-form intrinsic.
func cfnIntrinsic(n *yaml.Node, name string) (any, error) {
	var arg any
	if n.Kind == yaml.ScalarNode {
		arg = n.Value // CloudFormation reads a tagged scalar as a string
	} else {
		untagged := *n
		untagged.Tag = ""
		v, err := cfnValue(&untagged)
		if err != nil {
			return nil, err
		}
		arg = v
	}
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: arg}, nil
	case "GetAtt":
		if s, ok := arg.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q has no attribute", n.Line, s)
			}
			arg = []any{res, attr}
		}
	}
	return map[string]any{"Fn::" + name: arg}, nil
}

// At walks a path of map keys and slice indexes ("Resources", "X", 0, ...).
func At(v any, path ...any) (any, bool) {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			s, ok := v.([]any)
			if !ok || k < 0 || k >= len(s) {
				return nil, false
			}
			v = s[k]
		default:
			panic(fmt.Sprintf("path element %v (%T)", p, p))
		}
	}
	return v, true
}

// MapAt is At for a value that must be a mapping; missing is an empty map.
func MapAt(v any, path ...any) map[string]any {
	got, _ := At(v, path...)
	m, _ := got.(map[string]any)
	return m
}

// SliceOf returns v as a list, or nil.
func SliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

// ResourcesOfType returns the logical IDs and properties of every resource
// of the given type.
func ResourcesOfType(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range MapAt(tmpl, "Resources") {
		if got, _ := At(r, "Type"); got == typ {
			out[id] = MapAt(r, "Properties")
		}
	}
	return out
}

// Ref returns the target of {"Ref": x}.
func Ref(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	s, ok := m["Ref"].(string)
	return s, ok
}

// GetAtt returns the resource and attribute of {"Fn::GetAtt": [r, a]}.
func GetAtt(v any) (res, attr string, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", "", false
	}
	s, isSlice := m["Fn::GetAtt"].([]any)
	if !isSlice || len(s) != 2 {
		return "", "", false
	}
	res, ok1 := s[0].(string)
	attr, ok2 := s[1].(string)
	return res, attr, ok1 && ok2
}

// ScalarString renders a YAML scalar the way CloudFormation passes it on.
func ScalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, uint64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// Leaves flattens a value that may be a list, a single value or an Fn::If
// into its possible elements; AWS::NoValue branches drop out.
func Leaves(v any) []any {
	if v == nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		if args, ok := m["Fn::If"].([]any); ok && len(m) == 1 && len(args) == 3 {
			return append(Leaves(args[1]), Leaves(args[2])...)
		}
		if r, ok := Ref(m); ok && r == "AWS::NoValue" {
			return nil
		}
	}
	if s, ok := v.([]any); ok {
		var out []any
		for _, e := range s {
			out = append(out, Leaves(e)...)
		}
		return out
	}
	return []any{v}
}
