package callback

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/pipeline"
)

// sendFunc is a queueSender that answers at once, so a benchmark measures
// the handler without the queue round trip.
type sendFunc func(ctx context.Context, hints []pipeline.Hint) (int, error)

func (f sendFunc) Send(ctx context.Context, hints []pipeline.Hint) (int, error) { return f(ctx, hints) }

// BenchmarkWarmCallback measures a warm handler verifying, checking and
// queueing one completed callback (the form scheme, the payload check, one
// log line and one EMF record, both written to io.Discard), with the secret
// cached from the loopback Secrets Manager and the queue answering at once.
// It reports the median time per callback as handler-µs.
func BenchmarkWarmCallback(b *testing.B) {
	env := setup(b, secretJSON(testKey, testPrevKey))
	sent := 0
	env.h.queue = sendFunc(func(_ context.Context, hints []pipeline.Hint) (int, error) {
		sent += len(hints)
		return len(hints), nil
	})
	env.h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	env.h.metrics = emf.NewWriter(io.Discard, Metrics)
	ev := event("completed", testKey)
	ctx := b.Context()
	for range 3 { // warm: the secret is fetched and parsed once
		if resp, _ := env.h.Handle(ctx, ev); resp.StatusCode != http.StatusNoContent {
			b.Fatalf("warm-up answer %d", resp.StatusCode)
		}
	}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, _ := env.h.Handle(ctx, ev)
		durs = append(durs, time.Since(start))
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("answer %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	if sent != b.N+3 {
		b.Fatalf("%d hints sent for %d callbacks", sent, b.N+3)
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds())/1000, "handler-µs")
}

// BenchmarkForgedCallback measures the answer to a callback with a bad
// signature, the path a flood of forged requests takes.
func BenchmarkForgedCallback(b *testing.B) {
	env := setup(b, secretJSON(testKey, testPrevKey))
	env.h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	env.h.metrics = emf.NewWriter(io.Discard, Metrics)
	ev := event("completed", "PSKforged")
	ctx := b.Context()
	env.h.Handle(ctx, ev) //nolint:errcheck // warm-up
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if resp, _ := env.h.Handle(ctx, ev); resp.StatusCode != http.StatusForbidden {
			b.Fatalf("answer %d", resp.StatusCode)
		}
	}
}
