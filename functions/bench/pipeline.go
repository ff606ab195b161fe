package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/callwire/callwire/functions/callback"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/publish"
	"github.com/callwire/callwire/functions/sweep"
)

// pipelineOptions are the pipeline benchmark's flags.
type pipelineOptions struct {
	duration    time.Duration // how long callbacks are sent
	rate        int           // calls per second offered
	invocations int           // concurrent publish invocations (the event source mapping's concurrency)
	callbacks   int           // concurrent callback invocations
	concurrency int           // RETRIEVE_CONCURRENCY
	latency     time.Duration // SignalWire's answer time
	dupEvery    int           // every dupEvery-th call's completed callback is sent twice
	lostEvery   int           // every lostEvery-th call gets no callback: the sweep finds it
	cpuprofile  string
}

// ledger is what the bench knows of every generated call: when its first
// callback went in, and the events that came out.
type ledger struct {
	mu      sync.Mutex
	sent    []int64 // unix ns of the first callback's invoke; 0 for a call whose callbacks are lost
	lost    []bool
	events  []uint8 // events of (call, completed)
	firstEv []int64 // unix ns the first event was accepted
	strays  int     // events of no generated call or another status
	total   int64
	// perSecond counts accepted events by whole seconds since the start.
	start     int64
	perSecond []int
}

func (l *ledger) add(i int, lost bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.sent) <= i {
		l.sent = append(l.sent, 0)
		l.lost = append(l.lost, false)
		l.events = append(l.events, 0)
		l.firstEv = append(l.firstEv, 0)
	}
	l.lost[i] = lost
}

func (l *ledger) callbackSent(i int, at int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent[i] == 0 {
		l.sent[i] = at
	}
}

func (l *ledger) event(i int, status string, at int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	if s := int((at - l.start) / int64(time.Second)); s >= 0 {
		for len(l.perSecond) <= s {
			l.perSecond = append(l.perSecond, 0)
		}
		l.perSecond[s]++
	}
	if i < 0 || i >= len(l.events) || status != "completed" {
		l.strays++
		return
	}
	if l.events[i] < 255 {
		l.events[i]++
	}
	if l.firstEv[i] == 0 {
		l.firstEv[i] = at
	}
}

// pending counts the calls with a callback sent and no event yet, and the
// lost calls with no event yet.
func (l *ledger) pending() (sent, lost int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.events {
		if l.events[i] == 0 {
			if l.lost[i] {
				lost++
			} else if l.sent[i] != 0 {
				sent++
			}
		}
	}
	return sent, lost
}

// exactlyOnce is the check of every call: one event for its status.
type exactlyOnce struct {
	calls, missing, duplicated, strays int
	examples                           []string
}

func (l *ledger) check() exactlyOnce {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := exactlyOnce{calls: len(l.events), strays: l.strays}
	for i, n := range l.events {
		switch {
		case n == 0:
			r.missing++
		case n > 1:
			r.duplicated++
		default:
			continue
		}
		if len(r.examples) < 5 {
			r.examples = append(r.examples, fmt.Sprintf("%s: %d events", callSID(i), n))
		}
	}
	return r
}

func (r exactlyOnce) ok() bool {
	return r.calls > 0 && r.missing == 0 && r.duplicated == 0 && r.strays == 0
}

// latencies returns callback-to-event times of the calls whose callbacks
// went in (the sweep's calls are left out).
func (l *ledger) latencies() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ds []time.Duration
	for i := range l.events {
		if !l.lost[i] && l.sent[i] != 0 && l.firstEv[i] != 0 {
			ds = append(ds, time.Duration(l.firstEv[i]-l.sent[i]))
		}
	}
	return ds
}

// invocations sums one function's invocations: how many, their total
// duration and their billed duration (each rounded up to 1 ms, as Lambda
// bills).
type invocations struct {
	n       atomic.Int64
	total   atomic.Int64 // ns
	billed  atomic.Int64 // ms
	records atomic.Int64 // SQS records, for publish
	failed  atomic.Int64 // answers other than expected
}

func (v *invocations) add(d time.Duration) {
	v.n.Add(1)
	v.total.Add(int64(d))
	v.billed.Add(int64((d + time.Millisecond - 1) / time.Millisecond))
}

func (v *invocations) mean() time.Duration {
	if n := v.n.Load(); n > 0 {
		return time.Duration(v.total.Load() / n)
	}
	return 0
}

