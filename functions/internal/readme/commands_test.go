package readme

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// command is one documented go command, with where it appears.
type command struct {
	file string
	line int
	args []string // after "go"
}

func (c command) where() string { return c.file + ":" + strconv.Itoa(c.line) }

// commands returns the go commands of the Markdown file name: each line of
// a fenced block that starts with "go ", and each inline code span that does.
func commands(t *testing.T, name string) []command {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []command
	add := func(line int, c string) {
		if i := strings.Index(c, " #"); i >= 0 {
			c = c[:i]
		}
		out = append(out, command{file: name, line: line, args: strings.Fields(c)[1:]})
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
	sc.Buffer(nil, 1<<20)
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

// goCmd returns a go command run in the repository, with -race when this
// test was built with it: the command then shares the packages this test
// run compiled instead of compiling them all again without -race.
func goCmd(ctx context.Context, verb string, args ...string) *exec.Cmd {
	all := []string{verb}
	if raceEnabled {
		all = append(all, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(all, args...)...)
	cmd.Dir = repoRoot
	return cmd
}

// help runs bin -h and returns what it printed.
func help(t *testing.T, bin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-h")
	cmd.Dir = repoRoot
	cmd.WaitDelay = time.Second
	out, _ := cmd.CombinedOutput() // -h may exit 0 or 2
	return string(out)
}

// helps runs each documented program's -h through go run, once per program
// and subcommand: go run keeps the executables it links in the build cache,
// so a second run of this test links nothing.
type helps struct {
	mu   sync.Mutex
	done map[string]string
}

func (h *helps) get(t *testing.T, pkg string, sub ...string) string {
	t.Helper()
	key := strings.Join(append([]string{pkg}, sub...), " ")
	h.mu.Lock()
	defer h.mu.Unlock()
	if out, ok := h.done[key]; ok {
		return out
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := goCmd(ctx, "run", append(append([]string{pkg}, sub...), "-h")...)
	cmd.WaitDelay = time.Second      // a program that outlives go run must not hold its output open
	out, err := cmd.CombinedOutput() // -h may exit 0 or 2
	if ctx.Err() != nil || (err != nil && !strings.Contains(string(out), "exit status")) {
		t.Fatalf("go run %s -h: %v\n%s", key, err, out)
	}
	h.done[key] = string(out)
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
	module := ""
	inTool := false
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "module "):
			module = strings.TrimSpace(strings.TrimPrefix(line, "module "))
			continue
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
		// A tool of this module is named by its ./ path, as go run names it.
		if rest, ok := strings.CutPrefix(line, module+"/"); ok && module != "" {
			tools[path.Base(line)] = "./" + rest
			continue
		}
		tools[path.Base(line)] = line
	}
	return tools
}

// packages is what one go list of every documented package found.
type packages struct {
	dirs map[string]bool // the ./ paths that are packages
}

// listPackages runs go list once over every ./ path the commands name (the
// ./... patterns are checked as folders).
func listPackages(t *testing.T, paths []string) packages {
	t.Helper()
	p := packages{dirs: map[string]bool{}}
	var plain []string
	for _, a := range paths {
		if !strings.HasSuffix(a, "/...") {
			plain = append(plain, a)
		}
	}
	if len(plain) == 0 {
		return p
	}
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"list", "-e", "-f", "{{if not .Error}}{{.Dir}}{{end}}"}, plain...)...)
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for dir := range strings.FieldsSeq(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			continue
		}
		p.dirs["./"+filepath.ToSlash(rel)] = true
	}
	return p
}

func (p packages) exists(pkg string) bool {
	if dir, ok := strings.CutSuffix(pkg, "/..."); ok {
		st, err := os.Stat(filepath.Join(repoRoot, dir))
		return err == nil && st.IsDir()
	}
	return p.dirs[path.Clean(pkg)] || p.dirs["./"+path.Clean(pkg)]
}

