package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/report"
	"github.com/callwire/callwire/functions/signalwire"
	"github.com/callwire/callwire/functions/voice"
)

const liveUsage = `Usage: swcontract live [flags]

Retrieves calls from SignalWire and checks each exchange against the pinned
OpenAPI contract, like check does for recordings. The calls are the --sid
values and the --sample-recent most recent calls, without duplicates.

Credentials come from SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and
SIGNALWIRE_SPACE_URL, or from the Secrets Manager secret named by --secret-id
(JSON {"project_id", "api_token", "space_url"}, read with the AWS SDK's
default credentials chain). The space URL must be https (http only for a
loopback host).

Flags:
  --sid SID
        a Call SID (UUID) to check; repeat for more
  --sample-recent N
        also check the N most recent calls from List Calls, 0 to 1000
        (default 0: none)
  --format text|json|junit|github|html|markdown
        report format (default text); see "swcontract check -h"
  --fail-on error|warning
        lowest finding severity that fails an exchange (default error)
  --out FILE
        write the report to FILE instead of standard output
  --secret-id ID
        read the credentials from this Secrets Manager secret

Exit codes:
  0  every exchange passed: no finding at or above --fail-on
  1  at least one exchange failed
  2  usage error, missing or refused credentials, SignalWire unavailable
     (no answer, or 429/5xx after retries), or no call to check (List Calls
     returned none); no report is written
`

// sourceFlags say which calls to retrieve and with which credentials; live
// and record share them.
type sourceFlags struct {
	sids     []string
	sample   int
	secretID string
}

func (s *sourceFlags) register(fset *flag.FlagSet) {
	fset.Func("sid", "", func(v string) error {
		sid, err := voice.ParseSID(v)
		if err != nil {
			return errors.New("want a Call SID (UUID)")
		}
		s.sids = append(s.sids, sid)
		return nil
	})
	fset.Func("sample-recent", "", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return errors.New("want an integer from 0 to 1000")
		}
		s.sample = n
		return nil
	})
	fset.StringVar(&s.secretID, "secret-id", "", "")
}

// source retrieves exchanges from SignalWire through the one SignalWire
// adapter the functions use, with its host guard, retries and typed errors.
type source struct {
	client *signalwire.Client
}

// secretsAPI is the Secrets Manager call --secret-id needs.
type secretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// newSecretsAPI builds a Secrets Manager client from the standard AWS
// configuration (environment, shared config and SSO profiles); a variable so
// tests can serve the secret themselves.
var newSecretsAPI = func(ctx context.Context) (secretsAPI, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// source builds the SignalWire source from --secret-id or the environment.
// CALLWIRE_ALLOW_LOOPBACK=true lets the space be a loopback test server.
func (s *sourceFlags) source(ctx context.Context, getenv func(string) string) (*source, error) {
	var creds signalwire.Credentials
	var err error
	if s.secretID != "" {
		creds, err = secretCredentials(ctx, s.secretID)
	} else {
		creds, err = signalwire.CredentialsFromEnv(getenv)
	}
	if errors.Is(err, signalwire.ErrNoCredentials) {
		return nil, fmt.Errorf("%w: set %s, %s and %s, or pass --secret-id",
			err, signalwire.EnvProjectID, signalwire.EnvAPIToken, signalwire.EnvSpaceURL)
	}
	if err != nil {
		return nil, err
	}
	var opts []signalwire.Option
	if getenv(signalwire.EnvAllowLoopback) == "true" {
		opts = append(opts, signalwire.WithLoopback())
	}
	return &source{client: signalwire.NewClient(signalwire.NewStaticCredentials(creds), nil, opts...)}, nil
}

// secretCredentials reads and parses the secret with the adapter's one parser.
func secretCredentials(ctx context.Context, secretID string) (signalwire.Credentials, error) {
	api, err := newSecretsAPI(ctx)
	if err != nil {
		return signalwire.Credentials{}, err
	}
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	if err != nil {
		return signalwire.Credentials{}, fmt.Errorf("secret %s: %w", secretID, err)
	}
	if out.SecretString == nil {
		return signalwire.Credentials{}, fmt.Errorf("secret %s: no secret string", secretID)
	}
	return signalwire.ParseCredentials([]byte(*out.SecretString))
}

// getCall retrieves one call as an exchange, whatever its status, after the
// adapter's retries. A refused token is an error: nothing was retrieved.
func (s *source) getCall(ctx context.Context, sid string) (contract.Exchange, error) {
	resp, err := s.client.GetCallRaw(ctx, sid)
	if err != nil {
		return contract.Exchange{}, err
	}
	if st := resp.StatusCode; st == http.StatusUnauthorized || st == http.StatusForbidden {
		return contract.Exchange{}, fmt.Errorf("get call %s: SignalWire refused the credentials: HTTP %d", sid, st)
	}
	return contract.Exchange{Method: resp.Method, URL: resp.URL, Status: resp.StatusCode, Header: resp.Header, Body: resp.Body}, nil
}

// callSIDs returns the --sid values and then the sampled recent calls,
// without duplicates.
func (s *sourceFlags) callSIDs(ctx context.Context, src *source) ([]string, error) {
	sids := make([]string, 0, len(s.sids)+s.sample)
	seen := map[string]bool{}
	add := func(sid string) {
		if !seen[sid] {
			seen[sid] = true
			sids = append(sids, sid)
		}
	}
	for _, sid := range s.sids {
		add(sid)
	}
	if s.sample > 0 {
		listed, err := src.client.ListCallSIDs(ctx, s.sample)
		if err != nil {
			return nil, err
		}
		for _, sid := range listed {
			add(sid)
		}
	}
	return sids, nil
}

// parseFlags parses args, which must hold flags only. It returns ok false
// with the exit code when run should stop: after -h, or on a usage error.
func parseFlags(fset *flag.FlagSet, name, usage string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fset.SetOutput(io.Discard)
	err := fset.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK, false
	case err != nil:
		return usageError(stderr, name, "%v", err), false
	case fset.NArg() > 0:
		return usageError(stderr, name, "unexpected argument %q", contract.Truncate(fset.Arg(0), 40)), false
	}
	return 0, true
}

