package deploy

import (
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/emf"
)

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

// baseDims are the dimensions of emf.Dimensions inside Lambda.
var baseDims = []string{emf.DimFunction, emf.DimFunctionName}

// loadEmfConsts returns the emf metric-name constants by Go name (not the
// namespace, units or dimension names).
var loadEmfConsts = sync.OnceValues(func() (map[string]string, error) {
	p, err := parseGoDir(filepath.Join(repoRoot, "functions", "internal", "emf"))
	if err != nil {
		return nil, err
	}
	consts := p.stringConsts()
	for name, v := range consts {
		if v == emf.Namespace || v == emf.Count || v == emf.Milliseconds || strings.HasPrefix(name, "Dim") {
			delete(consts, name)
		}
	}
	if consts["DriftNonConformant"] != emf.DriftNonConformant {
		return nil, fmt.Errorf("parsed emf.DriftNonConformant = %q, compiled %q", consts["DriftNonConformant"], emf.DriftNonConformant)
	}
	return consts, nil
})

// emittedMetrics returns every metric of the callwire namespace the
// function in functions/<dir> emits, with its dimension names. The
// package's calls X.Emit(dims, values...) are read one by one: dims is
// emf.Dimensions(...), a variable assigned from it in the same function
// (plus the keys the function sets on it, as dims["Severity"] = ...), or a
// field (taken to hold emf.Dimensions); the metric names are the emf
// constants among the call's arguments, or, when the values are passed as
// a slice, those the enclosing function refers to.
func emittedMetrics(t *testing.T, dir string) []metric {
	t.Helper()
	consts, err := loadEmfConsts()
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseGoDir(filepath.Join(repoRoot, "functions", dir))
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.emitted(consts)
	if err != nil {
		t.Fatalf("functions/%s: %v", dir, err)
	}
	if len(got) == 0 {
		t.Fatalf("functions/%s emits no metric; the source walk is broken", dir)
	}
	return got
}

func (p *goPackage) emitted(consts map[string]string) ([]metric, error) {
	set := map[metric]bool{}
	var errs []string
	for _, f := range p.files {
		local := importName(f, emfImportPath)
		if local == "" {
			continue
		}
		isDimensions := func(e ast.Expr) bool {
			call, ok := e.(*ast.CallExpr)
			if !ok {
				return false
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			return ok && isIdent(sel.X, local) && sel.Sel.Name == "Dimensions"
		}
		metricsIn := func(nodes ...ast.Node) []string {
			var names []string
			for _, n := range nodes {
				ast.Inspect(n, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok && isIdent(sel.X, local) {
						if v, ok := consts[sel.Sel.Name]; ok && !slices.Contains(names, v) {
							names = append(names, v)
						}
					}
					return true
				})
			}
			return names
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			// Variables assigned from emf.Dimensions, and the keys set on them.
			dimVars, keysSet := map[string]bool{}, map[string][]string{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for i, lhs := range as.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && i < len(as.Rhs) && isDimensions(as.Rhs[i]) {
						dimVars[id.Name] = true
					}
					if ix, ok := lhs.(*ast.IndexExpr); ok {
						if id, ok := ix.X.(*ast.Ident); ok {
							if key, ok := p.constValue(ix.Index, nil); ok {
								keysSet[id.Name] = append(keysSet[id.Name], key)
							}
						}
					}
				}
				return true
			})
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Emit" || len(call.Args) < 2 {
					return true
				}
				where := p.fset.Position(call.Pos()).String()
				var dims []string
				switch a := call.Args[0].(type) {
				case *ast.CallExpr:
					if !isDimensions(a) {
						errs = append(errs, where+": Emit's dimensions are not emf.Dimensions(...)")
						return true
					}
					dims = baseDims
				case *ast.Ident:
					if !dimVars[a.Name] {
						errs = append(errs, where+": Emit's dimensions "+a.Name+" are not assigned from emf.Dimensions in this function")
						return true
					}
					dims = append(slices.Clone(baseDims), keysSet[a.Name]...)
				case *ast.SelectorExpr:
					dims = baseDims
				default:
					errs = append(errs, fmt.Sprintf("%s: Emit's dimensions are a %T this walk cannot follow", where, a))
					return true
				}
				var args []ast.Node
				for _, a := range call.Args[1:] {
					args = append(args, a)
				}
				names := metricsIn(args...)
				if call.Ellipsis.IsValid() && len(names) == 0 {
					names = metricsIn(fd.Body)
				}
				if len(names) == 0 {
					errs = append(errs, where+": Emit with no emf metric constant in sight")
				}
				for _, n := range names {
					set[newMetric(n, dims)] = true
				}
				return true
			})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	out := make([]metric, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b metric) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// importName returns the name f imports path as, or "".
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// logKeys returns the attribute keys (slog.String("key", ...) and the like)
// and the messages of the log calls (LogAttrs, Info, ...) in the package.
func (p *goPackage) logKeys() map[string]bool {
	keys := map[string]bool{}
	for _, f := range p.files {
		local := importName(f, "log/slog")
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			arg := -1
			switch {
			case local != "" && isIdent(sel.X, local) && slices.Contains([]string{"String", "Int", "Int64", "Uint64", "Float64", "Bool", "Time", "Duration", "Any", "Group"}, sel.Sel.Name):
				arg = 0
			case sel.Sel.Name == "LogAttrs" || sel.Sel.Name == "Log":
				arg = 2
			case slices.Contains([]string{"InfoContext", "WarnContext", "ErrorContext", "DebugContext"}, sel.Sel.Name):
				arg = 1
			}
			if arg >= 0 && arg < len(call.Args) {
				if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if v, err := strconv.Unquote(lit.Value); err == nil {
						keys[v] = true
					}
				}
			}
			return true
		})
	}
	return keys
}

