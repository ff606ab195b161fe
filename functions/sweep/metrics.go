package sweep

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics the sweep emits, one record per run, with the
// dimensions emf.Dimensions gives. Its Writer emits nothing else.
var Metrics = []emf.Metric{
	{Name: emf.SweepCallsListed, Unit: emf.Count, Doc: "calls List Calls returned in the window"},
	{Name: emf.SweepAlreadyPublished, Unit: emf.Count, Doc: "finished calls whose event was published before"},
	{Name: emf.SweepEnqueued, Unit: emf.Count, Doc: "finished calls put on the queue"},
	{Name: emf.SweepPages, Unit: emf.Count, Doc: "List Calls pages read"},
	{Name: emf.SweepWindowsNotFinished, Unit: emf.Count, Doc: "1 when the run stopped before the end of its window, else 0"},
	{Name: emf.SweepFindings, Unit: emf.Count, Doc: "contract findings (errors) in the listed calls"},
	{Name: emf.SweepPaginationLoops, Unit: emf.Count, Doc: "1 when the run stopped at a pagination loop, else 0"},
	{Name: emf.SweepCallsUnclassified, Unit: emf.Count, Doc: "listed calls whose status SignalWire does not document (never queued)"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
