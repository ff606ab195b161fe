package deploy

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the Markdown configuration blocks from the functions' Env tables")

// envBlock is a configuration table in a Markdown file, marked by the
// function's directory: <!-- env:getcall --> ... <!-- /env -->.
var envBlock = regexp.MustCompile(`(?s)<!-- env:([a-z]+) -->\n(.*?)<!-- /env -->`)

// renderEnv is the Markdown table of f's environment: every variable a
// deployment or a local run may set (not those the runtime sets), with its
// default and its doc.
func renderEnv(f function) string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, v := range f.env {
		if v.Runtime {
			continue
		}
		def := "(none)"
		switch {
		case v.Required:
			def = "(required)"
		case v.Default != "":
			def = "`" + v.Default + "`"
		}
		b.WriteString("| `" + v.Name + "` | " + strings.ReplaceAll(def, "|", `\|`) + " | " + strings.ReplaceAll(v.Doc, "|", `\|`) + " |\n")
	}
	return b.String()
}

// TestEnvDocs checks every marked configuration block of every Markdown
// file against the function's Env table, and that each function has one
// (functions/NAME/README.md); with -update it rewrites the blocks.
func TestEnvDocs(t *testing.T) {
	t.Parallel()
	byDir := map[string]function{}
	for _, f := range functions {
		byDir[f.dir] = f
	}
	seen := map[string]string{}
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		out := envBlock.ReplaceAllFunc(src, func(block []byte) []byte {
			m := envBlock.FindSubmatch(block)
			dir := string(m[1])
			f, ok := byDir[dir]
			if !ok {
				t.Errorf("%s: <!-- env:%s --> names no function", rel, dir)
				return block
			}
			if other, dup := seen[dir]; dup {
				t.Errorf("%s: a second <!-- env:%s --> block (the first is in %s); state each table once", rel, dir, other)
			}
			seen[dir] = rel
			want := renderEnv(f)
			if *update {
				return []byte("<!-- env:" + dir + " -->\n" + want + "<!-- /env -->")
			}
			if diff := cmp.Diff(want, string(m[2])); diff != "" {
				t.Errorf("%s: the %s configuration table differs from functions/%s's Env (-Env +%s); go test ./functions/internal/deploy -update rewrites it:\n%s", rel, dir, dir, rel, diff)
			}
			return block
		})
		if *update && !bytes.Equal(out, src) {
			return os.WriteFile(path, out, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range functions {
		if _, ok := seen[f.dir]; !ok {
			t.Errorf("no Markdown file has a <!-- env:%s --> block for functions/%s's configuration", f.dir, f.dir)
		}
	}
}
