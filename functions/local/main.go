// Command local runs a Lambda function of this module on this machine the way
// Lambda runs it: it builds the function's bootstrap with the deployment
// flags, starts it under the AWS Lambda Runtime Interface Emulator pinned in
// go.mod, invokes it with an event and prints the response.
//
// Usage:
//
//	go run ./functions/local [flags] [EVENT_FILE]
//	go tool local [flags] [EVENT_FILE]
//
// By default the function runs offline against a SignalWire replay server
// serving testdata/recordings and a Secrets Manager endpoint holding a demo
// secret (or the one -secret names), both on loopback. With -live it runs
// against the real secret named by SIGNALWIRE_SECRET_ID: the runner resolves
// your own AWS configuration (AWS_PROFILE, SSO included) and hands the
// function the resulting credentials and region as environment variables, as
// Lambda does. -env KEY=VALUE adds to the function's environment.
//
// Each function has a default event: getcall testdata/events/direct.json,
// driftcheck testdata/driftcheck/schedule.json, callback a completed status
// callback signed with the demo key (EVENT_FILE, a Function URL event, is
// sent as it is, never re-signed), any other function {}. With -function
// callback the runner also serves a loopback SQS queue for the function's
// hints and counts what was queued.
//
// With -pipeline the runner runs the event-driven chain offline: the callback
// function receives the callback (-n times, as SignalWire's retries would
// send it), its hints land on the loopback queue, the runner plays the event
// source mapping (receive a batch, invoke the publish function with it as an
// SQS event, delete what it did not report as failed), and the publish
// function puts its events on a loopback EventBridge bus, with a loopback
// DynamoDB table as its idempotency record. stdout then holds each published
// event, as EventBridge delivers it, one per line.
//
// stdout holds the function's response, one line per invoke, and nothing
// else. stderr holds a progress line for each step that takes a while
// (building the emulator, the first time, takes minutes) and one verdict
// line: the invokes, the runtime's init and the invoke durations, and the
// requests the function made. The emulator's and the function's logs are
// shown when the run fails, or with -v.
//
// Exit status: 0 when every invoke succeeded, 1 when the function returned an
// error (stdout then holds {"errorType","errorMessage"}), 2 when the runner
// itself failed or the command line is wrong (a one-line reason on stderr),
// 130 when interrupted by Ctrl-C (143 by SIGTERM, 129 by SIGHUP), after
// stopping everything it started. "go run" turns every
// failure into 1; "go tool local" passes the status through.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	// The runner listens for as long as it runs and never dies by a
	// signal: "go tool" forwards each signal it gets to the runner, so a
	// signal sent to the process group (timeout(1), CI runners) arrives
	// twice. The first one stops the run, which then stops what it started
	// and exits 128 plus the signal's number; later ones change nothing.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range sigs {
			cancel(signalError{sig})
		}
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel(nil)
	os.Exit(code)
}
