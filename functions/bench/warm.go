package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// benchLine is one parsed "go test -bench" result: its metrics by unit.
type benchLine map[string]float64

// parseBench reads the result lines of "go test -bench" output by benchmark
// name, without the -GOMAXPROCS suffix.
func parseBench(out []byte) map[string]benchLine {
	res := map[string]benchLine{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		m := benchLine{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			m[f[i+1]] = v
		}
		res[name] = m
	}
	return res
}

// warmInProcess runs getcall's in-process benchmarks, which build the handler
// as main does on loopback servers, and reads their results.
func (b *bench) warmInProcess(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^(BenchmarkWarmInvoke|BenchmarkBareGET)$",
		"-benchmem", "-benchtime", b.opts.benchtime, "-count", "1", "./functions/getcall")
	cmd.Dir = b.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %w: %s", err, out)
	}
	res := parseBench(out)
	w, ok1 := res["BenchmarkWarmInvoke"]
	g, ok2 := res["BenchmarkBareGET"]
	if !ok1 || !ok2 {
		return fmt.Errorf("go test -bench printed no results: %s", out)
	}
	const sec = "3 warm overhead"
	const how = "go test -bench 'WarmInvoke|BareGET' -benchmem ./functions/getcall"
	b.add(sec, "handler time", fmt.Sprintf("median %.1f µs", w["handler-µs"]), how+": in-process handler.Handle, direct event", "", "")
	b.add(sec, "bare GET same bytes", fmt.Sprintf("median %.1f µs", w["bareGET-µs"]), "same run, paired with each invoke: same client, same replay server", "", "")
	b.add(sec, "overhead", fmt.Sprintf("median %.1f µs", w["overhead-µs"]), "median of per-pair (handler − bare GET)", "≤ 100 µs", metIf(w["overhead-µs"] <= 100))
	kb := w["B/op"] / 1024
	b.add(sec, "bytes per invocation", fmt.Sprintf("%.1f KB (bare GET %.1f KB)", kb, g["B/op"]/1024), how+": B/op of WarmInvoke (BareGET)", "≤ 64 KB", metIf(kb <= 64))
	b.add(sec, "allocs per invocation", fmt.Sprintf("%.0f (bare GET %.0f)", w["allocs/op"], g["allocs/op"]), "allocs/op", "", "")
	return nil
}

// warmRIE invokes getcall many times in one emulator and counts Secrets
// Manager requests and new upstream connections after the first invoke, and
// reads the runtime's peak RSS.
func (b *bench) warmRIE(ctx context.Context, demo *lambdatest.Demo, bootstrap string) error {
	emu, err := b.startEmulator(ctx, demo, bootstrap)
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	invoke := func() (time.Duration, error) {
		res, err := emu.Invoke(ctx, getcallEvent)
		if err != nil {
			return 0, err
		}
		if res.Err != nil {
			return 0, fmt.Errorf("invoke failed: %v", res.Err)
		}
		return res.Report.Duration, nil
	}
	if _, err := invoke(); err != nil {
		return err
	}
	pid, err := bootstrapPID(emu, bootstrap)
	if err != nil {
		return err
	}
	secrets0, conns0 := demo.Secrets.Requests(), demo.Replay.Connections()
	var durs []time.Duration
	started := time.Now()
	for range b.opts.invokes - 1 {
		d, err := invoke()
		if err != nil {
			return err
		}
		durs = append(durs, d)
	}
	perInvoke := time.Since(started) / time.Duration(max(1, b.opts.invokes-1))
	secretsN, connsN := demo.Secrets.Requests()-secrets0, demo.Replay.Connections()-conns0
	hwm1, rss1, err := procMem(pid)
	if err != nil {
		return err
	}

	const sec = "4 warm counts"
	n := fmt.Sprintf("invokes 2..%d in one RIE (%.2f ms client time each)", b.opts.invokes, ms(perInvoke))
	b.add(sec, "Secrets Manager requests", strconv.FormatInt(secretsN, 10), "loopback Secrets Manager request count over "+n, "0", metIf(secretsN == 0))
	b.add(sec, "new upstream connections", strconv.FormatInt(connsN, 10), "replay server accepted-connection count over "+n, "0", metIf(connsN == 0))
	b.add(sec, "REPORT Duration warm", distMs(durs), "RIE REPORT Duration over "+n, "", "")

	const sec5 = "5 memory"
	b.add(sec5, fmt.Sprintf("peak RSS after %d", b.opts.invokes), fmt.Sprintf("%.1f MB (VmRSS %.1f MB)", hwm1, rss1),
		"VmHWM of the bootstrap process, /proc/<pid>/status", "≤ 40 MB", metIf(hwm1 <= 40))
	if b.opts.long == 0 {
		return nil
	}
	started = time.Now()
	for range b.opts.long - b.opts.invokes {
		if _, err := invoke(); err != nil {
			return err
		}
	}
	took := time.Since(started)
	hwm2, rss2, err := procMem(pid)
	if err != nil {
		return err
	}
	b.add(sec5, fmt.Sprintf("peak RSS after %d", b.opts.long), fmt.Sprintf("%.1f MB (VmRSS %.1f MB)", hwm2, rss2),
		fmt.Sprintf("same process, %d more invokes in %s", b.opts.long-b.opts.invokes, took.Round(100*time.Millisecond)), "≤ 40 MB", metIf(hwm2 <= 40))
	growth := hwm2 - hwm1
	b.add(sec5, "peak RSS growth", fmt.Sprintf("%+.1f MB", growth), "difference of the two VmHWM readings", "≤ 2 MB (noise)", metIf(growth <= 2))
	return nil
}

// bootstrapPID finds the emulator's child that runs bootstrap.
func bootstrapPID(emu *lambdatest.Emulator, bootstrap string) (int, error) {
	want, err := filepath.Abs(bootstrap)
	if err != nil {
		return 0, err
	}
	pids := emu.PIDs()
	for _, pid := range pids[1:] {
		exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
		if err == nil && exe == want {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no child of the emulator (pid %d) runs %s", pids[0], want)
}

// procMem returns VmHWM and VmRSS of pid in MB (2^20 bytes).
func procMem(pid int) (hwm, rss float64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	read := func(key string) float64 {
		for line := range bytes.Lines(b) {
			if v, ok := bytes.CutPrefix(line, []byte(key+":")); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 64)
				return kb / 1024
			}
		}
		return 0
	}
	return read("VmHWM"), read("VmRSS"), nil
}
