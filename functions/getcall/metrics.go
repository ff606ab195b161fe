package getcall

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics getcall emits, one record per invocation, with
// the dimensions emf.Dimensions gives. Its Writer emits nothing else.
var Metrics = []emf.Metric{
	{Name: emf.Retries, Unit: emf.Count, Doc: "retries of the SignalWire request beyond the first attempt"},
	{Name: emf.SecretFetches, Unit: emf.Count, Doc: "GetSecretValue calls the invocation made"},
	{Name: emf.ColdStart, Unit: emf.Count, Doc: "1 on the first invocation of an execution environment, else 0"},
	{Name: emf.UpstreamLatency, Unit: emf.Milliseconds, Doc: "time SignalWire took to answer, retries included"},
	{Name: emf.ContractFindings, Unit: emf.Count, Doc: "error findings of the contract check of the response"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
