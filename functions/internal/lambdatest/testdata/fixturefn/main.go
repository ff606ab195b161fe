// Command fixturefn is a Lambda function for the harness's own tests. Its
// event says what to do: echo a value, return an error, sleep, panic or exit.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Echo    any    `json:"echo"`
	Fail    string `json:"fail"`
	SleepMS int    `json:"sleep_ms"`
	Panic   bool   `json:"panic"`
	Exit    int    `json:"exit"`
}

// fixtureError gives returned errors a stable errorType.
type fixtureError struct{ msg string }

func (e *fixtureError) Error() string { return e.msg }

func handle(_ context.Context, e event) (any, error) {
	fmt.Fprintf(os.Stderr, "fixturefn: invoke %+v\n", e)
	if e.SleepMS > 0 {
		// Overrun the deadline as a hung call would: returning when ctx ends
		// would race the emulator's own timeout, which the tests expect to win.
		time.Sleep(time.Duration(e.SleepMS) * time.Millisecond)
	}
	switch {
	case e.Panic:
		panic("fixturefn: panic requested")
	case e.Exit != 0:
		os.Exit(e.Exit)
	case e.Fail != "":
		return nil, &fixtureError{msg: e.Fail}
	}
	return map[string]any{"echo": e.Echo}, nil
}

func main() {
	if os.Getenv("FIXTUREFN_FAIL_INIT") != "" {
		fmt.Fprintln(os.Stderr, "fixturefn: init failed on request")
		os.Exit(1)
	}
	lambda.Start(handle)
}
