package publish

import (
	"context"
	"log/slog"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/emf"
)

// report writes one log line per malformed record and per call, a summary
// line for the batch, and the batch's metrics. Lines carry SIDs, statuses,
// event ids and error texts, never a record's body.
func (h *Handler) report(ctx context.Context, b *batch, cold bool, secretFetches int64, elapsed time.Duration) {
	var (
		published, already, omitted, publishFailures, idemErrors, malformed, retried, findings int
		deadLettered, drift, possibly                                                          int
		reasons                                                                                = map[string]int{}
	)
	for i, err := range b.malformed {
		if err == nil {
			continue
		}
		malformed++
		reasons[string(reasonMalformed)]++
		h.log.LogAttrs(ctx, slog.LevelWarn, "publish: record is not a hint",
			slog.String("message_id", b.records[i].MessageId),
			slog.Int("body_bytes", len(b.records[i].Body)),
			slog.String("outcome", resultRetry),
			slog.String("reason", string(reasonMalformed)),
			slog.String("error", err.Error()))
	}
	for _, g := range b.groups {
		attrs := []slog.Attr{
			slog.String("sid", g.sid),
			slog.Int("records", len(g.records)),
			slog.String("hint_source", g.hints[0].Source),
			slog.String("hint_status", g.hints[0].Status),
			slog.String("outcome", g.result),
		}
		if g.eventID != "" {
			attrs = append(attrs, slog.String("event_id", g.eventID))
		}
		if g.drift != "" {
			// A drift finding: SignalWire's spelling, clipped, and the
			// documented one the event carries.
			drift++
			attrs = append(attrs, slog.Group("status_drift", slog.String("received", clip(g.drift)), slog.String("published_as", string(g.call.Status))))
		}
		if g.outcome.Attempts > 0 {
			attrs = append(attrs,
				slog.Int("upstream_status", g.outcome.UpstreamStatus),
				slog.Float64("upstream_latency_ms", ms(g.outcome.Latency)))
		}
		if g.outcome.Conformant != nil {
			errs := 0
			for _, f := range g.outcome.Findings {
				if f.Severity == contract.SeverityError {
					errs++
				}
			}
			findings += errs
			attrs = append(attrs, slog.Bool("conformant", *g.outcome.Conformant), slog.Int("findings_total", len(g.outcome.Findings)))
		}
		level := slog.LevelInfo
		switch g.result {
		case resultPublished:
			published++
			attrs = append(attrs, slog.String("eventbridge_id", g.busID))
			if g.entry.omitted {
				omitted++
				level = slog.LevelWarn
				attrs = append(attrs, slog.String("call_omitted", omittedTooLarge))
			}
		case resultLastAttempt:
			level = slog.LevelWarn
			attrs = append(attrs, slog.String("reason", string(g.reason)), slog.String("error", g.err.Error()))
		case resultDeadLettered:
			level = slog.LevelWarn
			n := 0
			for _, i := range g.records {
				if b.deadLettered[i] {
					n++
				} else {
					retried++
				}
			}
			deadLettered += n
			reasons[string(g.reason)] += len(g.records)
			attrs = append(attrs, slog.String("reason", string(g.reason)), slog.Int("dead_lettered", n), slog.String("error", g.err.Error()))
		case resultAlreadyPublished:
			already++
			attrs = append(attrs, slog.Bool("retrieved", !g.skipped))
		case resultRetry:
			level = slog.LevelWarn
			retried += len(g.records)
			reasons[string(g.reason)] += len(g.records)
			switch g.reason {
			case reasonPublish:
				publishFailures++
			case reasonIdempotency:
				idemErrors++
			}
			attrs = append(attrs, slog.String("reason", string(g.reason)), slog.String("error", g.err.Error()))
		}
		if g.possibly {
			possibly++
			level = slog.LevelWarn
			attrs = append(attrs, slog.Bool("possibly_published", true))
		}
		if g.markError != nil {
			idemErrors++
			level = slog.LevelWarn
			attrs = append(attrs, slog.String("mark_error", g.markError.Error()))
		}
		h.log.LogAttrs(ctx, level, "publish: call", attrs...)
	}
	retried += malformed
	h.log.LogAttrs(ctx, slog.LevelInfo, "publish: batch",
		slog.Int("records", len(b.records)),
		slog.Int("calls", len(b.groups)),
		slog.Int("published", published),
		slog.Int("already_published", already),
		slog.Int("item_failures", retried),
		slog.Int("dead_lettered", deadLettered),
		slog.Any("failure_reasons", reasons),
		slog.Int("put_requests", b.requests),
		slog.Float64("duration_ms", ms(elapsed)),
		slog.Bool("cold_start", cold),
		slog.Int64("secret_fetches", secretFetches))

	coldValue := 0.0
	if cold {
		coldValue = 1
	}
	values := []emf.Value{
		{Name: emf.HintsReceived, Unit: emf.Count, Value: float64(len(b.records))},
		{Name: emf.HintsMalformed, Unit: emf.Count, Value: float64(malformed)},
		{Name: emf.HintsRetried, Unit: emf.Count, Value: float64(retried)},
		{Name: emf.EventsPublished, Unit: emf.Count, Value: float64(published)},
		{Name: emf.EventsAlreadyPublished, Unit: emf.Count, Value: float64(already)},
		{Name: emf.EventsCallOmitted, Unit: emf.Count, Value: float64(omitted)},
		{Name: emf.PublishFailures, Unit: emf.Count, Value: float64(publishFailures)},
		{Name: emf.IdempotencyErrors, Unit: emf.Count, Value: float64(idemErrors)},
		{Name: emf.HintsDeadLettered, Unit: emf.Count, Value: float64(deadLettered)},
		{Name: emf.StatusDrift, Unit: emf.Count, Value: float64(drift)},
		{Name: emf.EventsPossiblyPublished, Unit: emf.Count, Value: float64(possibly)},
		{Name: emf.ContractFindings, Unit: emf.Count, Value: float64(findings)},
		{Name: emf.SecretFetches, Unit: emf.Count, Value: float64(secretFetches)},
		{Name: emf.ColdStart, Unit: emf.Count, Value: coldValue},
	}
	if err := h.metrics.Emit(h.dims, values...); err != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", err.Error()))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
