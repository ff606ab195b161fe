package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/report"
)

var measure = flag.Bool("measure", false, "measure peak RSS and wall time of swcontract check on 20,000- and 200,000-entry HARs in every format")

// measureMaxRSS is the peak resident set a check of the 200,000-entry HAR
// may reach in any format.
const measureMaxRSS = 300 << 20

// TestMeasureHAR builds swcontract, writes HARs of 20,000 and 200,000
// "Retrieve a Call" entries (each body {}, about 30 findings per entry; the
// larger one is about 63 MB) and runs "swcontract check --format F --out
// FILE" on each in every format as a child process, printing its wall time,
// CPU time (user + system) and peak RSS (getrusage of the child: ru_utime,
// ru_stime, ru_maxrss). It fails when a run passes measureMaxRSS or 10
// times the entries take more than 15 times the CPU time (CPU time, since
// wall time on a shared machine measures the neighbours). Run it with
//
//	go test ./contract/cmd/swcontract -run '^TestMeasureHAR$' -measure -v -timeout 30m
func TestMeasureHAR(t *testing.T) { //nolint:paralleltest // measures a child process
	if !*measure {
		t.Skip("a measurement: run with -measure")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "swcontract")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sizes := []int{20_000, 200_000}
	hars := map[int]string{}
	for _, n := range sizes {
		hars[n] = writeBigHAR(t, dir, n)
		info, err := os.Stat(hars[n])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("HAR of %d entries: %.1f MB\n", n, float64(info.Size())/1e6)
	}
	fmt.Printf("%-9s %8s %8s %8s %12s %10s\n", "format", "entries", "wall", "CPU", "peak RSS", "report")
	for _, format := range report.Formats {
		var cpus []time.Duration
		for _, n := range sizes {
			out := filepath.Join(dir, "report."+format)
			cmd := exec.CommandContext(t.Context(), bin, "check", "--format", format, "--out", out, hars[n])
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			if code := cmd.ProcessState.ExitCode(); code != exitFail {
				t.Fatalf("%s, %d entries: exit %d (%v), want %d", format, n, code, err, exitFail)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			rss := ru.Maxrss << 10 // KiB on Linux
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			info, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("%-9s %8d %7.1fs %7.1fs %8.0f MiB %7.0f kB\n", format, n, wall.Seconds(), cpu.Seconds(), float64(rss)/(1<<20), float64(info.Size())/1e3)
			if rss > measureMaxRSS {
				t.Errorf("%s, %d entries: peak RSS %d MiB, want at most %d MiB", format, n, rss>>20, measureMaxRSS>>20)
			}
			cpus = append(cpus, cpu)
		}
		if ratio := cpus[1].Seconds() / cpus[0].Seconds(); ratio > 15 {
			t.Errorf("%s: 10 times the entries took %.1f times the CPU time: not linear", format, ratio)
		}
	}
}