// TestDocumentedCommands checks each go command every Markdown file shows.
// It runs go list once, go test -c once for every package a documented
// -update command names, and go run PROGRAM -h once per program and
// subcommand.
func TestDocumentedCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the documented commands; skipped with -short")
	}
	var cmds []command
	for _, f := range markdownFiles(t) {
		cmds = append(cmds, commands(t, f)...)
	}
	tools := toolPackages(t)

	var paths, updates []string
	for _, c := range cmds {
		if len(c.args) < 2 {
			continue
		}
		for _, a := range c.args[1:] {
			if strings.HasPrefix(a, "./") {
				paths = append(paths, a)
			}
		}
		if c.args[0] == "test" && slices.Contains(c.args, "-update") {
			updates = append(updates, testPackages(c)...)
		}
	}
	start := time.Now()
	pkgs := listPackages(t, uniq(paths))
	t.Logf("go list: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	updateErr := runUpdate(t, uniq(updates))
	t.Logf("go test -c of %d packages: %v", len(uniq(updates)), time.Since(start).Round(time.Millisecond))
	progHelp := &helps{done: map[string]string{}}

	for _, c := range cmds {
		name := c.file + ": go " + strings.Join(c.args, " ")
		t.Run(name, func(t *testing.T) {
			if len(c.args) == 0 {
				t.Fatalf("%s: an empty go command", c.where())
			}
			if len(c.args) == 1 {
				t.Skipf("%s: go %s named in prose", c.where(), c.args[0])
			}
			switch verb := c.args[0]; verb {
			case "run", "tool":
				checkProgram(t, pkgs, progHelp, tools, c)
			case "test":
				checkTest(t, pkgs, updateErr, c)
			case "generate", "list", "vet", "build", "mod", "install":
				for _, a := range c.args[1:] {
					if strings.HasPrefix(a, "./") && !pkgs.exists(a) {
						t.Errorf("%s: package %s does not exist", c.where(), a)
					}
				}
			default:
				t.Errorf("%s: go %s is not a command this test knows", c.where(), verb)
			}
		})
	}
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// testPackages returns the packages a go test command names.
func testPackages(c command) []string {
	var pkgs []string
	for _, a := range c.args[1:] {
		if strings.HasPrefix(a, "./") {
			pkgs = append(pkgs, a)
		}
	}
	return pkgs
}

// runUpdate builds the test binaries of pkgs with one go command and asks
// each for its flags (-h: a test binary parses its flags before its tests
// or TestMain do any work). It returns, for each package whose binary does
// not declare -update, why.
func runUpdate(t *testing.T, pkgs []string) map[string]string {
	t.Helper()
	failed := map[string]string{}
	if len(pkgs) == 0 {
		return failed
	}
	dir := t.TempDir()
	bins := map[string]string{}
	for _, p := range pkgs {
		name := path.Base(p) + ".test"
		for q, b := range bins {
			if filepath.Base(b) == name {
				t.Fatalf("test binaries of %s and %s would have the same name %s", q, p, name)
			}
		}
		bins[p] = filepath.Join(dir, name)
	}
	if out, err := goCmd(t.Context(), "test", append([]string{"-c", "-o", dir + string(filepath.Separator)}, pkgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("go test -c %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	for p, bin := range bins {
		if _, err := os.Stat(bin); err != nil {
			failed[p] = "the package has no tests"
			continue
		}
		if text := help(t, bin); !regexp.MustCompile(`(?m)^\s*-update\b`).MatchString(text) {
			failed[p] = "its test binary has no -update flag:\n" + text
		}
	}
	return failed
}

// checkProgram checks that the subcommand and every flag a go run or go
// tool command uses appear in its program's -h.
func checkProgram(t *testing.T, pkgs packages, progHelp *helps, tools map[string]string, c command) {
	t.Helper()
	target, rest := c.args[1], c.args[2:]
	pkg := target
	if c.args[0] == "tool" {
		p, ok := tools[target]
		if !ok {
			t.Fatalf("%s: go tool %s: no such tool in go.mod", c.where(), target)
		}
		pkg = p
	} else if strings.Contains(target, "@") {
		t.Skipf("%s: %s is fetched from the network", c.where(), target)
	}
	if strings.HasPrefix(pkg, "./") && !pkgs.exists(pkg) {
		t.Fatalf("%s: package %s does not exist", c.where(), pkg)
	}
	var sub []string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && !strings.HasPrefix(rest[0], "[") && !strings.ContainsAny(rest[0], "./<") {
		sub = []string{rest[0]}
	}
	flags := optionTokens(rest)
	if len(sub) == 0 && len(flags) == 0 {
		return // nothing to look up in its help: the package or tool exists
	}
	text := progHelp.get(t, pkg, sub...)
	for _, f := range flags {
		if !regexp.MustCompile(`(^|[\s\[,])--?` + regexp.QuoteMeta(f) + `\b`).MatchString(text) {
			t.Errorf("%s: %s %s: flag %q is not in its help:\n%s", c.where(), target, strings.Join(sub, " "), f, text)
		}
	}
}

// checkTest checks a go test command: its packages exist, -update is
// accepted where it is documented, and a named fuzz target or benchmark exists.
func checkTest(t *testing.T, pkgs packages, updateErr map[string]string, c command) {
	t.Helper()
	names := testPackages(c)
	if len(names) == 0 {
		t.Fatalf("%s: go test without a package", c.where())
	}
	for _, p := range names {
		if !pkgs.exists(p) {
			t.Errorf("%s: package %s does not exist", c.where(), p)
		}
	}
	if slices.Contains(c.args, "-update") {
		for _, p := range names {
			if msg, ok := updateErr[p]; ok {
				t.Errorf("%s: go test %s -update: %.2000s", c.where(), p, msg)
			}
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
			t.Errorf("%s: %s %s: not a regexp: %v", c.where(), a, pattern, err)
			continue
		}
		if !slices.ContainsFunc(testFuncs(names, prefix), func(name string) bool {
			return re.MatchString(strings.TrimPrefix(name, prefix)) || re.MatchString(name)
		}) {
			t.Errorf("%s: %s %s: no %s function matches in %v", c.where(), a, pattern, prefix, names)
		}
	}
}

// testFuncs returns the names of the test-file functions of pkgs that start
// with prefix.
func testFuncs(pkgs []string, prefix string) []string {
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
