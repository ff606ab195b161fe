package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// function is one Lambda the bench starts cold: where its main package is,
// what its first invoke sends, and its init budget over hello-world.
type function struct {
	name   string
	pkg    string        // main package, relative to the module root
	budget time.Duration // init median over hello-world's
	// event is the first invoke's payload; check judges its answer.
	event func() ([]byte, error)
	check func(*lambdatest.Result) error
}

// Loopback names of the bench's AWS resources.
const (
	benchQueue = "callwire-callbacks"
	benchTable = "callwire-published"
	benchBus   = "callwire-bench"
)

// functions are the Lambdas whose cold start the bench measures. A function
// whose main package does not exist in this tree is reported as absent, not
// measured: specwatch joins the table as soon as functions/cmd/specwatch
// (or functions/specwatch as a main package) is built.
func functions() []function {
	noError := func(res *lambdatest.Result) error {
		if res.Err != nil {
			return fmt.Errorf("function error %v", res.Err)
		}
		return nil
	}
	return []function{
		{
			name: "getcall", pkg: "./functions/cmd/getcall", budget: 3 * time.Millisecond,
			event: func() ([]byte, error) { return getcallEvent, nil },
			check: noError,
		},
		{
			name: "callback", pkg: "./functions/cmd/callback", budget: 3 * time.Millisecond,
			event: func() ([]byte, error) {
				return json.Marshal(lambdatest.CallbackEvent(
					lambdatest.CallbackFields(lambdatest.DemoCallSID, "completed", 3), lambdatest.DemoSigningKey))
			},
			check: func(res *lambdatest.Result) error {
				if err := noError(res); err != nil {
					return err
				}
				var resp events.LambdaFunctionURLResponse
				if err := json.Unmarshal(res.Payload, &resp); err != nil || resp.StatusCode != 204 {
					return fmt.Errorf("callback answered %s, want status 204", res.Payload)
				}
				return nil
			},
		},
		{
			name: "publish", pkg: "./functions/cmd/publish", budget: 5 * time.Millisecond,
			event: func() ([]byte, error) {
				seq := int64(3)
				body, err := json.Marshal(pipeline.Hint{CallSID: lambdatest.DemoCallSID, Status: "completed",
					Sequence: &seq, Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback})
				if err != nil {
					return nil, err
				}
				return json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{
					MessageId: "bench-1", Body: string(body), EventSource: "aws:sqs",
					Attributes: map[string]string{"ApproximateReceiveCount": "1"},
				}}})
			},
			check: func(res *lambdatest.Result) error {
				if err := noError(res); err != nil {
					return err
				}
				var resp events.SQSEventResponse
				if err := json.Unmarshal(res.Payload, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
					return fmt.Errorf("publish answered %s, want no item failures", res.Payload)
				}
				return nil
			},
		},
		{
			name: "sweep", pkg: "./functions/cmd/sweep", budget: 5 * time.Millisecond,
			event: func() ([]byte, error) { return []byte(`{}`), nil },
			check: noError,
		},
		{
			name: "driftcheck", pkg: "./functions/cmd/driftcheck", budget: 5 * time.Millisecond,
			event: func() ([]byte, error) {
				return []byte(`{"call_sids":["` + lambdatest.DemoCallSID + `"],"sample_recent":0,"probe_not_found":false}`), nil
			},
			check: noError,
		},
		{
			name: "specwatch", pkg: "./functions/cmd/specwatch", budget: 5 * time.Millisecond,
			event: func() ([]byte, error) { return []byte(`{}`), nil },
			check: noError,
		},
	}
}

// world is the loopback AWS around one cold start: a fresh queue, table and
// bus each time, so every sample does the same work (publish's claim is new).
type world struct {
	env   []string
	close func()
}

