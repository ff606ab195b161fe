package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// pipelineBench runs the pipeline and adds its rows and the cost per
// million calls.
func (b *bench) pipelineBench(ctx context.Context) error {
	o := b.opts.pipeline
	facts, err := readTemplate(b.root)
	if err != nil {
		return err
	}
	b.progress("pipeline: %d calls/s for %s, %d publish and %d callback invocations at once, SignalWire answering in %s",
		o.rate, o.duration, o.invocations, o.callbacks, o.latency)
	r, err := b.runPipeline(ctx)
	if err != nil {
		return err
	}
	const sec = "10 pipeline"
	how := fmt.Sprintf("in process: %d callback and %d publish handlers (each its own New, as an execution environment), "+
		"the event source mapping played by %d pollers (ReceiveMessage of up to 10, long poll 1 s, batching window 0, queue delay 0); "+
		"SignalWire (replay server, %s per request), Secrets Manager, SQS, DynamoDB, EventBridge in a second process",
		o.callbacks, o.invocations, o.invocations, o.latency)
	b.add(sec, "load", fmt.Sprintf("%d calls at %d/s for %s: %d signed completed callbacks (%d sent twice), %d calls with no callback (for the sweep)",
		r.calls, o.rate, o.duration, r.callbacks, r.duplicates, r.lost), how, "", "")

	bound := float64(o.invocations) * float64(o.concurrency) / o.latency.Seconds()
	eps := float64(r.eventsInLoad) / r.loadPhase.Seconds()
	b.add(sec, "SignalWire-side bound", fmt.Sprintf("%.0f events/s", bound),
		fmt.Sprintf("%d concurrent publish invocations × RETRIEVE_CONCURRENCY %d / %s round trip", o.invocations, o.concurrency, o.latency), "", "")
	b.add(sec, "events per second", fmt.Sprintf("%.0f/s over %s (fewest in one second after the first 5: %d)", eps, r.loadPhase.Round(100*time.Millisecond), r.minSecond),
		"events accepted by the bus during the load phase (until the last callback's event) / its length", "≥ 1,000/s", metIf(eps >= 1000 && r.minSecond >= 1000))
	if eps < float64(o.rate)*0.97 {
		b.add(sec, "where the limit is", limitNote(r, o, bound), "CPU of both processes against the cores; -cpuprofile FILE for the handlers' profile", "", "")
	}
	p50, p99 := quantile(r.latencies, 0.5), quantile(r.latencies, 0.99)
	latTarget := 2*o.latency + 10*time.Millisecond
	b.add(sec, "callback → event latency", fmt.Sprintf("p50 %.1f ms, p99 %.1f ms (%d calls; most in flight %d)", ms(p50), ms(p99), len(r.latencies), r.maxPending),
		"from the first callback's invoke to the bus accepting the event; the sweep's calls left out", fmt.Sprintf("p50 ≤ %s (2 round trips + 10 ms)", latTarget), metIf(p50 <= latTarget && len(r.latencies) > 0))
	once := fmt.Sprintf("%d calls: %d events, %d missing, %d duplicated, %d stray", r.check.calls, r.counts.Events, r.check.missing, r.check.duplicated, r.check.strays)
	if len(r.check.examples) > 0 {
		once += " (" + strings.Join(r.check.examples, "; ") + ")"
	}
	b.add(sec, "exactly one event per call and status", once, "every generated call's events counted as the bus accepted them", "all exactly once", failedIf(!r.check.ok()))
	if rep := r.sweepReport; rep != nil {
		b.add(sec, "sweep", fmt.Sprintf("listed %d, already published %d, queued %d (%d calls had no callback) in %s",
			rep.Listed, rep.Published, rep.Enqueued, r.lost, r.sw.mean().Round(time.Millisecond)),
			"one run over a 10 m window holding every call, after the callbacks' events; queuing a published call again is allowed (the table stops its event)",
			fmt.Sprintf("queued ≥ %d", r.lost), failedIf(rep.Enqueued < r.lost))
	}
	events := float64(r.counts.Events)
	b.add(sec, "Secrets Manager requests per event", fmt.Sprintf("%.5f (%d)", float64(r.counts.Secrets)/events, r.counts.Secrets),
		"GetSecretValue requests (one per execution environment) / events", "", "")
	b.add(sec, "SignalWire requests per event", fmt.Sprintf("%.3f (%d Retrieve a Call, %d List Calls)", float64(r.counts.SignalWire)/events, r.counts.SignalWireGet, r.counts.SignalWire-r.counts.SignalWireGet),
		"replay server requests / events", "", "")
	b.add(sec, "handler time", fmt.Sprintf("callback mean %.1f µs; publish mean %.1f ms per invocation of %.2f records", float64(r.cb.mean())/1e3, ms(r.pub.mean()), float64(r.pub.records.Load())/float64(max(1, r.pub.n.Load()))),
		"wall time of Handle, in process", "", "")
	b.add(sec, "CPU", fmt.Sprintf("handlers' process %.1f s, world %.1f s, over %.1f s wall on %d cores (%.0f%% busy)", r.cpuSelf.Seconds(), r.cpuWorld.Seconds(), r.wall.Seconds(), runtime.NumCPU(),
		100*(r.cpuSelf+r.cpuWorld).Seconds()/(r.wall.Seconds()*float64(runtime.NumCPU()))), "getrusage of both processes", "", "")
	growth := r.rssLast - r.rssFirst
	b.add(sec, "handlers' process RSS", fmt.Sprintf("%.1f MB after warm-up, %.1f MB at the end (%+.1f MB, max %.1f, %d samples)", r.rssFirst, r.rssLast, growth, r.rssMax, r.rssSamples),
		"VmRSS of the bench process once a second (the world's process holds the calls, items and events)", "≤ +5 MB (flat)", metIf(r.rssSamples >= 2 && growth <= 5))
	if n := r.cb.failed.Load() + r.pub.failed.Load(); n > 0 {
		b.add(sec, "failed invocations", fmt.Sprint(n), "callback answers other than 204, publish function errors", "0", failedIf(true))
	}
	b.addCost(r, facts)
	return nil
}

