package deploy

import (
	"context"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds one make run, and the shared arm64 build before the
// make runs. With a warm build cache a build takes a few seconds; a cold
// cache compiles every dependency for arm64.
const buildTimeout = 10 * time.Minute

// arm64Once compiles every function for linux/arm64 with the deployment
// flags in one go build, once per test binary. The make runs that follow
// find every package in the build cache and only link: started cold and in
// parallel, each of them would compile the whole dependency graph itself,
// since concurrent go commands do not share work in progress.
var arm64Once struct {
	sync.Once
	took time.Duration
	err  error
}

// warmArm64 runs the shared arm64 build, or waits for it, and fails t if it
// failed. The build's output, when it fails, is in the error.
func warmArm64(t *testing.T, functionsDir string) {
	t.Helper()
	arm64Once.Do(func() {
		t.Logf("compiling the functions for linux/arm64 once for all make runs (minutes with a cold build cache)")
		start := time.Now()
		pkgs := make([]string, 0, len(functionDirs))
		for _, dir := range functionDirs {
			if _, err := os.Stat(filepath.Join(functionsDir, dir)); err == nil {
				pkgs = append(pkgs, "./functions/"+mainDir(dir))
			}
		}
		slices.Sort(pkgs)
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		// The flags of functions/Makefile. With more than one package, go
		// build compiles and links each one and keeps nothing but the cache.
		args := append([]string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}, pkgs...)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = filepath.Dir(functionsDir)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		if out, err := cmd.CombinedOutput(); err != nil {
			arm64Once.err = errors.New("go " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out))
		}
		arm64Once.took = time.Since(start)
	})
	if arm64Once.err != nil {
		t.Fatal(arm64Once.err)
	}
	t.Logf("shared linux/arm64 build took %v", arm64Once.took.Round(100*time.Millisecond))
}

func makefilePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(repoRoot, "functions", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func needMake(t *testing.T) string {
	t.Helper()
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	return mk
}

// TestMakefileTargets dry-runs each function's target and checks that it
// builds the function's own package with the deployment flags.
func TestMakefileTargets(t *testing.T) {
	t.Parallel()
	mk := needMake(t)
	for id, dir := range functionDirs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), mk, "-n", "--makefile", makefilePath(t), "build-"+id)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make -n build-%s: %v\n%s", id, err, out)
			}
			for _, want := range []string{
				"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "-tags lambda.norpc", "-trimpath", "-ldflags='-s -w'",
				"/bootstrap", "./functions/" + mainDir(dir),
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("make -n build-%s does not contain %q:\n%s", id, want, out)
				}
			}
		})
	}
}

// TestMakefileBuildsArm64 runs each target the way sam build does, with
// ARTIFACTS_DIR in the environment, both in functions/ (build_in_source) and
// in an empty scratch directory with --makefile (sam's default copy), and
// checks that bootstrap is a static linux/arm64 executable built with the
// deployment flags.
func TestMakefileBuildsArm64(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the functions; skipped with -short")
	}
	mk := needMake(t)
	functionsDir, err := filepath.Abs(filepath.Join(repoRoot, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	modes := []struct {
		name string
		args func(t *testing.T, target string) (dir string, args []string)
	}{
		{"in source", func(t *testing.T, target string) (string, []string) {
			return functionsDir, []string{target}
		}},
		{"scratch dir", func(t *testing.T, target string) (string, []string) {
			return t.TempDir(), []string{"--makefile", makefilePath(t), target}
		}},
	}
	for id, dir := range functionDirs {
		if _, err := os.Stat(filepath.Join(functionsDir, dir)); errors.Is(err, os.ErrNotExist) && dir == "driftcheck" {
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				t.Skipf("functions/%s does not exist yet", dir)
			})
			continue
		}
		for _, m := range modes {
			t.Run(id+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				warmArm64(t, functionsDir)
				start := time.Now()
				ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
				defer cancel()
				artifacts := t.TempDir()
				wd, args := m.args(t, "build-"+id)
				cmd := exec.CommandContext(ctx, mk, args...)
				cmd.Dir = wd
				cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+artifacts)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				t.Logf("make %s took %v", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
				checkBootstrap(t, filepath.Join(artifacts, "bootstrap"), dir)
			})
		}
	}
}

func checkBootstrap(t *testing.T, path, dir string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&0o111 == 0 {
		t.Errorf("bootstrap mode %v is not executable", st.Mode())
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("ELF machine %v class %v, want EM_AARCH64 ELFCLASS64", f.Machine, f.Class)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("ELF type %v, want ET_EXEC (static, not PIE)", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap has a %v program header; want a static binary", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("bootstrap links %v; want none", libs)
	}
	// -trimpath keeps -ldflags out of the build info, so look for what
	// -s -w removes instead: the symbol table and the DWARF sections.
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("bootstrap has section %s; want it stripped (-ldflags='-s -w')", s.Name)
		}
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/callwire/callwire/functions/" + mainDir(dir); info.Path != want {
		t.Errorf("main package %q, want %q", info.Path, want)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{
		"CGO_ENABLED": "0",
		"GOOS":        "linux",
		"GOARCH":      "arm64",
		"-tags":       "lambda.norpc",
		"-trimpath":   "true",
	} {
		if settings[k] != want {
			t.Errorf("build setting %s = %q, want %q", k, settings[k], want)
		}
	}
}
