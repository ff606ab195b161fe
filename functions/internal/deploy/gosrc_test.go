package deploy

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// emfImportPath is the package whose constants name every callwire metric.
const emfImportPath = "github.com/callwire/callwire/functions/internal/emf"

// functionDirs maps each AWS::Serverless::Function in template.yaml to the
// directory, under functions/, of the binary it deploys.
var functionDirs = map[string]string{
	"GetCallFunction":    "getcall",
	"DriftCheckFunction": "driftcheck",
}

// goPackage is the parsed non-test files of one directory.
type goPackage struct {
	fset  *token.FileSet
	files []*ast.File
}

// parseGoDir parses the non-test .go files of dir. A missing directory
// returns an error that satisfies os.IsNotExist.
func parseGoDir(dir string) (*goPackage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &goPackage{fset: token.NewFileSet()}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(p.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.files = append(p.files, f)
	}
	if len(p.files) == 0 {
		return nil, fmt.Errorf("%s: no non-test Go files", dir)
	}
	return p, nil
}

// stringConsts returns the package-level string constants of p by name.
func (p *goPackage) stringConsts() map[string]string {
	out := map[string]string{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out[n.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}

func (p *goPackage) funcDecl(name string) *ast.FuncDecl {
	for _, f := range p.files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
				return fd
			}
		}
	}
	return nil
}

// envVars returns the environment variables the package reads: the string
// arguments of every call to loadConfig's func(string) string parameter
// (followed into package functions loadConfig hands it to), plus any
// os.Getenv or os.LookupEnv call with a constant name. A name that is not a
// constant is an error, because the template could not be checked against it.
func (p *goPackage) envVars() ([]string, error) {
	load := p.funcDecl("loadConfig")
	if load == nil {
		return nil, fmt.Errorf("no func loadConfig(getenv func(string) string)")
	}
	getenv := ""
	for _, field := range load.Type.Params.List {
		if isGetenvType(field.Type) && len(field.Names) == 1 {
			getenv = field.Names[0].Name
		}
	}
	if getenv == "" {
		return nil, fmt.Errorf("loadConfig has no func(string) string parameter")
	}
	w := envWalker{p: p, consts: p.stringConsts(), seen: map[string]bool{}, vars: map[string]bool{}}
	w.walk(load, getenv, nil)
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isIdent(sel.X, "os") &&
				(sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv") {
				w.add(call.Args[0], nil, "os."+sel.Sel.Name)
			}
			return true
		})
	}
	if len(w.errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(w.errs, "; "))
	}
	vars := make([]string, 0, len(w.vars))
	for v := range w.vars {
		vars = append(vars, v)
	}
	slices.Sort(vars)
	return vars, nil
}

type envWalker struct {
	p      *goPackage
	consts map[string]string
	seen   map[string]bool
	vars   map[string]bool
	errs   []string
}

// walk collects getenv calls in fn, where getenv names the func(string)
// string parameter and bound holds the constant values of fn's string
// parameters at this call site.
func (w *envWalker) walk(fn *ast.FuncDecl, getenv string, bound map[string]string) {
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if isIdent(call.Fun, getenv) {
			if len(call.Args) == 1 {
				w.add(call.Args[0], bound, fn.Name.Name)
			}
			return true
		}
		callee, ok := call.Fun.(*ast.Ident)
		if !ok {
			return true
		}
		for i, arg := range call.Args {
			if !isIdent(arg, getenv) {
				continue
			}
			fd := w.p.funcDecl(callee.Name)
			if fd == nil {
				w.errs = append(w.errs, fmt.Sprintf("%s passes %s to %s, which is not a function of the package", fn.Name.Name, getenv, callee.Name))
				continue
			}
			w.follow(fd, i, call.Args, bound)
		}
		return true
	})
}

// follow walks callee fd, which receives getenv as its idx-th argument.
func (w *envWalker) follow(fd *ast.FuncDecl, idx int, args []ast.Expr, bound map[string]string) {
	params := []string{}
	for _, field := range fd.Type.Params.List {
		for _, n := range field.Names {
			params = append(params, n.Name)
		}
		if len(field.Names) == 0 {
			params = append(params, "_")
		}
	}
	if idx >= len(params) {
		return
	}
	inner := map[string]string{}
	for i, a := range args {
		if i < len(params) && i != idx {
			if v, ok := w.constValue(a, bound); ok {
				inner[params[i]] = v
			}
		}
	}
	key := fmt.Sprint(fd.Name.Name, inner)
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.walk(fd, params[idx], inner)
}

func (w *envWalker) add(arg ast.Expr, bound map[string]string, where string) {
	v, ok := w.constValue(arg, bound)
	if !ok {
		w.errs = append(w.errs, fmt.Sprintf("%s reads an environment variable whose name is not a constant (%T)", where, arg))
		return
	}
	w.vars[v] = true
}

func (w *envWalker) constValue(e ast.Expr, bound map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		v, err := strconv.Unquote(x.Value)
		return v, err == nil
	case *ast.Ident:
		if v, ok := bound[x.Name]; ok {
			return v, true
		}
		v, ok := w.consts[x.Name]
		return v, ok
	case *ast.ParenExpr:
		return w.constValue(x.X, bound)
	}
	return "", false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isGetenvType reports whether e is the type func(string) string.
func isGetenvType(e ast.Expr) bool {
	ft, ok := e.(*ast.FuncType)
	if !ok || ft.Params == nil || ft.Results == nil {
		return false
	}
	return len(ft.Params.List) == 1 && len(ft.Params.List[0].Names) <= 1 && isIdent(ft.Params.List[0].Type, "string") &&
		len(ft.Results.List) == 1 && len(ft.Results.List[0].Names) == 0 && isIdent(ft.Results.List[0].Type, "string")
}

// emfMetrics returns the values of the emf constants the package refers to
// (emf.DriftChecks and the like), given the emf package's constants.
func (p *goPackage) emfMetrics(emfConsts map[string]string) []string {
	set := map[string]bool{}
	for _, f := range p.files {
		local := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == emfImportPath {
				local = "emf"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if ok && isIdent(sel.X, local) {
				if v, ok := emfConsts[sel.Sel.Name]; ok {
					set[v] = true
				}
			}
			return true
		})
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func TestEnvVars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		want    []string
		wantErr bool
	}{
		{
			name: "literal calls",
			src: `package main
func loadConfig(getenv func(string) string) {
	_ = getenv("A")
	if v := getenv("B"); v != "" {}
}`,
			want: []string{"A", "B"},
		},
		{
			name: "other parameter name, constants and helpers",
			src: `package main
import "os"
const envC = "C"
func loadConfig(env func(string) string) {
	_ = env(envC)
	_ = duration(env, "D")
	_ = os.Getenv("E")
}
func duration(get func(string) string, name string) string { return get(name) }`,
			want: []string{"C", "D", "E"},
		},
		{
			name: "computed name",
			src: `package main
func loadConfig(getenv func(string) string) {
	p := "X_"
	_ = getenv(p + "A")
}`,
			wantErr: true,
		},
		{
			name:    "no loadConfig",
			src:     "package main\nfunc main() {}\n",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "config.go"), []byte(tt.src), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := parseGoDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.envVars()
			if (err != nil) != tt.wantErr {
				t.Fatalf("envVars error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
				t.Errorf("envVars (-want +got):\n%s", diff)
			}
		})
	}
}
