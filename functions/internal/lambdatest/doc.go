// Package lambdatest runs a Lambda binary locally the way Lambda runs it: it
// builds the binary with the deployment flags, starts it under the pinned AWS
// Lambda Runtime Interface Emulator (aws-lambda-rie) on loopback, invokes it
// over the emulator's HTTP API and reads the emulator's REPORT lines. Demo
// starts the offline world the functions talk to: a SignalWire replay server
// and a Secrets Manager endpoint holding the demo secret.
//
// The emulator runs only on Linux; elsewhere Start returns an error.
package lambdatest
