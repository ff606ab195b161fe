package deploy

import (
	"sync"
	"testing"

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
