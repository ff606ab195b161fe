package linkcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/callwire/callwire"

// rule names packages a Lambda function must not link, and why.
type rule struct {
	name  string            // as the failure message shows it
	match func(string) bool // reports whether an import path is one of them
	why   string
}

// tree matches the package p and the packages below it.
func tree(p string) func(string) bool {
	return func(s string) bool { return s == p || strings.HasPrefix(s, p+"/") }
}

// prefix matches every import path that starts with p, such as
// github.com/pb33f/libopenapi and github.com/pb33f/libopenapi-validator.
func prefix(p string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, p) }
}

// glob matches import paths, or their parents, that match pattern.
func glob(pattern string) func(string) bool {
	return func(s string) bool {
		for p := s; p != "." && p != "/"; p = path.Dir(p) {
			if ok, _ := path.Match(pattern, p); ok {
				return true
			}
		}
		return false
	}
}

// named are the tooling packages, each of which must exist.
var named = []string{
	module + "/contract/recording",
	module + "/contract/redact",
	module + "/contract/report",
	module + "/contract/replay",
	module + "/contract/openapi",
	module + "/contract/specdiff",
	module + "/contract/suggest",
	module + "/functions/internal/testkit",
	module + "/functions/internal/lambdatest",
}

var rules = func() []rule {
	var rs []rule
	for _, p := range named {
		rs = append(rs, rule{strings.TrimPrefix(p, module+"/"), tree(p), "tooling, for the CLI and tests"})
	}
	return append(rs,
		rule{"functions/internal/*server", glob(module + "/functions/internal/*server"), "loopback server for tests and the local runner"},
		rule{"github.com/pb33f/libopenapi*", prefix("github.com/pb33f/libopenapi"), "the OpenAPI build; the core evaluates the compiled contract"},
		rule{"a JSON Schema library", func(s string) bool { return strings.Contains(strings.ToLower(s), "jsonschema") }, "schemas are compiled ahead of time"},
		rule{"github.com/aws/aws-sdk-go-v2/config", func(s string) bool { return s == "github.com/aws/aws-sdk-go-v2/config" },
			"shared config and the credential chain; boot.AWS reads the Lambda environment"},
		rule{"AWS SDK sts, sso, ssooidc, signin", func(s string) bool {
			for _, svc := range []string{"sts", "sso", "ssooidc", "signin"} {
				if tree("github.com/aws/aws-sdk-go-v2/service/" + svc)(s) {
					return true
				}
			}
			return false
		}, "credential providers a Lambda function never uses"},
	)
}()

// goList runs go list with args as the deployment builds and returns its
// output lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"list", "-tags", "lambda.norpc"}, args...)...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// graph is a package's dependencies: each import path and what it imports.
type graph map[string][]string

// deps lists pkg and its dependencies with their imports.
func deps(t *testing.T, pkg string) graph {
	t.Helper()
	g := graph{}
	for _, line := range goList(t, "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, pkg) {
		if f := strings.Fields(line); len(f) > 0 {
			g[f[0]] = f[1:]
		}
	}
	return g
}