// runLive runs "swcontract live" and returns the exit code.
func runLive(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var src sourceFlags
	opts := checkOptions{format: "text", failOn: contract.SeverityError}
	fset := flag.NewFlagSet("live", flag.ContinueOnError)
	src.register(fset)
	opts.registerReport(fset)
	if code, ok := parseFlags(fset, "live", liveUsage, args, stdout, stderr); !ok {
		return code
	}
	if len(src.sids) == 0 && src.sample == 0 {
		return usageError(stderr, "live", "no calls to check: pass --sid or --sample-recent")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sw, err := src.source(ctx, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract live: %v\n", err)
		return exitUsage
	}
	sids, err := src.callSIDs(ctx, sw)
	if err != nil {
		fmt.Fprintf(stderr, "swcontract live: %v\n", err)
		return exitUsage
	}
	if len(sids) == 0 {
		fmt.Fprintf(stderr, "swcontract live: List Calls returned no calls; %s\n", report.NothingChecked)
		return exitUsage
	}
	v, err := contract.New()
	if err != nil {
		fmt.Fprintf(stderr, "swcontract live: %v\n", err)
		return exitUsage
	}
	report := &report.Report{
		Spec:    contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256},
		FailOn:  opts.failOn,
		Results: make([]report.FileResult, 0, len(sids)),
	}
	for _, sid := range sids {
		ex, err := sw.getCall(ctx, sid)
		if err == nil && (ex.Status == http.StatusTooManyRequests || ex.Status >= 500) {
			// Unavailability is operational, not drift: no verdict on the contract.
			err = fmt.Errorf("get call %s: SignalWire unavailable: HTTP %d after retries", sid, ex.Status)
		}
		if err != nil {
			fmt.Fprintf(stderr, "swcontract live: %v\n", err)
			return exitUsage
		}
		res := v.Check(ex)
		ex.Body = nil // only the result is kept
		report.Add(sid, ex, res)
	}
	if err := writeReport(report, opts.format, opts.out, stdout, getenv); err != nil {
		fmt.Fprintf(stderr, "swcontract: %v\n", err)
		return exitUsage
	}
	wroteReport(stderr, opts.out)
	if report.Failed(opts.failOn) {
		return exitFail
	}
	return exitOK
}

// writeReport writes the report in format to the file out, or to stdout
// when out is "" (coloured on a terminal; see report.ColorFor).
func writeReport(r *report.Report, format, out string, stdout io.Writer, getenv func(string) string) error {
	w, closeOut, err := openOut(out, stdout)
	if err != nil {
		return err
	}
	err = r.Write(format, w, out == "" && report.ColorFor(stdout, getenv))
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write report: %s", reason(err))
	}
	return nil
}