func (v *invocations) meanBilled() float64 {
	if n := v.n.Load(); n > 0 {
		return float64(v.billed.Load()) / float64(n)
	}
	return 0
}

// worldProc is the running world process.
type worldProc struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	mu     sync.Mutex // in
	info   worldInfo
	counts chan worldCounts
	done   chan error
}

func (w *worldProc) send(line string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := io.WriteString(w.in, line+"\n")
	return err
}

// startWorld starts the bench binary as the world and reads its events
// into led.
func (b *bench) startWorld(ctx context.Context, led *ledger) (*worldProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), worldEnv+"="+b.opts.pipeline.latency.String(), "CALLWIRE_BENCH_ROOT="+b.root)
	cmd.Stderr = b.log
	w := &worldProc{cmd: cmd, counts: make(chan worldCounts, 1), done: make(chan error, 1)}
	if w.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		_ = cmd.Wait()
		return nil, fmt.Errorf("the world process ended before it was ready: %v", sc.Err())
	}
	ready, ok := strings.CutPrefix(sc.Text(), "ready ")
	if !ok {
		return nil, fmt.Errorf("the world process said %q, want ready", sc.Text())
	}
	if err := json.Unmarshal([]byte(ready), &w.info); err != nil {
		return nil, err
	}
	go func() {
		for sc.Scan() {
			line := sc.Text()
			if c, ok := strings.CutPrefix(line, "counts "); ok {
				var wc worldCounts
				if json.Unmarshal([]byte(c), &wc) == nil {
					w.counts <- wc
				}
				continue
			}
			f := strings.Fields(line)
			if len(f) != 4 || f[0] != "e" {
				continue
			}
			i, err1 := strconv.Atoi(f[1])
			at, err2 := strconv.ParseInt(f[3], 10, 64)
			if err1 == nil && err2 == nil {
				led.event(i, f[2], at)
			}
		}
		w.done <- cmd.Wait()
	}()
	return w, nil
}

// stop ends the world and returns the CPU time it used.
func (w *worldProc) stop() (time.Duration, error) {
	_ = w.in.Close()
	select {
	case err := <-w.done:
		if err != nil {
			return 0, err
		}
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		return 0, errors.New("the world process did not stop")
	}
	return w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime(), nil
}

