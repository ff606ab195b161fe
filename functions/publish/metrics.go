package publish

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics publish emits, one record per batch, with the
// dimensions emf.Dimensions gives. Its Writer emits nothing else.
var Metrics = []emf.Metric{
	{Name: emf.HintsReceived, Unit: emf.Count, Doc: "queue records in the batch"},
	{Name: emf.HintsMalformed, Unit: emf.Count, Doc: "records that are not a hint"},
	{Name: emf.HintsRetried, Unit: emf.Count, Doc: "records reported as item failures, which come back through the queue"},
	{Name: emf.EventsPublished, Unit: emf.Count, Doc: "events EventBridge accepted"},
	{Name: emf.EventsAlreadyPublished, Unit: emf.Count, Doc: "calls acknowledged without publishing: their event is out"},
	{Name: emf.EventsCallOmitted, Unit: emf.Count, Doc: "events published without their call, which would not fit EventBridge's size limit"},
	{Name: emf.PublishFailures, Unit: emf.Count, Doc: "events EventBridge did not take, after the retry of refused entries"},
	{Name: emf.IdempotencyErrors, Unit: emf.Count, Doc: "failed claims and done marks"},
	{Name: emf.HintsDeadLettered, Unit: emf.Count, Doc: "records sent to the dead-letter queue at once, with a reason (an undocumented status, an invalid event)"},
	{Name: emf.StatusDrift, Unit: emf.Count, Doc: "calls whose documented status SignalWire spelled otherwise (published in the documented spelling)"},
	{Name: emf.EventsPossiblyPublished, Unit: emf.Count, Doc: "events whose PutEvents outcome is unknown: marked possibly_published, tried once more"},
	{Name: emf.ColdStart, Unit: emf.Count, Doc: "1 on the first batch of an execution environment, else 0"},
	{Name: emf.ContractFindings, Unit: emf.Count, Doc: "error findings of the contract checks of the retrieved calls"},
	{Name: emf.SecretFetches, Unit: emf.Count, Doc: "GetSecretValue calls the batch made"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
