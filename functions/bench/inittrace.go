package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
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
		t.clock += time.Duration(clock * float64(time.Millisecond))
		t.allocs += allocs
		t.pkgs++
	}
	if t.lines == 0 {
		return initTrace{}, errors.New("no inittrace lines: did GODEBUG=inittrace=1 reach the process?")
	}
	return t, nil
}

// ownInit runs bootstrap outside the emulator with GODEBUG=inittrace=1 and
// nothing else in its environment, samples times. Package init runs before
// main, so the function's configuration error after it does not matter.
func (b *bench) ownInit(ctx context.Context, bootstrap string) error {
	var clocks []time.Duration
	var last initTrace
	for range b.opts.samples {
		cmd := exec.CommandContext(ctx, bootstrap)
		cmd.Env = []string{"GODEBUG=inittrace=1"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			return err
		}
		t, err := parseInitTrace(stderr.Bytes(), ownPackage)
		if err != nil {
			return err
		}
		clocks = append(clocks, t.clock)
		last = t
	}
	const target = 200 * time.Microsecond
	med := median(clocks)
	b.add("1 cold start", "init of callwire packages",
		fmt.Sprintf("median %.3f ms, p90 %.3f ms (%d packages, %d allocs)", ms(med), ms(quantile(clocks, 0.9)), last.pkgs, last.allocs),
		fmt.Sprintf("GODEBUG=inittrace=1 on the getcall bootstrap: sum of the clock of its init github.com/callwire/... and init main lines; n=%d runs", b.opts.samples),
		"< 0.2 ms", metIf(med < target))
	return nil
}
