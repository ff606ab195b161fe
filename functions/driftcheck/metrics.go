package driftcheck

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics driftcheck emits, once per run, with the
// dimensions emf.Dimensions gives. Its Writer emits nothing else.
var Metrics = []emf.Metric{
	{Name: emf.DriftChecks, Unit: emf.Count, Doc: "exchanges checked against the contract"},
	{Name: emf.DriftNonConformant, Unit: emf.Count, Doc: "exchanges with at least one error finding"},
	{Name: emf.DriftFindings, Unit: emf.Count, Dims: []string{"Severity"}, Doc: "findings of one severity (error, warning)"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
