package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/callwire/callwire/contract/report"
	"github.com/callwire/callwire/contract/specdiff"
)

const diffUsage = `Usage: swcontract diff [--format text|json|html|markdown] OLD.yaml NEW.yaml

Lists the changes between two OpenAPI 3 documents that matter to a client
reading the retrieve-a-call response, found by oasdiff's response rules:
required, type, format, enum, nullability and constraint changes, properties
added or removed, closed objects, documented statuses. Breaking is judged from
the reader's side: a property that became optional or was removed, a changed
type or format, an added enum value, null newly allowed.

Each line gives the severity (breaking, non-breaking or info), the kind, the
status and JSON Pointer, and what changed (coloured on a terminal unless
NO_COLOR is set). --format json adds the oasdiff rule; --format html writes
one self-contained page and --format markdown a pull-request comment or job
summary, both with the breaking changes first.

Exit codes:
  0  no breaking change
  1  at least one breaking change
  2  usage error, or a document that cannot be read, is not OpenAPI 3, or does
     not document the retrieve-a-call operation (the old one must)
`

func runDiff(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("diff", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	format := fset.String("format", "text", "text, json, html or markdown")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, diffUsage)
			return exitOK
		}
		return usageError(stderr, "diff", "%v", err)
	}
	if fset.NArg() != 2 {
		return usageError(stderr, "diff", "want OLD and NEW, got %d paths", fset.NArg())
	}
	f := *format
	if f == "text" && report.ColorFor(stdout, os.Getenv) {
		f = specdiff.FormatColorText
	}
	code, err := specdiff.Run(fset.Arg(0), fset.Arg(1), f, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
		return exitUsage
	}
	return code
}
