package callback

import "github.com/callwire/callwire/functions/internal/emf"

// Metrics are the metrics the callback receiver emits, one record per
// request, with the dimensions emf.Dimensions gives. Its Writer emits
// nothing else.
var Metrics = []emf.Metric{
	{Name: emf.CallbacksReceived, Unit: emf.Count, Doc: "requests that reached the handler"},
	{Name: emf.CallbackSignatureFailures, Unit: emf.Count, Doc: "requests with a missing or invalid signature (403)"},
	{Name: emf.CallbacksQueued, Unit: emf.Count, Doc: "verified callbacks handed to the queue"},
	{Name: emf.CallbacksIgnored, Unit: emf.Count, Doc: "verified callbacks whose status FETCH_ON leaves out"},
	{Name: emf.CallbackContractFindings, Unit: emf.Count, Doc: "error findings of the callback payload check"},
	{Name: emf.SigningKeyMissing, Unit: emf.Count, Doc: "requests answered 500 because the secret has no signing_key"},
	{Name: emf.CallbacksFailed, Unit: emf.Count, Doc: "requests the secret or the queue failed (500 or 503)"},
	{Name: emf.ColdStart, Unit: emf.Count, Doc: "1 on the first request of an execution environment, else 0"},
	{Name: emf.SecretFetches, Unit: emf.Count, Doc: "GetSecretValue calls the request made"},
	{Name: emf.CallbacksRejected, Unit: emf.Count, Doc: "callbacks refused with 400: a malformed body, invalid hint fields, another project"},
	{Name: emf.CallbacksForeignAccount, Unit: emf.Count, Doc: "verified callbacks whose AccountSid is not the project's (400, not queued)"},
	{Name: emf.SecretStaleServes, Unit: emf.Count, Doc: "reads answered with the last good secret because Secrets Manager failed (SECRET_STALE_TTL)"},
}