func newWorld(demo *lambdatest.Demo) (*world, error) {
	q := sqsserver.New()
	qURL, err := q.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := dynamoserver.New()
	dURL, err := d.Start("127.0.0.1:0")
	if err != nil {
		q.Close()
		return nil, err
	}
	e := eventsserver.New()
	eURL, err := e.Start("127.0.0.1:0")
	closeAll := func() { q.Close(); d.Close(); e.Close() }
	if err != nil {
		closeAll()
		return nil, err
	}
	queueURL, err := q.CreateQueue(benchQueue, nil)
	if err == nil {
		err = d.CreateTable(benchTable, idempotency.AttrID)
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	e.CreateBus(benchBus)
	env := append(demo.Environ(os.Environ()),
		"AWS_ENDPOINT_URL_SQS="+qURL,
		"AWS_ENDPOINT_URL_DYNAMODB="+dURL,
		"AWS_ENDPOINT_URL_EVENTBRIDGE="+eURL,
		"QUEUE_URL="+queueURL,
		"IDEMPOTENCY_TABLE="+benchTable,
		"EVENT_BUS_NAME="+benchBus,
	)
	return &world{env: env, close: closeAll}, nil
}

// coldResult is one function's samples.
type coldResult struct {
	fn      function
	samples []coldSample
}

// coldAll builds every function present in the tree and hello-world, then
// alternates cold starts: each round starts every bootstrap once, the order
// rotating by one each round so drifting load falls on all alike.
func (b *bench) coldAll(ctx context.Context, demo *lambdatest.Demo, hello string) error {
	type entry struct {
		fn        function
		bootstrap string
		hello     bool
	}
	entries := []entry{{fn: function{name: "hello-world", event: func() ([]byte, error) { return []byte(`{}`), nil },
		check: func(*lambdatest.Result) error { return nil }}, bootstrap: hello, hello: true}}
	var absent []string
	for _, fn := range functions() {
		if _, err := os.Stat(filepath.Join(b.root, fn.pkg, "main.go")); errors.Is(err, os.ErrNotExist) {
			absent = append(absent, fn.name+" ("+fn.pkg+" not in this tree)")
			continue
		}
		bootstrap, err := lambdatest.BuildBootstrap(ctx, b.root, fn.pkg, filepath.Join(b.work, fn.name))
		if err != nil {
			return err
		}
		entries = append(entries, entry{fn: fn, bootstrap: bootstrap})
	}
	b.bootstraps = map[string]string{}
	for _, e := range entries {
		b.bootstraps[e.fn.name] = e.bootstrap
	}
	results := make([]coldResult, len(entries))
	for i, e := range entries {
		results[i].fn = e.fn
	}
	for round := range b.opts.samples {
		for k := range entries {
			i := (k + round) % len(entries)
			e := entries[i]
			s, err := b.coldRetry(ctx, demo, e.bootstrap, e.fn)
			if err != nil {
				return fmt.Errorf("%s sample %d: %w", e.fn.name, round+1, err)
			}
			results[i].samples = append(results[i].samples, s)
		}
	}
	b.reportCold(results, absent)
	return nil
}

// errNoReport is a first invoke whose emulator log lacked a report line; on a
// loaded machine the emulator now and then writes none, so the sample is taken again.
var errNoReport = errors.New("first invoke: emulator report missing")

// coldRetry is coldFunction taken again, at most twice, while the
// emulator's report is missing; retries counts those.
func (b *bench) coldRetry(ctx context.Context, demo *lambdatest.Demo, bootstrap string, fn function) (coldSample, error) {
	for try := 0; ; try++ {
		s, err := b.coldFunction(ctx, demo, bootstrap, fn)
		if err == nil || !errors.Is(err, errNoReport) || try == 2 {
			return s, err
		}
		b.retries++
	}
}

// coldFunction starts a fresh emulator in a fresh world, invokes once and
// stops both.
func (b *bench) coldFunction(ctx context.Context, demo *lambdatest.Demo, bootstrap string, fn function) (coldSample, error) {
	w, err := newWorld(demo)
	if err != nil {
		return coldSample{}, err
	}
	defer w.close()
	event, err := fn.event()
	if err != nil {
		return coldSample{}, err
	}
	start := time.Now()
	emu, err := lambdatest.Start(ctx, lambdatest.Config{
		RIE: b.rie, Bootstrap: bootstrap, Env: w.env, FunctionName: "bench",
		Timeout: 10 * time.Second, MemoryMB: 256, LogFormat: "JSON",
	})
	if err != nil {
		return coldSample{}, err
	}
	defer func() { _ = emu.Close() }()
	res, err := emu.Invoke(ctx, event)
	wall := time.Since(start)
	if err != nil {
		return coldSample{}, err
	}
	if len(res.Init) != 1 || !res.HasReport {
		return coldSample{}, fmt.Errorf("%w: %d INIT REPORT lines, REPORT %t; want 1 and true", errNoReport, len(res.Init), res.HasReport)
	}
	if err := fn.check(res); err != nil {
		return coldSample{}, fmt.Errorf("first invoke: %w", err)
	}
	return coldSample{init: res.Init[0], wall: wall, invoke: res.Report.Duration, invWall: res.Wall}, nil
}

func (b *bench) reportCold(results []coldResult, absent []string) {
	const sec = "1 cold start"
	pick := func(ss []coldSample, f func(coldSample) time.Duration) []time.Duration {
		out := make([]time.Duration, len(ss))
		for i, s := range ss {
			out[i] = f(s)
		}
		return out
	}
	init := func(s coldSample) time.Duration { return s.init }
	wall := func(s coldSample) time.Duration { return s.wall }
	hello := results[0]
	hi, hw := median(pick(hello.samples, init)), median(pick(hello.samples, wall))
	n := fmt.Sprintf("n=%d each, alternated (order rotating), a fresh RIE and fresh loopback AWS per sample, 256 MB", b.opts.samples)
	b.add(sec, "init hello-world", distMs(pick(hello.samples, init)), "RIE log INIT REPORT(durationMs); "+n, "", "")
	b.add(sec, "start→first response hello-world", distMs(pick(hello.samples, wall)), "client wall: RIE process start to first invoke response", "", "")
	for _, r := range results[1:] {
		gi := pick(r.samples, init)
		d := median(gi) - hi
		b.add(sec, "init "+r.fn.name, fmt.Sprintf("%s; %+.1f ms over hello-world", distMs(gi), ms(d)),
			"INIT REPORT(durationMs), median(function) - median(hello-world), same rounds",
			fmt.Sprintf("≤ hello + %.0f ms", ms(r.fn.budget)), metIf(d <= r.fn.budget))
		gw := pick(r.samples, wall)
		b.add(sec, "start→first response "+r.fn.name, fmt.Sprintf("%s; %+.1f ms over hello-world", distMs(gw), ms(median(gw)-hw)),
			"client wall from RIE start to the first answer; first invoke: "+firstInvoke[r.fn.name], "", "")
		b.add("2 first invoke", "invoke 1 "+r.fn.name, distMs(pick(r.samples, func(s coldSample) time.Duration { return s.invoke })),
			"RIE REPORT Duration of invoke 1", "", "")
	}
	if b.retries > 0 {
		b.add(sec, "samples taken again", fmt.Sprint(b.retries), "first invokes whose emulator log had no INIT REPORT or REPORT line (a loaded machine)", "", "")
	}
	for _, a := range absent {
		b.add(sec, "init "+a, "not measured", "the function's main package is absent; the bench measures it once it exists", "", "")
	}
}

// firstInvoke says what each function's first invoke does.
var firstInvoke = map[string]string{
	"getcall":    "get one replayed call (secret fetch, GET, contract check)",
	"callback":   "a signed completed callback (secret fetch, verify, check, SendMessage to loopback SQS)",
	"publish":    "one hint (secret fetch, GET, check, DynamoDB claim, PutEvents, mark) on loopback",
	"sweep":      "{} (secret fetch, List Calls on the replay server, DynamoDB, SQS on loopback)",
	"driftcheck": "one replayed call checked",
	"specwatch":  "{}",
}
