package readme

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const repoRoot = "../../.."

// command is one documented go command, with where it appears.
type command struct {
	line int
	args []string // after "go"
}

// commands returns the go commands of README.md: each line of a fenced block
// that starts with "go ", and each inline code span that does.
func commands(t *testing.T) []command {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []command
	add := func(line int, c string) {
		if i := strings.Index(c, " #"); i >= 0 {
			c = c[:i]
		}
		out = append(out, command{line: line, args: strings.Fields(c)[1:]})
	}
	inline := regexp.MustCompile("`(go [^`]+)`")
	// Inline code may wrap, so prose is read a paragraph at a time.
	var para strings.Builder
	paraLine := 0
	flush := func() {
		for _, m := range inline.FindAllStringSubmatch(para.String(), -1) {
			add(paraLine, m[1])
		}
		para.Reset()
	}
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flush()
			inBlock = !inBlock
		case inBlock:
			if strings.HasPrefix(trimmed, "go ") {
				add(n, trimmed)
			}
		case trimmed == "" || strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "|"):
			flush()
			if trimmed != "" {
				paraLine = n
				para.WriteString(trimmed + " ")
			}
		default:
			if para.Len() == 0 {
				paraLine = n
			}
			para.WriteString(trimmed + " ")
		}
	}
	flush()
	return out
}

// optionTokens returns the flag names a command uses, inside [..] alternatives too.
func optionTokens(args []string) []string {
	var flags []string
	for _, a := range args {
		a = strings.Trim(a, "[]")
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name := strings.TrimLeft(a, "-")
		if i := strings.IndexAny(name, "= "); i >= 0 {
			name = name[:i]
		}
		flags = append(flags, name)
	}
	return flags
}

// binaries builds each documented main package once.
type binaries struct {
	dir  string
	mu   sync.Mutex
	done map[string]string
}

func (b *binaries) build(t *testing.T, pkg string) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if path, ok := b.done[pkg]; ok {
		return path
	}
	path := filepath.Join(b.dir, strings.NewReplacer("/", "_", ".", "_").Replace(pkg))
	cmd := exec.Command("go", "build", "-o", path, pkg)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	b.done[pkg] = path
	return path
}

// help runs bin with args and -h and returns what it printed.
func help(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "-h")...)
	cmd.Dir = repoRoot
	out, _ := cmd.CombinedOutput() // -h may exit 0 or 2
	return string(out)
}

// toolPackages maps each `tool` of go.mod to its package.
func toolPackages(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]string{}
	inTool := false
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "tool (":
			inTool = true
			continue
		case inTool && line == ")":
			inTool = false
			continue
		case strings.HasPrefix(line, "tool "):
			line = strings.TrimPrefix(line, "tool ")
		case !inTool:
			continue
		}
		tools[filepath.Base(line)] = line
	}
	return tools
}

// TestDocumentedCommands checks each go command README.md shows.
func TestDocumentedCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the documented commands; skipped with -short")
	}
	bins := &binaries{dir: t.TempDir(), done: map[string]string{}}
	tools := toolPackages(t)
	for _, c := range commands(t) {
		name := strings.Join(c.args, " ")
		t.Run(name, func(t *testing.T) {
			if len(c.args) == 0 {
				t.Fatalf("README.md:%d: an empty go command", c.line)
			}
			if len(c.args) == 1 {
				t.Skipf("README.md:%d: go %s named in prose", c.line, c.args[0])
			}
			switch verb := c.args[0]; verb {
			case "run", "tool":
				checkProgram(t, bins, tools, c)
			case "test":
				checkTest(t, c)
			case "generate", "list", "vet", "build", "mod", "install":
				for _, a := range c.args[1:] {
					if strings.HasPrefix(a, "./") {
						checkPackage(t, c, a)
					}
				}
			default:
				t.Errorf("README.md:%d: go %s is not a command this test knows", c.line, verb)
			}
		})
	}
}

