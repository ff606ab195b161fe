package main

import (
	"context"
	"fmt"
	"os/exec"
)

// callbackBench measures the status-callback receiver's warm handler time
// without the queue round trip; its cold start is in coldAll.
func (b *bench) callbackBench(ctx context.Context) error {
	const sec = "8 callback"
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkWarmCallback$",
		"-benchmem", "-benchtime", b.opts.benchtime, "-count", "1", "./functions/callback")
	cmd.Dir = b.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %w: %s", err, out)
	}
	w, ok := parseBench(out)["BenchmarkWarmCallback"]
	if !ok {
		return fmt.Errorf("go test -bench printed no results: %s", out)
	}
	const how = "go test -bench WarmCallback -benchmem ./functions/callback: in-process handler.Handle, queue answering at once"
	b.add(sec, "warm handler time per callback", fmt.Sprintf("median %.1f µs", w["handler-µs"]), how, "≤ 100 µs", metIf(w["handler-µs"] <= 100))
	b.add(sec, "bytes, allocs per callback", fmt.Sprintf("%.1f KB, %.0f", w["B/op"]/1024, w["allocs/op"]), "B/op, allocs/op of the same run", "", "")
	return nil
}
