// Command swcontract checks recorded SignalWire "Retrieve a Call" exchanges
// against the pinned OpenAPI contract.
//
//	swcontract check [--format text|json|junit|github|html|markdown] [--fail-on error|warning] [--out FILE] PATH...
//	swcontract live [--sid SID ...] [--sample-recent N] [--format ...] [--secret-id ID]
//	swcontract record [--sid SID ...] [--sample-recent N] --out DIR
//	swcontract diff [--format text|json|html|markdown] OLD.yaml NEW.yaml
//	swcontract version
//
// Run "swcontract -h" for subcommands, flags and exit codes. From a clone,
// "go tool swcontract" runs it with its exit codes intact ("go run" turns
// every failure into exit 1).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/suggest"
)

// Exit codes.
const (
	exitOK    = 0 // every exchange passed
	exitFail  = 1 // at least one exchange failed
	exitUsage = 2 // usage error, or an input that could not be used
)

const usage = `Usage: swcontract <command> [flags] PATH...

swcontract checks recorded SignalWire "Retrieve a Call" exchanges against the
pinned OpenAPI contract (retrieve-a-call.openapi.yaml).

Commands:
  check   check recordings (.json) and HAR files (.har)
  live    retrieve calls from SignalWire and check them
  record  retrieve calls from SignalWire and save them as redacted recordings
  diff    compare two OpenAPI documents on the retrieve-a-call response
  version print the build and the pinned spec's SHA-256 (also --version)

Run "swcontract <command> -h" for the command's flags.

Exit codes:
  0  every exchange passed
  1  at least one exchange failed
  2  usage error, or an input that could not be used: a file that cannot be
     read or parsed, or nothing to check
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit code. stdin is
// read only by "check -".
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "", "no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "-version", "--version", "version":
		writeVersion(stdout)
		return exitOK
	case "check":
		return runCheck(args[1:], stdin, stdout, stderr)
	case "live":
		return runLive(args[1:], stdout, stderr, os.Getenv)
	case "record":
		return runRecord(args[1:], stdout, stderr, os.Getenv)
	case "diff":
		return runDiff(args[1:], stdout, stderr)
	}
	if guess := suggest.Closest(args[0], commands); guess != "" {
		return usageError(stderr, "", "unknown command %q (did you mean %s?)", contract.Truncate(args[0], 40), guess)
	}
	return usageError(stderr, "", "unknown command %q", contract.Truncate(args[0], 40))
}

// commands are swcontract's subcommands, for "did you mean".
var commands = []string{"check", "diff", "live", "record", "version", "help"}

// usageError writes a usage error as one line, followed by where to find
// help, and returns exitUsage. cmd is the subcommand, or "" for swcontract
// itself.
func usageError(stderr io.Writer, cmd, format string, a ...any) int {
	name := "swcontract"
	if cmd != "" {
		name += " " + cmd
	}
	fmt.Fprintf(stderr, "%s: %s\nrun '%s -h' for help\n", name, fmt.Sprintf(format, a...), name)
	return exitUsage
}
