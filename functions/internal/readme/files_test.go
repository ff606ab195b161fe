package readme

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const repoRoot = "../../.."

// markdownFiles returns the repository's Markdown files, relative to its
// root: the ones git tracks, or, without git, every one outside hidden
// folders.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*.md")
	cmd.Dir = repoRoot
	if out, err := cmd.Output(); err == nil {
		var files []string
		for f := range strings.FieldsSeq(string(out)) {
			if _, err := os.Stat(filepath.Join(repoRoot, f)); err == nil { // deleted, not yet staged
				files = append(files, f)
			}
		}
		if len(files) > 0 {
			slices.Sort(files)
			return files
		}
	}
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != repoRoot && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			rel, err := filepath.Rel(repoRoot, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestMarkdownFilesIncludeEveryFolderREADME(t *testing.T) {
	t.Parallel()
	files := markdownFiles(t)
	for _, want := range []string{"README.md", "contract/README.md", "functions/README.md", "functions/local/README.md"} {
		if !slices.Contains(files, want) {
			t.Errorf("markdownFiles misses %s; got %v", want, files)
		}
	}
}
