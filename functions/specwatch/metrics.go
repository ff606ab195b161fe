package specwatch

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics the spec watch emits, one record per run, with
// the dimensions emf.Dimensions gives. Its Writer emits nothing else.
var Metrics = []emf.Metric{
	{Name: emf.SpecChecks, Unit: emf.Count, Doc: "1 for every run that read the published document"},
	{Name: emf.SpecChanges, Unit: emf.Count, Doc: "changes the run reported (0 when unchanged)"},
	{Name: emf.SpecBreakingChanges, Unit: emf.Count, Doc: "breaking changes the run reported; alarmed"},
	{Name: emf.SpecOperationsVanished, Unit: emf.Count, Doc: "watched operations the published document no longer documents"},
	{Name: emf.SpecWatchFailures, Unit: emf.Count, Doc: "1 for a run that could not do its job (fetch, document, state or event); alarmed"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
