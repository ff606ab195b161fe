package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/redact"
)

const recordUsage = `Usage: swcontract record --out DIR [flags]

Retrieves calls from SignalWire and saves each exchange as a recording
(DIR/<sid>.json), redacted: no Authorization or other credential headers,
phone numbers replaced by fakes in the 555-01xx range, account and
phone-number SIDs replaced by fakes of the same shape. A redacted recording
gives the same contract findings as the live exchange ("swcontract check DIR").
The calls are the --sid values and the --sample-recent most recent calls.
Credentials as for "swcontract live".

Flags:
  --out DIR
        directory for the recordings (created if missing); required
  --sid SID
        a Call SID (UUID) to record; repeat for more
  --sample-recent N
        also record the N most recent calls from List Calls, 0 to 1000
        (default 0: none)
  --key-file FILE
        redaction key (at least 16 bytes), so fakes stay the same across
        runs; default a random key per run
  --force
        overwrite existing recordings
  --secret-id ID
        read the credentials from this Secrets Manager secret

Exit codes:
  0  every call was recorded
  2  usage error, missing or refused credentials, SignalWire unavailable, or
     a recording that exists (without --force) or cannot be written
`

// recordSource is the source of every recording swcontract record writes.
const recordSource = "recorded by swcontract record"

// minKeySize is the shortest redaction key accepted from --key-file.
const minKeySize = 16

// runRecord runs "swcontract record" and returns the exit code.
func runRecord(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var (
		src     sourceFlags
		out     string
		keyFile string
		force   bool
	)
	fset := flag.NewFlagSet("record", flag.ContinueOnError)
	src.register(fset)
	fset.StringVar(&out, "out", "", "")
	fset.StringVar(&keyFile, "key-file", "", "")
	fset.BoolVar(&force, "force", false, "")
	if code, ok := parseFlags(fset, "record", recordUsage, args, stdout, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "swcontract record: "+format+"\n", a...)
		return exitUsage
	}
	if out == "" {
		return usageError(stderr, "record", "--out DIR is required")
	}
	if len(src.sids) == 0 && src.sample == 0 {
		return usageError(stderr, "record", "no calls to record: pass --sid or --sample-recent")
	}
	key, err := redactionKey(keyFile)
	if err != nil {
		return fail("%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sw, err := src.source(ctx, getenv)
	if err != nil {
		return fail("%v", err)
	}
	sids, err := src.callSIDs(ctx, sw)
	if err != nil {
		return fail("%v", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fail("%s: %s", out, reason(err))
	}
	if !force {
		for _, sid := range sids {
			path := filepath.Join(out, sid+".json")
			if _, err := os.Lstat(path); err == nil {
				return fail("%s exists; pass --force to overwrite", path)
			}
		}
	}
	for _, sid := range sids {
		ex, err := sw.getCall(ctx, sid)
		if err != nil {
			return fail("%v", err)
		}
		rec, err := redact.Redact(recordingOf(ex, time.Now()), key)
		if err != nil {
			return fail("%s: %v", sid, err)
		}
		path := filepath.Join(out, sid+".json")
		if err := writeRecording(path, rec, force); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "%s: HTTP %d\n", path, ex.Status)
	}
	fmt.Fprintf(stdout, "recorded %d calls in %s\n", len(sids), out)
	return exitOK
}

// redactionKey reads the key from path, or makes a random one when path is "".
func redactionKey(path string) ([]byte, error) {
	if path == "" {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("random key: %w", err)
		}
		return key, nil
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key-file %s: %s", path, reason(err))
	}
	key = bytes.TrimSpace(key)
	if len(key) < minKeySize {
		return nil, fmt.Errorf("--key-file %s: key shorter than %d bytes", path, minKeySize)
	}
	return key, nil
}

// volatileHeaders are response headers a recording leaves out: per
// connection, or (Date) the same as recorded_at.
var volatileHeaders = []string{"Date", "Connection", "Keep-Alive", "Transfer-Encoding"}

// recordingOf turns a live exchange into a recording, before redaction. The
// request keeps only its Accept header: the Authorization header never
// reaches the exchange.
func recordingOf(ex contract.Exchange, now time.Time) *recording.Recording {
	header := ex.Header.Clone()
	for _, h := range volatileHeaders {
		header.Del(h)
	}
	rec := &recording.Recording{
		Request: recording.RecordedRequest{
			Method:  ex.Method,
			URL:     ex.URL,
			Headers: http.Header{"Accept": {"application/json"}},
		},
		Response: recording.RecordedResponse{
			Status:  ex.Status,
			Headers: header,
		},
		RecordedAt: now.UTC().Format(time.RFC3339),
		Source:     recordSource,
	}
	switch {
	case len(bytes.TrimSpace(ex.Body)) > 0 && json.Valid(ex.Body):
		rec.Response.Body = json.RawMessage(bytes.Clone(ex.Body))
	case len(ex.Body) > 0:
		s := string(ex.Body)
		rec.Response.BodyText = &s
	}
	return rec
}

// writeRecording writes rec as indented JSON to path; without force an
// existing file is an error.
func writeRecording(path string, rec *recording.Recording, force bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !force {
		flags |= os.O_EXCL
	}
	file, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; pass --force to overwrite", path)
	}
	if err != nil {
		return fmt.Errorf("%s: %s", path, reason(err))
	}
	_, err = file.Write(buf.Bytes())
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %s", path, reason(err))
	}
	return nil
}
