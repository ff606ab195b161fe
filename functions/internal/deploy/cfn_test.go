package deploy

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../../.."

// loadStack reads template.yaml and samconfig.toml once for all tests.
var loadStack = sync.OnceValues(func() (*stack.Stack, error) { return stack.Load(repoRoot) })

func mustStack(t *testing.T) *stack.Stack {
	t.Helper()
	s, err := loadStack()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustTemplate(t *testing.T) map[string]any {
	t.Helper()
	return mustStack(t).Template
}

// mustDeployments returns the deployment of the template's defaults and one
// per samconfig environment, answering what `sam deploy --guided` asks.
func mustDeployments(t *testing.T) []stack.Deployment {
	t.Helper()
	ds, err := mustStack(t).Deployments(stack.ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// mustResolve returns the template as CloudFormation sees it for d.
func mustResolve(t *testing.T, d stack.Deployment) map[string]any {
	t.Helper()
	tmpl, err := mustStack(t).Resolve(d)
	if err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	return tmpl
}

// Short names for the walkers every test uses.
var (
	at              = stack.At
	mapAt           = stack.MapAt
	sliceOf         = stack.SliceOf
	ref             = stack.Ref
	getAtt          = stack.GetAtt
	leaves          = stack.Leaves
	scalarString    = stack.ScalarString
	resourcesOfType = stack.ResourcesOfType
)

const serverlessFunction = stack.ServerlessFunction

// wiring is one expectation of a wiring test: the template holds want at
// path.
type wiring struct {
	name string
	path []any
	want any
}

// checkWiring checks each expectation in its own subtest.
func checkWiring(t *testing.T, tmpl map[string]any, tests []wiring) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _ := at(tmpl, tt.path...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%v (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

// pathOf is base followed by rest, base left as it was.
func pathOf(base []any, rest ...any) []any { return append(slices.Clone(base), rest...) }

// refTo is the template's {"Ref": name}.
func refTo(name string) any { return map[string]any{"Ref": name} }

// getAttOf is the template's {"Fn::GetAtt": [res, attr]}.
func getAttOf(res, attr string) any { return map[string]any{"Fn::GetAtt": []any{res, attr}} }
