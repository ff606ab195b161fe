package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/contract/report"
	"github.com/callwire/callwire/contract/specdiff"
)

const diffUsage = `Usage: swcontract diff [--format text|json|html|markdown] OLD NEW

Lists the changes between two OpenAPI 3 documents that matter to a client
reading the retrieve-a-call response, found by oasdiff's response rules:
required, type, format, enum, nullability and constraint changes, properties
added or removed, closed objects, documented statuses. Breaking is judged from
the reader's side: a property that became optional or was removed, a changed
type or format, an added enum value, null newly allowed. Wrappings that change
nothing a reader sees (an allOf of one schema, anyOf or oneOf with null) are
compared as what they wrap.

OLD and NEW are files or https:// URLs (such as SignalWire's published
document). A URL is fetched with the same limits as a file: at most 8 MiB,
within 30 seconds, at most 3 redirects, https only, no credentials in the URL.

Each line gives the severity (breaking, non-breaking or info), the kind, the
status and JSON Pointer, and what changed (coloured on a terminal unless
NO_COLOR is set). --format json adds the oasdiff rule; --format html writes
one self-contained page and --format markdown a pull-request comment or job
summary, both with the breaking changes first.

Exit codes:
  0  no breaking change
  1  at least one breaking change
  2  usage error, or a document that cannot be read or fetched, is not
     OpenAPI 3, or does not document the retrieve-a-call operation (the old
     one must)
`

// Limits of a document fetched by URL.
const (
	diffFetchTimeout = 30 * time.Second
	diffMaxRedirects = 3
)

func runDiff(args []string, stdout, stderr io.Writer) int {
	return runDiffWith(&http.Client{Transport: http.DefaultTransport}, args, stdout, stderr)
}

// runDiffWith is runDiff fetching URLs through hc's transport.
func runDiffWith(hc *http.Client, args []string, stdout, stderr io.Writer) int {
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
	if !isURL(fset.Arg(0)) && !isURL(fset.Arg(1)) {
		code, err := specdiff.Run(fset.Arg(0), fset.Arg(1), f, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
			return exitUsage
		}
		return code
	}
	var names [2]string
	var docs [2][]byte
	for i := range 2 {
		arg := fset.Arg(i)
		if !isURL(arg) {
			b, err := specdiff.ReadFile(arg)
			if err != nil {
				fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
				return exitUsage
			}
			names[i], docs[i] = arg, b
			continue
		}
		u, err := checkDiffURL(arg)
		if err != nil {
			return usageError(stderr, "diff", "%s", err)
		}
		names[i] = u.Redacted()
		if docs[i], err = fetchSpec(hc, u); err != nil {
			fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
			return exitUsage
		}
	}
	code, err := specdiff.RunBytes(names[0], docs[0], names[1], docs[1], f, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract diff: %v\n", err)
		return exitUsage
	}
	return code
}

// isURL reports whether arg names a document by URL rather than a file.
func isURL(arg string) bool {
	return strings.Contains(arg, "://")
}

// checkDiffURL accepts an https URL without credentials.
func checkDiffURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("a document URL does not parse")
	case u.Scheme != "https":
		return nil, fmt.Errorf("%s: only https:// URLs are fetched", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("%s: a document URL must not carry credentials", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("%s: the URL names no host", u.Redacted())
	}
	return u, nil
}

// fetchSpec gets a document over https with the limits of a file.
func fetchSpec(hc *http.Client, u *url.URL) ([]byte, error) {
	c := *hc
	c.Timeout = diffFetchTimeout
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= diffMaxRedirects {
			return fmt.Errorf("more than %d redirects", diffMaxRedirects)
		}
		if req.URL.Scheme != "https" {
			return errors.New("a redirect leaves https")
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), diffFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: "cannot be requested", Err: err}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: "cannot be fetched: " + fetchProblem(err), Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: "answered HTTP " + strconv.Itoa(resp.StatusCode)}
	}
	if resp.ContentLength > specdiff.MaxSpecSize {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: fmt.Sprintf("is larger than %d bytes", specdiff.MaxSpecSize)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, specdiff.MaxSpecSize+1))
	if err != nil {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: "cannot be read: " + fetchProblem(err), Err: err}
	}
	if len(b) > specdiff.MaxSpecSize {
		return nil, &specdiff.DocumentError{Name: u.Redacted(), Problem: fmt.Sprintf("is larger than %d bytes", specdiff.MaxSpecSize)}
	}
	return b, nil
}

// fetchProblem says why a fetch failed without the URL again.
func fetchProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		return ue.Err.Error()
	}
	return err.Error()
}
