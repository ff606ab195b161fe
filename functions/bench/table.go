package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the report.
type row struct {
	section, metric, value, method, target, status string
}

func (b *bench) add(section, metric, value, method, target, status string) {
	b.rows = append(b.rows, row{section, metric, value, method, target, status})
}

func metIf(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func median(ds []time.Duration) time.Duration { return quantile(ds, 0.5) }

// quantile returns the nearest-rank q-quantile of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// distMs formats a sample's median and p90 in milliseconds.
func distMs(ds []time.Duration) string {
	return fmt.Sprintf("median %.1f ms, p90 %.1f ms", ms(median(ds)), ms(quantile(ds, 0.9)))
}

// machine is what the report says about where it ran.
type machine struct {
	cpu   string
	cores int
	load  string
	goVer string
}

func machineInfo() machine {
	m := machine{cpu: "unknown", cores: runtime.NumCPU(), load: "unknown", goVer: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.goVer = strings.TrimSpace(string(out))
	}
	return m
}

func printReport(w io.Writer, start, end machine, took time.Duration, o options, rows []row) {
	fmt.Fprintf(w, "machine: %s, %d cores, %s/%s, %s; load average %s at start, %s at end; run took %s\n",
		start.cpu, start.cores, runtime.GOOS, runtime.GOARCH, start.goVer, start.load, end.load, took.Round(time.Second))
	fmt.Fprintf(w, "flags: -samples %d -invokes %d -long %d -recordings %d -benchtime %s -pipeline-duration %s -pipeline-rate %d -pipeline-invocations %d -pipeline-callbacks %d -pipeline-latency %s\n\n",
		o.samples, o.invokes, o.long, o.recordings, o.benchtime, o.pipeline.duration, o.pipeline.rate, o.pipeline.invocations, o.pipeline.callbacks, o.pipeline.latency)
	// Steps may add to an earlier section; keep each section together.
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(a.section, b.section) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tMETRIC\tVALUE\tTARGET\tSTATUS\tMETHOD")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.section, r.metric, r.value, dash(r.target), dash(r.status), r.method)
	}
	_ = tw.Flush()
	met, missed, failed := 0, 0, 0
	for _, r := range rows {
		switch r.status {
		case "met":
			met++
		case "MISSED":
			missed++
		case "FAILED":
			failed++
		}
	}
	fmt.Fprintf(w, "\ntargets: %d met, %d missed, %d checks failed\n", met, missed, failed)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
