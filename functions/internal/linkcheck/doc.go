// Package linkcheck holds only a test: it fails when a Lambda function links
// a package that has no business in a Lambda binary, such as the contract
// tooling (recordings, redaction, reports, replay, spec comparison, the
// libopenapi build), the test harness (testkit, lambdatest), a loopback
// server (functions/internal/*server), a JSON Schema library, or the AWS
// SDK's shared-config, SSO and STS machinery. It also checks that, among
// the callwire packages the Lambdas link, each AWS service client is
// imported by its one adapter (functions/internal/<service>) and net/http
// only by packages that say why, functions/signalwire being the one that
// calls SignalWire.
//
// The Lambda functions are the main packages directly under functions/,
// other than the local runner and the bench, found by listing, so a new
// function is covered without a change here. Dependencies are listed as the
// deployment builds them: linux/arm64, CGO_ENABLED=0, -tags lambda.norpc.
package linkcheck
