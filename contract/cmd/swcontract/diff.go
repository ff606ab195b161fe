package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/callwire/callwire/contract/specdiff"
)

const diffUsage = `Usage: swcontract diff [--format text|json] OLD.yaml NEW.yaml

Lists the changes between two OpenAPI documents that matter to a client reading
the retrieve-a-call response: required, type, enum, nullability and format
changes, closed objects, documented statuses. Breaking is judged from the
reader's side: a property that became optional or was removed, a changed type
or format, an added enum value, null newly allowed.

Exit codes:
  0  no breaking change
  1  at least one breaking change
  2  usage error, or a document could not be read or parsed
`

func runDiff(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("diff", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	format := fset.String("format", "text", "text or json")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, diffUsage)
			return exitOK
		}
		fmt.Fprintf(stderr, "swcontract diff: %v\n\n%s", err, diffUsage)
		return exitUsage
	}
	if fset.NArg() != 2 {
		fmt.Fprintf(stderr, "swcontract diff: want OLD and NEW, got %d paths\n\n%s", fset.NArg(), diffUsage)
		return exitUsage
	}
	code, err := specdiff.Run(fset.Arg(0), fset.Arg(1), *format, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
		return exitUsage
	}
	return code
}