// limitNote says where the pipeline's throughput stopped.
func limitNote(r *pipelineResult, o pipelineOptions, bound float64) string {
	busy := (r.cpuSelf + r.cpuWorld).Seconds() / (r.wall.Seconds() * float64(runtime.NumCPU()))
	switch {
	case busy > 0.9:
		return fmt.Sprintf("CPU: %.0f%% of %d cores busy (handlers %.0f%%, world %.0f%%)", 100*busy, runtime.NumCPU(),
			100*r.cpuSelf.Seconds()/(r.cpuSelf+r.cpuWorld).Seconds(), 100*r.cpuWorld.Seconds()/(r.cpuSelf+r.cpuWorld).Seconds())
	case float64(o.rate) > bound:
		return fmt.Sprintf("SignalWire's side: the offered %d/s is above the bound of %.0f/s", o.rate, bound)
	default:
		// Below the bound with idle cores in the processes' own account:
		// the cores went to other work on the machine.
		return fmt.Sprintf("CPU shared with other work: these processes got %.0f%% of %d cores (load average %s); %.2f ms of CPU per event (handlers %.2f, world %.2f) makes %.0f events/s on %d whole cores",
			100*busy, runtime.NumCPU(), machineInfo().load, ms(r.cpuSelf+r.cpuWorld)/float64(r.counts.Events), ms(r.cpuSelf)/float64(r.counts.Events), ms(r.cpuWorld)/float64(r.counts.Events),
			float64(r.counts.Events)*float64(runtime.NumCPU())/(r.cpuSelf+r.cpuWorld).Seconds(), runtime.NumCPU())
	}
}

func failedIf(bad bool) string {
	if bad {
		return "FAILED"
	}
	return "met"
}

// addCost adds the cost per million calls from the pipeline's measured
// durations and counts.
func (b *bench) addCost(r *pipelineResult, f templateFacts) {
	calls := float64(r.calls)
	c := r.counts
	pubInv := float64(r.pub.n.Load())
	in := costInputs{
		callbackInvocations: float64(r.cb.n.Load()) / calls, callbackBilledMs: r.cb.meanBilled(),
		publishInvocations: pubInv / calls, publishBilledMs: r.pub.meanBilled(),
		// Every call is in f.sweepRuns windows; a run's time grows with
		// the calls it lists.
		sweepInvocations: f.sweepRuns / calls, sweepBilledMs: r.sw.meanBilled(),
		callbackMB: f.callbackMB, publishMB: f.publishMB, sweepMB: f.sweepMB,
		// One DeleteMessageBatch per publish invocation, as the event
		// source mapping deletes (the loopback queue counted DeleteMessage).
		sqsRequests:     (float64(c.SQS["SendMessage"]+c.SQS["SendMessageBatch"]+c.SQS["ReceiveMessage"]+c.SQS["ChangeMessageVisibility"]) + pubInv) / calls,
		events:          float64(c.Events) / calls,
		dynamoWrites:    float64(c.DynamoDB["PutItem"]+c.DynamoDB["UpdateItem"]+c.DynamoDB["DeleteItem"]) / calls,
		dynamoReads:     (float64(c.DynamoDBRead) + float64(c.DynamoDBBatch)*f.sweepRuns) / calls,
		secretsRequests: float64(c.Secrets) / calls,
	}
	parts := costPerMillion(in, b.opts.prices)
	total := 0.0
	for _, p := range parts {
		total += p.usd
	}
	byCost := slices.Clone(parts)
	slices.SortFunc(byCost, func(a, b costPart) int {
		switch {
		case a.usd > b.usd:
			return -1
		case a.usd < b.usd:
			return 1
		}
		return 0
	})
	const sec = "11 cost per million calls"
	b.add(sec, "total", fmt.Sprintf("$%.2f; %s dominates (%.0f%%)", total, byCost[0].name, 100*byCost[0].usd/total),
		fmt.Sprintf("sum of the parts below: us-east-1 list prices of %s, no free tier (flags -price-*); %s", pricesDate, f.source), "", "")
	for _, p := range parts {
		b.add(sec, p.name, fmt.Sprintf("$%.3f", p.usd), p.formula, "", "")
	}
	b.add(sec, "inputs", fmt.Sprintf("per call: SQS %.3f requests (receives %d incl. empty long polls), DynamoDB %.2f WRU and %.3g RRU (%d GetItem keys, and %d BatchGetItem keys per sweep run × %.3g runs), %.4f Secrets Manager calls",
		in.sqsRequests, c.SQS["ReceiveMessage"], in.dynamoWrites, in.dynamoReads, c.DynamoDBRead, c.DynamoDBBatch, f.sweepRuns, in.secretsRequests),
		"measured by the loopback servers over the pipeline run; Lambda durations are this machine's handler wall times, billed per invocation rounded up to 1 ms; secrets storage ($0.40/secret/month), logs, metrics and data transfer not included", "", "")
}
