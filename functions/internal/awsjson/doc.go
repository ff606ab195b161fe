// Package awsjson is a small client for AWS services that speak the AWS JSON
// 1.0 and 1.1 protocols (DynamoDB, EventBridge): one POST per operation with
// an X-Amz-Target header, a JSON body, SigV4 signing by the SDK's own signer,
// credentials, region and endpoints from the same aws.Config the SDK clients
// take (boot.AWS), typed errors that satisfy smithy.APIError, and bounded
// retries of throttling, 5xx and transport errors.
//
// Why it exists: the SDK's DynamoDB and EventBridge clients cost a cold start
// more than the whole of callwire's own code. Their `schemas` and
// `internal/endpoints` packages run about 1 ms of package init between them
// (GODEBUG=inittrace=1 on the publish bootstrap: dynamodb/schemas 0.4-0.6 ms,
// eventbridge/schemas 0.26-0.34 ms, dynamodb/internal/endpoints 0.15-0.22 ms)
// and add 1.4 MB to the binary. Measured client for client (two bootstraps
// differing only in the client, functions/bench/variants: boot.AWS, both
// clients, a first invoke of one GetItem and one PutEvents on loopback; 11
// alternated samples each with a fresh emulator, load average 21-24 on 2
// cores, two runs): init 4.6-5.0 ms with the SDK's clients, 2.8-3.6 ms with
// these (hello-world 2.8-3.3); gain 1.4-1.8 ms of init and 1.6-2.0 ms from
// process start to first response. Re-measure with
// `go run ./functions/bench -only variants` (section "1b clients").
//
// It is the one client per service: a package that calls DynamoDB or
// EventBridge through it must not also link the SDK's client for that
// service, or the gain is gone. Request and response shapes are the
// service's own JSON (attribute values as {"S": "..."}), so callers declare
// the few fields they use.
//
// What it refuses: services of other protocols (query, rest-json, rest-xml),
// endpoint discovery, FIPS and dual-stack endpoint variants (a custom
// endpoint through AWS_ENDPOINT_URL_<SERVICE> serves those), and event
// streams.
package awsjson
