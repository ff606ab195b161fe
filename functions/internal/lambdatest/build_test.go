package lambdatest

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestModuleRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, deep} {
		got, err := ModuleRoot(dir)
		if err != nil {
			t.Fatalf("ModuleRoot(%s): %v", dir, err)
		}
		if got != root {
			t.Errorf("ModuleRoot(%s) = %s, want %s", dir, got, root)
		}
	}
}

func TestModuleRootMissing(t *testing.T) {
	t.Parallel()
	// The filesystem root has no go.mod in any sane test environment.
	if _, err := ModuleRoot(string(filepath.Separator)); err == nil {
		t.Error("ModuleRoot(/) succeeded, want an error")
	}
}

// TestBuildBootstrapError checks that a package that does not compile is a
// *BuildError that keeps the compiler's output line by line, and a one-line
// message.
func TestBuildBootstrapError(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":           "module example.com/broken\n\ngo 1.22\n",
		"fn/main.go":       "package main\n\nfunc main() {\n\tundefinedThing()\n}\n",
		"fn/second.go":     "package main\n\nvar _ = alsoUndefined\n",
		"other/unused.txt": "not Go\n",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := BuildBootstrap(t.Context(), root, "./fn", t.TempDir())
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("BuildBootstrap = %v, want a *BuildError", err)
	}
	if be.Target != "./fn" {
		t.Errorf("Target = %q, want ./fn", be.Target)
	}
	out := string(be.Output)
	for _, want := range []string{"main.go:4:2: undefined: undefinedThing\n", "second.go:3:9: undefined: alsoUndefined"} {
		if !strings.Contains(out, want) {
			t.Errorf("Output lacks %q:\n%s", want, out)
		}
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "undefinedThing") {
		t.Errorf("Error() = %q, want one line naming the error", msg)
	}
}

// TestBuildBootstrapProgress builds a module whose packages are new to the
// build cache and checks that progress counts each one the go command
// compiled, against the packages the bootstrap links, and that a compile
// error still reaches the BuildError's output, without the package lines.
func TestBuildBootstrapProgress(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	// New to the build cache: the packages' text is unique to this run.
	unique := strconv.FormatInt(time.Now().UnixNano(), 10)
	files := map[string]string{
		"go.mod":      "module example.com/progress\n\ngo 1.22\n",
		"fn/main.go":  "package main\n\nimport \"example.com/progress/a\"\n\nfunc main() { println(a.A) }\n",
		"a/a.go":      "package a\n\nimport \"example.com/progress/b\"\n\nconst A = b.B + 1\n",
		"b/b.go":      "package b\n\nconst B = " + unique + "\n",
		"broken/m.go": "package main\n\nimport \"example.com/progress/a\"\n\nfunc main() { println(a.A, undefinedThing) }\n",
	}
	for name, text := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type call struct{ compiled, total int }
	var calls []call
	path, err := BuildBootstrapProgress(t.Context(), root, "./fn", t.TempDir(), func(compiled, total int) {
		calls = append(calls, call{compiled, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no bootstrap: %v", err)
	}
	// a, b and the main package at least; runtime and the rest of the
	// standard library it links come on top.
	if len(calls) < 3 {
		t.Fatalf("progress called %d times, want at least 3: %v", len(calls), calls)
	}
	for i, c := range calls {
		if c.compiled != i+1 || c.total < 10 || c.compiled > c.total {
			t.Errorf("call %d = %+v, want compiled %d of the same total, at least 10", i, c, i+1)
		}
		if c.total != calls[0].total {
			t.Errorf("call %d total %d, want %d as the first", i, c.total, calls[0].total)
		}
	}

	calls = nil
	_, err = BuildBootstrapProgress(t.Context(), root, "./broken", t.TempDir(), func(compiled, total int) {
		calls = append(calls, call{compiled, total})
	})
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("BuildBootstrapProgress = %v, want a *BuildError", err)
	}
	out := string(be.Output)
	if !strings.Contains(out, "undefined: undefinedThing") || strings.Contains(out, "example.com/progress/a\n") {
		t.Errorf("Output = %q (%v), want the compile error and no package lines", out, err)
	}
}
