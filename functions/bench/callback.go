package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// callbackBench measures the status-callback receiver: cold init against
// the hello-world baseline under the emulator (each sample answering one
// signed completed callback, the secret fetch and SendMessage to a loopback
// queue included), and the warm handler time without the queue round trip.
func (b *bench) callbackBench(ctx context.Context, demo *lambdatest.Demo, hello string) error {
	callback, err := lambdatest.BuildBootstrap(ctx, b.root, "./functions/callback", filepath.Join(b.work, "callback"))
	if err != nil {
		return err
	}
	queue := sqsserver.New()
	endpoint, err := queue.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer queue.Close()
	queueURL, err := queue.CreateQueue("callwire-callbacks", nil)
	if err != nil {
		return err
	}
	event, err := json.Marshal(lambdatest.CallbackEvent(
		lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey))
	if err != nil {
		return err
	}
	env := append(demo.Environ(os.Environ()), "AWS_ENDPOINT_URL_SQS="+endpoint, "QUEUE_URL="+queueURL)

	once := func(bootstrap string, payload []byte, wantStatus int) (time.Duration, time.Duration, error) {
		emu, err := lambdatest.Start(ctx, lambdatest.Config{
			RIE: b.rie, Bootstrap: bootstrap, Env: env, FunctionName: "bench", Timeout: 10 * time.Second, MemoryMB: 128, LogFormat: "JSON",
		})
		if err != nil {
			return 0, 0, err
		}
		defer func() { _ = emu.Close() }()
		res, err := emu.Invoke(ctx, payload)
		if err != nil {
			return 0, 0, err
		}
		if res.Err != nil || len(res.Init) != 1 || !res.HasReport {
			return 0, 0, fmt.Errorf("first invoke: error %v, %d INIT REPORT lines, REPORT %t", res.Err, len(res.Init), res.HasReport)
		}
		if wantStatus != 0 {
			var resp events.LambdaFunctionURLResponse
			if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode != wantStatus {
				return 0, 0, fmt.Errorf("callback answered %s, want status %d", res.Payload, wantStatus)
			}
		}
		return res.Init[0], res.Report.Duration, nil
	}
	var ci, hi, cr []time.Duration
	for i := range b.opts.samples {
		first := i%2 == 0
		for _, isCallback := range []bool{first, !first} {
			if isCallback {
				init, dur, err := once(callback, event, 204)
				if err != nil {
					return fmt.Errorf("callback sample %d: %w", i+1, err)
				}
				ci, cr = append(ci, init), append(cr, dur)
			} else {
				init, _, err := once(hello, []byte(`{}`), 0)
				if err != nil {
					return fmt.Errorf("hello sample %d: %w", i+1, err)
				}
				hi = append(hi, init)
			}
		}
	}
	if n := len(queue.Messages("callwire-callbacks")); n != b.opts.samples {
		return fmt.Errorf("%d hints queued for %d callbacks", n, b.opts.samples)
	}
	const sec = "8 callback"
	n := fmt.Sprintf("n=%d each, alternated, fresh RIE per sample", b.opts.samples)
	b.add(sec, "init callback", distMs(ci), "RIE log INIT REPORT(durationMs); "+n, "", "")
	b.add(sec, "init hello-world", distMs(hi), "same", "", "")
	b.add(sec, "init difference", fmt.Sprintf("%+.1f ms (medians)", ms(median(ci)-median(hi))), "median(callback) - median(hello)", "", "")
	b.add(sec, "invoke 1 callback", distMs(cr), "RIE REPORT Duration of invoke 1: secret fetch, verify, check, SendMessage to loopback SQS", "", "")

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