func checkPackage(t *testing.T, c command, pkg string) {
	t.Helper()
	dir := filepath.Join(repoRoot, strings.TrimSuffix(pkg, "/..."))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Errorf("README.md:%d: package %s does not exist", c.line, pkg)
	}
}

// checkProgram builds the program a go run or go tool command names and
// checks that its subcommand and every flag the command uses appear in its -h.
func checkProgram(t *testing.T, bins *binaries, tools map[string]string, c command) {
	t.Helper()
	if len(c.args) < 2 {
		t.Fatalf("README.md:%d: go %s without a program", c.line, c.args[0])
	}
	target, rest := c.args[1], c.args[2:]
	pkg := target
	if c.args[0] == "tool" {
		p, ok := tools[target]
		if !ok {
			t.Fatalf("README.md:%d: go tool %s: no such tool in go.mod", c.line, target)
		}
		pkg = p
	} else if strings.Contains(target, "@") {
		t.Skipf("README.md:%d: %s is fetched from the network", c.line, target)
	}
	if strings.HasPrefix(pkg, "./") {
		checkPackage(t, c, pkg)
	}
	bin := bins.build(t, pkg)
	var sub []string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && !strings.HasPrefix(rest[0], "[") && !strings.ContainsAny(rest[0], "./<") {
		sub = []string{rest[0]}
	}
	text := help(t, bin, sub...)
	for _, f := range optionTokens(rest) {
		if !regexp.MustCompile(`(^|[\s\[,])--?` + regexp.QuoteMeta(f) + `\b`).MatchString(text) {
			t.Errorf("README.md:%d: %s %s: flag %q is not in its help:\n%s", c.line, target, strings.Join(sub, " "), f, text)
		}
	}
}

// checkTest checks a go test command: its packages exist, -update is
// accepted where it is documented, and a named fuzz target or benchmark exists.
func checkTest(t *testing.T, c command) {
	t.Helper()
	var pkgs []string
	for _, a := range c.args[1:] {
		if strings.HasPrefix(a, "./") {
			checkPackage(t, c, a)
			pkgs = append(pkgs, a)
		}
	}
	if len(pkgs) == 0 {
		t.Fatalf("README.md:%d: go test without a package", c.line)
	}
	if slices.Contains(c.args, "-update") {
		// Packages before -update: go test reads what follows a flag it does
		// not know as the test binary's arguments.
		cmd := exec.Command("go", append(append([]string{"test", "-run", "^$"}, pkgs...), "-update")...)
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README.md:%d: go test -update %s: %v\n%.2000s", c.line, strings.Join(pkgs, " "), err, out)
		}
	}
	for i, a := range c.args {
		prefix := map[string]string{"-fuzz": "Fuzz", "-bench": "Benchmark"}[a]
		if prefix == "" || i+1 >= len(c.args) {
			continue
		}
		pattern := strings.Trim(c.args[i+1], `'"`)
		re, err := regexp.Compile(pattern)
		if err != nil {
			t.Errorf("README.md:%d: %s %s: not a regexp: %v", c.line, a, pattern, err)
			continue
		}
		if !slices.ContainsFunc(testFuncs(t, pkgs, prefix), func(name string) bool {
			return re.MatchString(strings.TrimPrefix(name, prefix)) || re.MatchString(name)
		}) {
			t.Errorf("README.md:%d: %s %s: no %s function matches in %v", c.line, a, pattern, prefix, pkgs)
		}
	}
}

// testFuncs returns the names of the test-file functions of pkgs that start
// with prefix.
func testFuncs(t *testing.T, pkgs []string, prefix string) []string {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func (` + prefix + `\w*)\(`)
	var names []string
	for _, pkg := range pkgs {
		files, _ := filepath.Glob(filepath.Join(repoRoot, strings.TrimSuffix(pkg, "/..."), "*_test.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, m := range decl.FindAllSubmatch(b, -1) {
				names = append(names, string(m[1]))
			}
		}
	}
	return names
}
