package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchRecordings is how many recordings BenchmarkCheckDir checks per run.
const benchRecordings = 10_000

// writeBenchRecordings writes n conformant recordings into dir, each a copy
// of baseRecording with its own call SID (in the URL, sid and uri) and duration.
func writeBenchRecordings(tb testing.TB, dir string, n int) {
	tb.Helper()
	base := readBase(tb)
	const sid = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	for i := range n {
		b := bytes.ReplaceAll(base, []byte(sid), fmt.Appendf(nil, "c0c0ca11-%04x-4a1e-8b0b-%012x", i%0x10000, i))
		b = replaceOnce(tb, b, `"duration": 282`, fmt.Sprintf(`"duration": %d`, 282+i%60))
		sub := filepath.Join(dir, fmt.Sprintf("%02d", i%100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("call-%05d.json", i)), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCheckDir times "swcontract check --format json DIR" over
// benchRecordings recordings and reports recordings/s. Run it alone with
//
//	go test -run '^$' -bench CheckDir ./contract/cmd/swcontract
//	GOMAXPROCS=1 go test -run '^$' -bench CheckDir ./contract/cmd/swcontract
func BenchmarkCheckDir(b *testing.B) {
	dir := b.TempDir()
	writeBenchRecordings(b, dir, benchRecordings)
	args := []string{"check", "--format", "json", dir}
	for b.Loop() {
		if code := run(args, nil, io.Discard, io.Discard); code != exitOK {
			b.Fatalf("run = %d, want %d", code, exitOK)
		}
	}
	b.ReportMetric(float64(benchRecordings*b.N)/b.Elapsed().Seconds(), "recordings/s")
}
