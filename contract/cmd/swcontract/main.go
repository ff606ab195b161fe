// Command swcontract checks recorded SignalWire "Retrieve a Call" exchanges
// against the pinned OpenAPI contract.
//
//	swcontract check [--format text|json|junit|github] [--fail-on error|warning] [--out FILE] PATH...
//	swcontract live [--sid SID ...] [--sample-recent N] [--format ...] [--secret-id ID]
//	swcontract record [--sid SID ...] [--sample-recent N] --out DIR
//	swcontract diff [--format text|json] OLD.yaml NEW.yaml
//
// Run "swcontract -h" for subcommands, flags and exit codes.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK    = 0 // every exchange passed
	exitFail  = 1 // at least one exchange failed
	exitUsage = 2 // usage error, or a file that cannot be read or parsed
)

const usage = `Usage: swcontract <command> [flags] PATH...

swcontract checks recorded SignalWire "Retrieve a Call" exchanges against the
pinned OpenAPI contract (retrieve-a-call.openapi.yaml).

Commands:
  check   check recordings (.json) and HAR files (.har)
  live    retrieve calls from SignalWire and check them
  record  retrieve calls from SignalWire and save them as redacted recordings
  diff    compare two OpenAPI documents on the retrieve-a-call response

Run "swcontract <command> -h" for the command's flags.

Exit codes:
  0  every exchange passed
  1  at least one exchange failed
  2  usage error, or a file could not be read or parsed
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "live":
		return runLive(args[1:], stdout, stderr, os.Getenv)
	case "record":
		return runRecord(args[1:], stdout, stderr, os.Getenv)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "swcontract: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
