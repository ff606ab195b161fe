package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "github.com/pb33f/go-yaml"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../../.."

// loadTemplate parses template.yaml once for all tests.
var loadTemplate = sync.OnceValues(func() (map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "template.yaml"))
	if err != nil {
		return nil, err
	}
	v, err := parseCFN(data)
	if err != nil {
		return nil, fmt.Errorf("template.yaml: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template.yaml: top level is %T, not a mapping", v)
	}
	return m, nil
})

func mustTemplate(t *testing.T) map[string]any {
	t.Helper()
	tmpl, err := loadTemplate()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// parseCFN decodes a CloudFormation YAML document into maps, slices and
// scalars. The short-form intrinsics become their long form, as CloudFormation
// reads them: !Ref X is {"Ref": "X"}, !GetAtt A.B is {"Fn::GetAtt": ["A",
// "B"]}, !Sub s is {"Fn::Sub": s}, !If [...] is {"Fn::If": [...]}.
func parseCFN(data []byte) (any, error) {
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

// at walks a path of map keys and slice indexes ("Resources", "X", 0, ...).
func at(v any, path ...any) (any, bool) {
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

// mapAt is at for a value that must be a mapping; missing is an empty map.
func mapAt(v any, path ...any) map[string]any {
	got, _ := at(v, path...)
	m, _ := got.(map[string]any)
	return m
}

// resourcesOfType returns the logical IDs and properties of every resource
// of the given type.
func resourcesOfType(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range mapAt(tmpl, "Resources") {
		if got, _ := at(r, "Type"); got == typ {
			out[id] = mapAt(r, "Properties")
		}
	}
	return out
}

// ref returns the target of {"Ref": x}.
func ref(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	s, ok := m["Ref"].(string)
	return s, ok
}

// getAtt returns the resource and attribute of {"Fn::GetAtt": [r, a]}.
func getAtt(v any) (res, attr string, ok bool) {
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

// scalarString renders a YAML scalar the way CloudFormation passes it on.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, uint64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

func TestParseCFN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    any
		wantErr bool
	}{
		{
			name: "plain values",
			in:   "a: 1\nb: [x, true]\nc: \"off\"\nd: off\n",
			want: map[string]any{"a": 1, "b": []any{"x", true}, "c": "off", "d": "off"},
		},
		{
			name: "short tags",
			in: "r: !Ref P\n" +
				"g: !GetAtt Bus.Arn\n" +
				"s: !Sub arn:${AWS::Partition}:x\n" +
				"i: !If [C, !Ref A, !Ref AWS::NoValue]\n" +
				"n: !Not [!Equals [!Ref E, \"\"]]\n" +
				"c: !Condition HasX\n",
			want: map[string]any{
				"r": map[string]any{"Ref": "P"},
				"g": map[string]any{"Fn::GetAtt": []any{"Bus", "Arn"}},
				"s": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:x"},
				"i": map[string]any{"Fn::If": []any{"C", map[string]any{"Ref": "A"}, map[string]any{"Ref": "AWS::NoValue"}}},
				"n": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "E"}, ""}}}},
				"c": map[string]any{"Condition": "HasX"},
			},
		},
		{
			name: "tagged mapping and numeric scalar stay as written",
			in:   "j: !Join\n  - \",\"\n  - [a, b]\nr: !Ref 123\n",
			want: map[string]any{
				"j": map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}},
				"r": map[string]any{"Ref": "123"},
			},
		},
		{name: "duplicate key", in: "a: 1\na: 2\n", wantErr: true},
		{name: "getatt without attribute", in: "g: !GetAtt Bus\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseCFN([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseCFN error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseCFN (-want +got):\n%s", diff)
			}
		})
	}
}
