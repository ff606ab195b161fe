package lambdatest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
