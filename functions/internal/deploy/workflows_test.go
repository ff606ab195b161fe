package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestWorkflowsLint runs actionlint, pinned as a tool in go.mod, on every
// GitHub workflow. It skips, saying why, when the tool cannot be built (no
// module proxy and no module cache); in CI that is a failure.
func TestWorkflowsLint(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no workflows in .github/workflows")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	version := exec.CommandContext(ctx, "go", "tool", "actionlint", "-version")
	version.Dir = root
	if out, err := version.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go tool actionlint cannot be built: %v\n%s", err, out)
		}
		t.Skipf("go tool actionlint cannot be built here (offline without the module in the cache?): %v\n%s", err, out)
	}
	args := append([]string{"tool", "actionlint", "-no-color"}, files...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("actionlint found problems (%v):\n%s", err, out.String())
	}
}
