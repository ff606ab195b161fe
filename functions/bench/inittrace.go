package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ownPackage reports whether an inittrace package name is callwire's own
// code: the module's packages, and the function's main package.
func ownPackage(pkg string) bool {
	return pkg == "main" || strings.HasPrefix(pkg, "github.com/callwire/")
}

// initTrace is the package-init work GODEBUG=inittrace=1 reported for the
// packages own selects.
type initTrace struct {
	clock  time.Duration
	allocs int
	pkgs   int
	lines  int // every init line, own or not
	// byPkg is the clock of each selected package.
	byPkg map[string]time.Duration
}

// parseInitTrace sums the inittrace lines of the packages own selects, such as
// "init github.com/callwire/callwire/contract @5.0 ms, 0.026 ms clock, 1616 bytes, 10 allocs".
func parseInitTrace(out []byte, own func(string) bool) (initTrace, error) {
	var t initTrace
	for line := range bytes.Lines(out) {
		f := strings.Fields(string(line))
		// init PKG @T ms, C ms clock, B bytes, A allocs
		if len(f) != 11 || f[0] != "init" || f[6] != "clock," || f[10] != "allocs" {
			continue
		}
		t.lines++
		if !own(f[1]) {
			continue
		}
		clock, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return initTrace{}, fmt.Errorf("inittrace line %q: %w", bytes.TrimSpace(line), err)
		}
		allocs, err := strconv.Atoi(f[9])
		if err != nil {
			return initTrace{}, fmt.Errorf("inittrace line %q: %w", bytes.TrimSpace(line), err)
		}
		d := time.Duration(clock * float64(time.Millisecond))
		if t.byPkg == nil {
			t.byPkg = map[string]time.Duration{}
		}
		t.byPkg[f[1]] += d
		t.clock += d
		t.allocs += allocs
		t.pkgs++
	}
	if t.lines == 0 {
		return initTrace{}, errors.New("no inittrace lines: did GODEBUG=inittrace=1 reach the process?")
	}
	return t, nil
}

// packageInit runs every built bootstrap outside the emulator with
// GODEBUG=inittrace=1 and nothing else in its environment, samples times.
// Package init runs before main, so the configuration error after it does
// not matter. It reports the sum of all package inits, callwire's own share,
// and the packages that cost most, for hello-world and each function.
func (b *bench) packageInit(ctx context.Context) error {
	const sec = "3 package init"
	// target bounds callwire's own package inits in every function.
	const target = 200 * time.Microsecond
	names := make([]string, 0, len(b.bootstraps))
	for name := range b.bootstraps {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		var total, own []time.Duration
		perPkg := map[string]time.Duration{}
		var last initTrace
		for range b.opts.samples {
			cmd := exec.CommandContext(ctx, b.bootstraps[name])
			cmd.Env = []string{"GODEBUG=inittrace=1"}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exitErr *exec.ExitError
			if err != nil && !errors.As(err, &exitErr) {
				return err
			}
			all, err := parseInitTrace(stderr.Bytes(), func(string) bool { return true })
			if err != nil {
				return err
			}
			t, err := parseInitTrace(stderr.Bytes(), ownPackage)
			if err != nil {
				return err
			}
			for pkg, d := range all.byPkg {
				perPkg[pkg] += d
			}
			total, own = append(total, all.clock), append(own, t.clock)
			last = t
		}
		top := slices.Collect(maps.Keys(perPkg))
		slices.SortFunc(top, func(x, y string) int { return cmp.Compare(perPkg[y], perPkg[x]) })
		var costly []string
		for _, pkg := range top[:min(3, len(top))] {
			costly = append(costly, fmt.Sprintf("%s %.2f", strings.TrimPrefix(pkg, "github.com/aws/aws-sdk-go-v2/"), ms(perPkg[pkg])/float64(b.opts.samples)))
		}
		goal, status := "callwire's < 0.2 ms", metIf(median(own) < target)
		if name == "hello-world" {
			goal, status = "", ""
		}
		b.add(sec, "package inits "+name,
			fmt.Sprintf("median %.2f ms; callwire's %.3f ms (%d packages, %d allocs); costliest (mean ms): %s",
				ms(median(total)), ms(median(own)), last.pkgs, last.allocs, strings.Join(costly, ", ")),
			fmt.Sprintf("GODEBUG=inittrace=1 outside the emulator, n=%d runs: sum of every init line's clock; callwire's = github.com/callwire/... and main", b.opts.samples),
			goal, status)
	}
	return nil
}
