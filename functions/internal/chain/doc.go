// Package chain holds only a test: the whole call-event chain run against
// moto, an AWS implementation nobody here wrote. The callback, publish and
// sweep binaries, built with the deployment flags, run under the Lambda
// Runtime Interface Emulator with the real AWS SDK pointed at moto for SQS,
// DynamoDB and EventBridge, and at the loopback demo for Secrets Manager and
// SignalWire: a signed status callback is queued, published once, routed by
// an EventBridge rule to a target queue, and the sweep queues the other
// finished calls, which publish then publishes once each. Without
// CALLWIRE_MOTO_URL the test skips.
package chain
