package specwatch

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeConfiguration checks that README.md's configuration table is
// the Env table: names, order, defaults and docs.
func TestReadmeConfiguration(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "| Variable | Default | Meaning |\n|---|---|---|\n")
	if !ok {
		t.Fatal("README.md has no configuration table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var got, want []string
	for line := range strings.SplitSeq(table, "\n") {
		got = append(got, line)
	}
	for _, v := range Env {
		def := "`" + v.Default + "`"
		switch {
		case v.Required:
			def = "(required)"
		case v.Default == DefaultURL:
			def = "the signalwire/docs raw URL"
		case v.Default == "":
			def = ""
		}
		want = append(want, "| `"+v.Name+"` | "+def+" | "+v.Doc+" |")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md configuration (-Env +README):\n%s", diff)
	}
}