// chain returns an import chain from root to target in g.
func (g graph) chain(root, target string) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var c []string
			for ; p != ""; p = prev[p] {
				c = append(c, p)
			}
			slices.Reverse(c)
			return c
		}
		for _, q := range g[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

// violation is a forbidden package in a function's graph.
type violation struct {
	pkg   string
	rule  rule
	chain []string
}

// forbidden returns the packages of g a rule names, with the rule.
func (g graph) forbidden() map[string]rule {
	flagged := map[string]rule{}
	for p := range g {
		for _, r := range rules {
			if r.match(p) {
				flagged[p] = r
				break
			}
		}
	}
	return flagged
}

// violations returns the forbidden packages in root's graph g, sorted,
// leaving out those reached only through another one.
func violations(g graph, root string) []violation {
	flagged := g.forbidden()
	var vs []violation
	for p, r := range flagged {
		c := g.chain(root, p)
		if !slices.ContainsFunc(c[:len(c)-1], func(q string) bool { _, ok := flagged[q]; return ok }) {
			vs = append(vs, violation{pkg: p, rule: r, chain: c})
		}
	}
	slices.SortFunc(vs, func(a, b violation) int { return strings.Compare(a.pkg, b.pkg) })
	return vs
}

// short is the chain as the failure message shows it.
func (v violation) short() string {
	c := make([]string, len(v.chain))
	for i, p := range v.chain {
		c[i] = strings.TrimPrefix(p, module+"/")
	}
	return strings.Join(c, " -> ")
}

// exempt names, per function, the packages a rule would forbid that it
// links on purpose, and why. Nothing else is exempt.
var exempt = map[string]map[string]string{
	module + "/functions/cmd/specwatch": {
		// The spec watch compares OpenAPI documents: that is its job, and
		// why it is a function of its own (its package init costs the others
		// nothing).
		module + "/contract/specdiff": "the spec comparison is the spec watch's job",
		// kin-openapi (through specdiff) links it; the Spec Changed event is
		// checked with it too, at no further cost.
		"github.com/santhosh-tekuri/jsonschema/v6": "kin-openapi's JSON Schema library, linked through specdiff",
	},
}

// exempted reports whether fn links pkg (or a package below it) on purpose.
func exempted(fn, pkg string) bool {
	for p := range exempt[fn] {
		if tree(p)(pkg) {
			return true
		}
	}
	return false
}

// functions lists the Lambda functions: main packages directly under
// functions/ or functions/cmd/.
func functions(t *testing.T) []string {
	t.Helper()
	var fns []string
	for _, line := range goList(t, "-f", `{{.Name}} {{.ImportPath}}`, module+"/functions/...") {
		name, p, _ := strings.Cut(line, " ")
		dir := path.Dir(p)
		if name == "main" && dir == module+"/functions/cmd" {
			fns = append(fns, p)
		}
	}
	return fns
}

func TestFunctionsLinkNoTooling(t *testing.T) {
	t.Parallel()
	fns := functions(t)
	for _, want := range []string{module + "/functions/cmd/getcall", module + "/functions/cmd/driftcheck", module + "/functions/cmd/specwatch"} {
		if !slices.Contains(fns, want) {
			t.Fatalf("functions found %v; want %s among them", fns, want)
		}
	}
	for _, fn := range fns {
		t.Run(path.Base(fn), func(t *testing.T) {
			t.Parallel()
			for _, v := range violations(deps(t, fn), fn) {
				if exempted(fn, v.pkg) {
					continue
				}
				t.Errorf("links %s (%s: %s) through %s", v.pkg, v.rule.name, v.rule.why, v.short())
			}
		})
	}
}

// TestRulesMatchRealPackages keeps the rules honest: every named package
// exists, and the rules find the tooling that the local runner does link.
func TestRulesMatchRealPackages(t *testing.T) {
	t.Parallel()
	if got := goList(t, append([]string{"-f", "{{.ImportPath}}"}, named...)...); !slices.Equal(got, named) {
		t.Errorf("go list of the named packages = %v, want %v", got, named)
	}
	servers := slices.DeleteFunc(goList(t, "-f", "{{.ImportPath}}", module+"/functions/internal/..."),
		func(p string) bool { return !strings.HasSuffix(p, "server") })
	if !slices.Contains(servers, module+"/functions/internal/secretsserver") {
		t.Errorf("server packages %v lack secretsserver", servers)
	}

	const local = module + "/functions/local"
	g := deps(t, local)
	flagged := g.forbidden()
	for _, want := range append(servers, module+"/contract/replay", module+"/functions/internal/lambdatest",
		"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/sso") {
		if _, ok := flagged[want]; !ok {
			t.Errorf("the rules do not find %s in functions/local's graph", want)
		}
	}
	vs := violations(g, local)
	if len(vs) == 0 {
		t.Fatal("no violations reported for functions/local")
	}
	for _, v := range vs {
		if len(v.chain) < 2 || v.chain[0] != local || v.chain[len(v.chain)-1] != v.pkg {
			t.Errorf("chain to %s = %v, want one from %s", v.pkg, v.chain, local)
		}
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pkg  string
		want string // the rule's name; "" is allowed
	}{
		{module + "/contract", ""},
		{module + "/contract/drift", ""},
		{module + "/contract/recording", "contract/recording"},
		{module + "/contract/recording/har", "contract/recording"},
		{module + "/contract/recordings", ""},
		{module + "/functions/internal/secretsserver", "functions/internal/*server"},
		{module + "/functions/internal/queueserver/internal/wire", "functions/internal/*server"},
		{module + "/functions/internal/secrets", ""},
		{module + "/functions/internal/boot", ""},
		{"github.com/pb33f/libopenapi-validator/schema_validation", "github.com/pb33f/libopenapi*"},
		{"github.com/pb33f/jsonschema/v6", "a JSON Schema library"},
		{"github.com/santhosh-tekuri/jsonschema/v5", "a JSON Schema library"},
		{"github.com/xeipuuv/gojsonschema", "a JSON Schema library"},
		{"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/config"},
		{"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds", ""},
		{"github.com/aws/aws-sdk-go-v2/service/ssooidc/types", "AWS SDK sts, sso, ssooidc, signin"},
		{"github.com/aws/aws-sdk-go-v2/service/secretsmanager", ""},
		{"github.com/aws/aws-sdk-go-v2/service/sqs", ""},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			t.Parallel()
			got := ""
			for _, r := range rules {
				if r.match(tt.pkg) {
					got = r.name
					break
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rule mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExemptionsAreExact keeps each exemption to what the function does
// link: every exempt package is in its graph and flagged by a rule, so an
// exemption no longer needed fails here instead of lingering.
func TestExemptionsAreExact(t *testing.T) {
	t.Parallel()
	for fn, pkgs := range exempt {
		t.Run(path.Base(fn), func(t *testing.T) {
			t.Parallel()
			flagged := deps(t, fn).forbidden()
			for p := range pkgs {
				if _, ok := flagged[p]; !ok {
					t.Errorf("%s is exempt for %s but not linked (or no rule names it)", p, fn)
				}
			}
		})
	}
}
