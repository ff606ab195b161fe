package readme

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// markdown is one parsed Markdown file.
type markdown struct {
	src     []byte
	links   []link
	anchors map[string]bool // the #fragments GitHub gives its headings
}

// link is one link or image destination, with the line it is on.
type link struct {
	line int
	dest string
}

// parseMarkdown reads the repository-relative file name with GitHub's
// dialect (tables included, so links inside tables are found).
func parseMarkdown(name string) (*markdown, error) {
	src, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		return nil, err
	}
	md := &markdown{src: src, anchors: map[string]bool{}}
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	seen := map[string]int{}
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			slug := githubSlug(plainText(n, src))
			if k := seen[slug]; k > 0 {
				md.anchors[fmt.Sprintf("%s-%d", slug, k)] = true
			} else {
				md.anchors[slug] = true
			}
			seen[slug]++
		case *ast.Link:
			md.links = append(md.links, link{line: lineOf(src, n), dest: string(n.Destination)})
		case *ast.Image:
			md.links = append(md.links, link{line: lineOf(src, n), dest: string(n.Destination)})
		}
		return ast.WalkContinue, nil
	})
	return md, err
}

// plainText is a heading's text as GitHub reads it for its anchor: the
// text of its inlines, code spans included, markup left out.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
		case *ast.String:
			b.Write(c.Value)
		default:
			b.WriteString(plainText(c, src))
		}
	}
	return b.String()
}

// githubSlug is the anchor GitHub gives a heading: lower case, every
// character but letters, digits, spaces, '-' and '_' dropped, spaces made
// '-'. (A repeated heading gets -1, -2, ... after it.)
func githubSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// lineOf returns the line of the block holding an inline node.
func lineOf(src []byte, n ast.Node) int {
	for p := n; p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return bytes.Count(src[:p.Lines().At(0).Start], []byte("\n")) + 1
		}
	}
	return 0
}

// TestGitHubSlug pins the anchors of headings this repository uses.
func TestGitHubSlug(t *testing.T) {
	t.Parallel()
	for heading, want := range map[string]string{
		"Quick start":                "quick-start",
		"`go run` or `go tool`":      "go-run-or-go-tool",
		"`-live`":                    "-live",
		"The secret's new keys":      "the-secrets-new-keys",
		"Output: `callwire.call.v1`": "output-callwirecallv1",
		"2. Build":                   "2-build",
		"What happens when...":       "what-happens-when",
		"What is checked, and what happens when...":               "what-is-checked-and-what-happens-when",
		"`swcontract check` on a 200,000-entry HAR, every format": "swcontract-check-on-a-200000-entry-har-every-format",
	} {
		src := []byte("# " + heading + "\n")
		md := goldmark.New().Parser().Parse(text.NewReader(src))
		if got := githubSlug(plainText(md.FirstChild(), src)); got != want {
			t.Errorf("githubSlug(%q) = %q, want %q", heading, got, want)
		}
	}
}

// TestLinksResolve checks every relative link and image of every Markdown
// file: the file it names exists, and a #fragment names a heading of the
// Markdown file it points into.
func TestLinksResolve(t *testing.T) {
	t.Parallel()
	files := markdownFiles(t)
	parsed := map[string]*markdown{}
	get := func(name string) (*markdown, error) {
		if md, ok := parsed[name]; ok {
			return md, nil
		}
		md, err := parseMarkdown(name)
		parsed[name] = md
		return md, err
	}
	for _, name := range files {
		md, err := get(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, l := range md.links {
			if err := checkLink(name, l.dest, get); err != nil {
				t.Errorf("%s:%d: link %s: %v", name, l.line, l.dest, err)
			}
		}
	}
}

// checkLink resolves dest, a link of the Markdown file from.
func checkLink(from, dest string, get func(string) (*markdown, error)) error {
	u, err := url.Parse(dest)
	if err != nil {
		return err
	}
	if u.Scheme != "" || u.Host != "" {
		return nil // an external address: not checked offline
	}
	target := from
	if u.Path != "" {
		target = path.Clean(path.Join(path.Dir(from), u.Path))
		if target == ".." || strings.HasPrefix(target, "../") {
			return fmt.Errorf("points outside the repository")
		}
		if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(target))); err != nil {
			return fmt.Errorf("%s does not exist", target)
		}
	}
	if u.Fragment == "" || !strings.HasSuffix(target, ".md") {
		return nil
	}
	md, err := get(target)
	if err != nil {
		return err
	}
	if !md.anchors[u.Fragment] {
		return fmt.Errorf("%s has no heading with the anchor #%s", target, u.Fragment)
	}
	return nil
}
