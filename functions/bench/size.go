package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// buildFlags are the deployment flags (functions/Makefile, lambdatest).
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// goBuild builds pkg for goos/goarch with the deployment flags into out.
func (b *bench) goBuild(ctx context.Context, pkg, goarch, out string) error {
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build"}, buildFlags...), "-o", out, pkg)...)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w: %s", pkg, err, msg)
	}
	return nil
}

func (b *bench) binarySize(ctx context.Context) error {
	const sec = "6 binary"
	const limit = 12_000_000
	for _, arch := range []string{"arm64", "amd64"} {
		out := filepath.Join(b.work, "size-"+arch, "bootstrap")
		if err := b.goBuild(ctx, "./functions/cmd/getcall", arch, out); err != nil {
			return err
		}
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		val := fmt.Sprintf("%.2f MB (%d bytes)", float64(fi.Size())/1e6, fi.Size())
		method := "CGO_ENABLED=0 GOOS=linux GOARCH=" + arch + " go build -tags lambda.norpc -trimpath -ldflags='-s -w'"
		if arch == "arm64" {
			b.add(sec, "getcall bootstrap arm64", val, method, "≤ 12 MB (10^6)", metIf(fi.Size() <= limit))
		} else {
			b.add(sec, "getcall bootstrap amd64", val, method, "", "")
		}
	}
	return nil
}

// cliThroughput generates recordings and times the real swcontract binary
// checking them, with GOMAXPROCS=1 and the default, alternated.
func (b *bench) cliThroughput(ctx context.Context) error {
	bin := filepath.Join(b.work, "swcontract")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./contract/cmd/swcontract")
	cmd.Dir = b.root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build swcontract: %w: %s", err, msg)
	}
	dir := filepath.Join(b.work, "recordings")
	if err := writeRecordings(filepath.Join(b.root, baseRecording), dir, b.opts.recordings); err != nil {
		return err
	}
	const runs = 3
	times, cpu := map[string][]time.Duration{}, map[string][]time.Duration{}
	for range runs {
		for _, procs := range []string{"1", ""} {
			c := exec.CommandContext(ctx, bin, "check", "--format", "json", dir)
			c.Env = os.Environ()
			if procs != "" {
				c.Env = append(c.Env, "GOMAXPROCS="+procs)
			}
			var stderr bytes.Buffer
			c.Stdout, c.Stderr = nil, &stderr
			start := time.Now()
			err := c.Run()
			took := time.Since(start)
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					return fmt.Errorf("swcontract check exited %d (want 0, all conformant): %s", ee.ExitCode(), stderr.Bytes())
				}
				return err
			}
			times[procs] = append(times[procs], took)
			cpu[procs] = append(cpu[procs], c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		}
	}
	const sec = "7 contract CLI"
	for _, procs := range []string{"1", ""} {
		m, mc := median(times[procs]), median(cpu[procs])
		rate, cpuRate := float64(b.opts.recordings)/m.Seconds(), float64(b.opts.recordings)/mc.Seconds()
		label, env := "GOMAXPROCS=1", "GOMAXPROCS=1 "
		if procs == "" {
			label, env = "GOMAXPROCS default", ""
		}
		method := fmt.Sprintf("%sswcontract check --format json DIR, %d generated recordings, whole process, median of %d", env, b.opts.recordings, runs)
		b.add(sec, "throughput "+label, fmt.Sprintf("%.0f recordings/s wall (median %.2f s)", rate, m.Seconds()), method+": wall time", "", "")
		if procs == "1" {
			// On one core the CPU time is the time the check needs when it
			// has the core to itself: a machine shared with other work
			// stretches the wall time, not the CPU time.
			b.add(sec, "throughput on one core", fmt.Sprintf("%.0f recordings per CPU-second (median %.2f s user+system)", cpuRate, mc.Seconds()),
				method+": user+system CPU time (getrusage)", fmt.Sprintf("≥ %d/s", cliTarget), metIf(cpuRate >= cliTarget))
		}
	}
	return nil
}

// cliTarget is the contract CLI's throughput target on one core, in
// recordings per second of CPU time.
const cliTarget = 5000
