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
	"CallbackFunction":   "callback",
	"PublishFunction":    "publish",
	"SweepFunction":      "sweep",
	"SpecWatchFunction":  "specwatch",
}

// mainDir returns the directory, under functions/, of the main package
// that deploys the function whose package is functions/<dir>.
func mainDir(dir string) string { return "cmd/" + dir }

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

// modulePath is this module's import path.
const modulePath = "github.com/callwire/callwire"

// moduleImport parses the package of this module with import path path.
func moduleImport(path string) (*goPackage, error) {
	rel, ok := strings.CutPrefix(path, modulePath+"/")
	if !ok {
		return nil, fmt.Errorf("%s is not a package of this module", path)
	}
	return parseGoDir(filepath.Join(repoRoot, filepath.FromSlash(rel)))
}

// envVars returns the environment variables the package reads: the string
// arguments of every call to loadConfig's func(string) string parameter
// (followed into the functions loadConfig hands it to, in this package or in
// another one that resolve parses), plus any os.Getenv or os.LookupEnv call
// with a constant name. A name that is not a constant, or a getenv handed
// to a function that cannot be followed, is an error, because the template
// could not be checked against it.
func (p *goPackage) envVars(resolve func(importPath string) (*goPackage, error)) ([]string, error) {
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
	w := envWalker{resolve: resolve, seen: map[string]bool{}, vars: map[string]bool{}}
	w.walk(p, load, getenv, nil)
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isIdent(sel.X, "os") &&
				(sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv") {
				w.add(p, call.Args[0], nil, "os."+sel.Sel.Name)
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
	resolve func(importPath string) (*goPackage, error)
	seen    map[string]bool
	vars    map[string]bool
	errs    []string
}

// walk collects getenv calls in fn, a function of p, where getenv names the
// func(string) string parameter and bound holds the constant values of fn's
// string parameters at this call site.
func (w *envWalker) walk(p *goPackage, fn *ast.FuncDecl, getenv string, bound map[string]string) {
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if isIdent(call.Fun, getenv) {
			if len(call.Args) == 1 {
				w.add(p, call.Args[0], bound, fn.Name.Name)
			}
			return true
		}
		for i, arg := range call.Args {
			if !isIdent(arg, getenv) {
				continue
			}
			callee, fd, err := w.callee(p, call.Fun)
			if err != nil {
				w.errs = append(w.errs, fmt.Sprintf("%s passes %s to %s", fn.Name.Name, getenv, err))
				continue
			}
			w.follow(p, callee, fd, i, call.Args, bound)
		}
		return true
	})
}

// callee resolves the function a call in p names: a function of p, or
// pkg.F of a package p imports.
func (w *envWalker) callee(p *goPackage, fun ast.Expr) (*goPackage, *ast.FuncDecl, error) {
	switch f := fun.(type) {
	case *ast.Ident:
		if fd := p.funcDecl(f.Name); fd != nil {
			return p, fd, nil
		}
		return nil, nil, fmt.Errorf("%s, which is not a function of the package", f.Name)
	case *ast.SelectorExpr:
		pkgName, ok := f.X.(*ast.Ident)
		if !ok {
			break
		}
		path := p.importPath(pkgName.Name)
		if path == "" {
			break
		}
		q, err := w.resolve(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s, whose package cannot be read: %v", pkgName.Name, f.Sel.Name, err)
		}
		if fd := q.funcDecl(f.Sel.Name); fd != nil {
			return q, fd, nil
		}
		return nil, nil, fmt.Errorf("%s.%s, which is not a function of %s", pkgName.Name, f.Sel.Name, path)
	}
	return nil, nil, fmt.Errorf("%T, which is not a function it can follow", fun)
}

// importPath returns the path of the package p imports as name, or "".
func (p *goPackage) importPath(name string) string {
	for _, f := range p.files {
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			local := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			if local == name {
				return path
			}
		}
	}
	return ""
}

// follow walks fd, a function of callee called from caller, which receives
// getenv as its idx-th argument.
func (w *envWalker) follow(caller, callee *goPackage, fd *ast.FuncDecl, idx int, args []ast.Expr, bound map[string]string) {
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
			if v, ok := caller.constValue(a, bound); ok {
				inner[params[i]] = v
			}
		}
	}
	key := fmt.Sprint(callee.fset.Position(fd.Pos()), inner)
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.walk(callee, fd, params[idx], inner)
}

func (w *envWalker) add(p *goPackage, arg ast.Expr, bound map[string]string, where string) {
	v, ok := p.constValue(arg, bound)
	if !ok {
		w.errs = append(w.errs, fmt.Sprintf("%s reads an environment variable whose name is not a constant (%T)", where, arg))
		return
	}
	w.vars[v] = true
}

func (p *goPackage) constValue(e ast.Expr, bound map[string]string) (string, bool) {
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
		v, ok := p.stringConsts()[x.Name]
		return v, ok
	case *ast.ParenExpr:
		return p.constValue(x.X, bound)
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

func TestEnvVars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		others  map[string]string // import path -> source of another package
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
			name: "helper in another package",
			src: `package main
import settings "example.com/shared"
func loadConfig(getenv func(string) string) {
	_ = settings.Load(getenv, "G")
}`,
			others: map[string]string{"example.com/shared": `package shared
const envH = "H"
func Load(get func(string) string, name string) string { return get(name) + get(envH) }`},
			want: []string{"G", "H"},
		},
		{
			name: "helper in a package that cannot be read",
			src: `package main
import "example.com/missing"
func loadConfig(getenv func(string) string) { _ = missing.Load(getenv) }`,
			wantErr: true,
		},
		{
			name: "getenv handed to a method value",
			src: `package main
type r struct{}
func (r) read(get func(string) string) string { return get("X") }
func loadConfig(getenv func(string) string) { _ = r{}.read(getenv) }`,
			wantErr: true,
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
			resolve := func(path string) (*goPackage, error) {
				src, ok := tt.others[path]
				if !ok {
					return nil, fmt.Errorf("no package %s", path)
				}
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "pkg.go"), []byte(src), 0o600); err != nil {
					t.Fatal(err)
				}
				return parseGoDir(dir)
			}
			got, err := p.envVars(resolve)
			if (err != nil) != tt.wantErr {
				t.Fatalf("envVars error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
				t.Errorf("envVars (-want +got):\n%s", diff)
			}
		})
	}
}

// parseSource parses src as the one file of a package.
func parseSource(t *testing.T, src string) *goPackage {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "src.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := parseGoDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