// environ is the functions' environment in the world.
func (w *worldProc) environ(extra map[string]string) func(string) string {
	env := map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": w.info.Secrets,
		"AWS_ENDPOINT_URL_SQS":             w.info.SQS,
		"AWS_ENDPOINT_URL_DYNAMODB":        w.info.DynamoDB,
		"AWS_ENDPOINT_URL_EVENTBRIDGE":     w.info.EventBridge,
		"AWS_ACCESS_KEY_ID":                lambdatest.DemoAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            "bench-not-secret",
		"AWS_REGION":                       lambdatest.DemoRegion,
		"SIGNALWIRE_SECRET_ID":             lambdatest.DemoSecretID,
		"CALLWIRE_ALLOW_LOOPBACK":          "true",
		"QUEUE_URL":                        w.info.QueueURL,
		"EVENT_BUS_NAME":                   w.info.Bus,
		"IDEMPOTENCY_TABLE":                w.info.Table,
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// cpuTime is this process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pipelineResult is one pipeline run's measurements.
type pipelineResult struct {
	calls, lost, callbacks, duplicates int
	loadPhase                          time.Duration
	eventsInLoad                       int
	minSecond                          int // fewest events in a whole second of the load phase, the first 5 s left out
	latencies                          []time.Duration
	check                              exactlyOnce
	cb, pub, sw                        *invocations
	sweepReport                        *sweep.Report
	counts                             worldCounts
	maxPending                         int
	rssFirst, rssLast, rssMax          float64
	rssSamples                         int
	cpuSelf, cpuWorld                  time.Duration
	wall                               time.Duration
}

// runPipeline sends signed callbacks at opts.rate for opts.duration through
// callback → queue → publish → bus, then lets the sweep find the calls
// whose callbacks were lost, and measures what came out.
func (b *bench) runPipeline(ctx context.Context) (*pipelineResult, error) {
	o := b.opts.pipeline
	led := &ledger{}
	w, err := b.startWorld(ctx, led)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	defer func() { _ = w.in.Close() }()
	getenv := w.environ(map[string]string{"RETRIEVE_CONCURRENCY": strconv.Itoa(o.concurrency), "SWEEP_PAGE_LIMIT": "1000"})

	// The functions log and write their metrics to stdout, as on Lambda;
	// here stdout is the report, so they write to /dev/null.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = devnull.Close() }()
	stdout := os.Stdout
	os.Stdout = devnull
	cbs := make([]*callback.Handler, o.callbacks)
	pubs := make([]*publish.Handler, o.invocations)
	var sw *sweep.Handler
	err = func() error {
		defer func() { os.Stdout = stdout }()
		for i := range cbs {
			if cbs[i], err = callback.New(ctx, getenv); err != nil {
				return err
			}
		}
		for i := range pubs {
			if pubs[i], err = publish.New(ctx, getenv); err != nil {
				return err
			}
		}
		sw, err = sweep.New(ctx, getenv)
		return err
	}()
	if err != nil {
		return nil, err
	}
	awsCfg, err := boot.AWS(getenv)
	if err != nil {
		return nil, err
	}
	sqsc := sqs.NewFromConfig(awsCfg)

	res := &pipelineResult{cb: &invocations{}, pub: &invocations{}, sw: &invocations{}}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime()
	t0 := time.Now()
	led.start = t0.UnixNano()

	// The event source mapping: o.invocations pollers, each one publish
	// execution environment, batch size 10, batching window 0.
	pollCtx, stopPolling := context.WithCancel(ctx)
	var pollers sync.WaitGroup
	pollErr := make(chan error, o.invocations)
	for _, h := range pubs {
		pollers.Go(func() {
			if err := poll(pollCtx, sqsc, w.info.QueueURL, h, res.pub); err != nil && pollCtx.Err() == nil {
				pollErr <- err
			}
		})
	}
	defer func() { stopPolling(); pollers.Wait() }()

	// The callback function's concurrent execution environments.
	type job struct {
		i     int
		first bool
	}
	jobs := make(chan job, 4*o.rate+100)
	var senders sync.WaitGroup
	for _, h := range cbs {
		senders.Go(func() {
			for j := range jobs {
				ev := lambdatest.CallbackEvent(lambdatest.CallbackFields(callSID(j.i), "completed", 3), lambdatest.DemoSigningKey)
				started := time.Now()
				if j.first {
					led.callbackSent(j.i, started.UnixNano())
				}
				resp, err := h.Handle(ctx, ev)
				res.cb.add(time.Since(started))
				if err != nil || resp.StatusCode != 204 {
					res.cb.failed.Add(1)
				}
			}
		})
	}

	// Samplers: the calls in flight and this process's RSS.
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var samplers sync.WaitGroup
	defer func() { stopSampling(); samplers.Wait() }()
	sample := func(every time.Duration, fn func()) {
		samplers.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				select {
				case <-sampleCtx.Done():
					return
				case <-tick.C:
					fn()
				}
			}
		})
	}
	sample(100*time.Millisecond, func() {
		if n, _ := led.pending(); n > res.maxPending {
			res.maxPending = n
		}
	})
	sample(time.Second, func() {
		_, rss, err := procMem(os.Getpid())
		if err != nil {
			return
		}
		// The first 10% of the run (at least 5 s) warms up:
		// connections, caches, the heap's GC target.
		if time.Since(t0) >= max(o.duration/10, 5*time.Second) && res.rssFirst == 0 {
			res.rssFirst = rss
		}
		res.rssLast, res.rssMax = rss, max(res.rssMax, rss)
		res.rssSamples++
	})

	// The open-loop generator: calls are registered with SignalWire a
	// little before their callbacks are due, so a retrieval never comes
	// before the call exists.
	const lead = 200 * time.Millisecond
	registered, sent := 0, 0
	tick := time.NewTicker(time.Millisecond)
	var genErr error
	for genErr == nil && ctx.Err() == nil {
		elapsed := time.Since(t0)
		if elapsed >= o.duration {
			break
		}
		for due := int(float64(o.rate) * min(elapsed+lead, o.duration).Seconds()); registered < due; registered++ {
			lost := o.lostEvery > 0 && registered%o.lostEvery == o.lostEvery-1
			led.add(registered, lost)
			if genErr = w.send("c " + strconv.Itoa(registered)); genErr != nil {
				break
			}
			if lost {
				res.lost++
			}
		}
		for due := int(float64(o.rate) * elapsed.Seconds()); sent < due && sent < registered; sent++ {
			if o.lostEvery > 0 && sent%o.lostEvery == o.lostEvery-1 {
				continue
			}
			jobs <- job{i: sent, first: true}
			res.callbacks++
			if o.dupEvery > 0 && sent%o.dupEvery == 0 {
				jobs <- job{i: sent} // SignalWire sending it again
				res.callbacks++
				res.duplicates++
			}
		}
		<-tick.C
	}
	tick.Stop()
	close(jobs)
	senders.Wait()
	if genErr != nil {
		return nil, fmt.Errorf("world: %w", genErr)
	}
	res.calls = registered
	// The load phase ends when every callback's event is out.
	if err := waitFor(ctx, pollErr, 60*time.Second, func() bool { n, _ := led.pending(); return n == 0 }); err != nil {
		return nil, fmt.Errorf("waiting for the callbacks' events: %w", err)
	}
	res.loadPhase = time.Since(t0)
	led.mu.Lock()
	res.eventsInLoad = int(led.total)
	for s, n := range led.perSecond {
		if s >= 5 && time.Duration(s+1)*time.Second <= o.duration && (res.minSecond == 0 || n < res.minSecond) {
			res.minSecond = n
		}
	}
	led.mu.Unlock()

	// The sweep, as the schedule would run it: a window ending a minute from
	// now holds every call.
	in := fmt.Sprintf(`{"window_end":%q,"window":"10m"}`, time.Now().UTC().Add(time.Minute).Truncate(time.Second).Format(time.RFC3339))
	started := time.Now()
	rep, err := sw.Handle(ctx, json.RawMessage(in))
	res.sw.add(time.Since(started))
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	res.sweepReport = rep
	if err := waitFor(ctx, pollErr, 60*time.Second, func() bool { _, n := led.pending(); return n == 0 }); err != nil {
		return nil, fmt.Errorf("waiting for the swept calls' events: %w", err)
	}
	// Duplicates a slow delivery could still bring: a last look.
	time.Sleep(500 * time.Millisecond)
	res.wall = time.Since(t0)
	res.cpuSelf = cpuTime() - cpu0
	stopSampling()
	samplers.Wait()
	stopPolling()
	pollers.Wait()

	if err := w.send("counts"); err != nil {
		return nil, err
	}
	select {
	case res.counts = <-w.counts:
	case <-time.After(10 * time.Second):
		return nil, errors.New("world: no counts")
	}
	if res.cpuWorld, err = w.stop(); err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	res.latencies = led.latencies()
	res.check = led.check()
	return res, nil
}