func TestEmitted(t *testing.T) {
	t.Parallel()
	consts := map[string]string{"A": "MetricA", "B": "MetricB", "C": "MetricC"}
	tests := []struct {
		name    string
		src     string
		want    []metric
		wantErr bool
	}{
		{
			name: "direct, variable with an extra key, field and slice",
			src: `package main
import "github.com/callwire/callwire/functions/internal/emf"
type h struct{ dims map[string]string; w *emf.Writer }
func (x *h) one() {
	x.w.Emit(emf.Dimensions("f", ""), emf.Value{Name: emf.A})
	dims := emf.Dimensions("f", "")
	dims["Severity"] = "error"
	x.w.Emit(dims, emf.Value{Name: emf.B})
}
func (x *h) two() {
	values := []emf.Value{{Name: emf.C}}
	x.w.Emit(x.dims, values...)
}`,
			want: []metric{
				{Name: "MetricA", Dims: "Function,FunctionName"},
				{Name: "MetricB", Dims: "Function,FunctionName,Severity"},
				{Name: "MetricC", Dims: "Function,FunctionName"},
			},
		},
		{
			name: "dimensions from elsewhere",
			src: `package main
import "github.com/callwire/callwire/functions/internal/emf"
func f(w *emf.Writer, d map[string]string) { w.Emit(d, emf.Value{Name: emf.A}) }`,
			wantErr: true,
		},
		{
			name: "no metric",
			src: `package main
import "github.com/callwire/callwire/functions/internal/emf"
func f(w *emf.Writer, v []emf.Value) { w.Emit(emf.Dimensions("f", ""), v...) }`,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := parseSource(t, tt.src)
			got, err := p.emitted(consts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("emitted error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
				t.Errorf("emitted (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogKeys(t *testing.T) {
	t.Parallel()
	p := parseSource(t, `package main
import "log/slog"
func f(l *slog.Logger) {
	l.LogAttrs(nil, slog.LevelInfo, "getcall", slog.String("outcome", "ok"), slog.Any("findings", nil))
	l.InfoContext(nil, "other", "k", 1)
}`)
	want := map[string]bool{"getcall": true, "outcome": true, "findings": true, "other": true}
	if diff := cmp.Diff(want, p.logKeys()); diff != "" {
		t.Errorf("logKeys (-want +got):\n%s", diff)
	}
}