// waitFor polls done until it holds, a poller fails or the time is up.
func waitFor(ctx context.Context, pollErr <-chan error, limit time.Duration, done func() bool) error {
	deadline := time.Now().Add(limit)
	for !done() {
		select {
		case err := <-pollErr:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s", limit)
		}
	}
	return nil
}

// poll plays one concurrent invocation of the event source mapping: it
// receives up to 10 records (batching window 0: whatever is there), invokes
// publish with them and deletes the records not reported back.
func poll(ctx context.Context, sqsc *sqs.Client, queueURL string, h *publish.Handler, inv *invocations) error {
	var failed atomic.Int64 // deletes
	defer func() { inv.failed.Add(failed.Load()) }()
	for ctx.Err() == nil {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queueURL),
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("receive: %w", err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
		for i, m := range out.Messages {
			ev.Records[i] = events.SQSMessage{
				MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes,
				EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:" + lambdatest.DemoRegion + ":123456789012:" + benchQueue,
				AWSRegion: lambdatest.DemoRegion,
			}
		}
		ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
		started := time.Now()
		resp, err := h.Handle(ictx, ev)
		inv.add(time.Since(started))
		cancel()
		inv.records.Add(int64(len(ev.Records)))
		back := map[string]bool{}
		if err != nil {
			inv.failed.Add(1)
			continue // the whole batch comes back
		}
		for _, f := range resp.BatchItemFailures {
			back[f.ItemIdentifier] = true
		}
		// The event source mapping deletes with DeleteMessageBatch; the
		// loopback SQS has DeleteMessage only, so the cost counts one
		// batch delete per invocation (see costInputs).
		// Deleting runs beside the next receive and invoke, as the
		// mapping's pollers do; it is not the function's time.
		var handles []string
		for _, r := range ev.Records {
			if !back[r.MessageId] {
				handles = append(handles, r.ReceiptHandle)
			}
		}
		go func() {
			for _, h := range handles {
				if _, err := sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(h)}); err != nil && ctx.Err() == nil {
					failed.Add(1)
				}
			}
		}()
	}
	return nil
}

// listenLoopback listens on a free loopback port.
func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
