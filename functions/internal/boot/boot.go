// Package boot builds, once per cold start, what every callwire function
// needs: the settings every function reads from its environment (Settings,
// declared by Vars), the AWS configuration its AWS clients share (AWS), the
// Secrets Manager source (Secrets) and the SignalWire client that reads its
// credentials from it (Client); Start joins them with the metrics writer
// and the bounded logger.
//
// AWS reads the environment Lambda gives a function and nothing else:
// region, environment or container credentials, and endpoint overrides. It
// does not use config.LoadDefaultConfig, whose shared-config, SSO and STS
// machinery costs milliseconds of every cold start and is never used inside
// Lambda. Every AWS client of a function is built from its result by the
// one package of its service, and picks up its own
// AWS_ENDPOINT_URL_<SERVICE>:
//
//	awsCfg, err := boot.AWS(getenv)
//	if err != nil {
//		return nil, err
//	}
//	src := secrets.New(awsCfg, ttl)             // AWS_ENDPOINT_URL_SECRETS_MANAGER
//	q := queue.NewSender(awsCfg, queueURL)      // AWS_ENDPOINT_URL_SQS
//	bus := events.New(awsCfg, busName, source)  // AWS_ENDPOINT_URL_EVENTBRIDGE
//	db := idempotency.New(awsCfg, table)        // AWS_ENDPOINT_URL_DYNAMODB
//
// Like every package below main, boot reads the environment only through the
// getenv it is given.
package boot

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/logcap"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

// DefaultCacheTTL is how long a secret is served from memory when
// SECRET_CACHE_TTL is not set.
const DefaultCacheTTL = 5 * time.Minute

// MinCacheTTL is the shortest SECRET_CACHE_TTL accepted (secrets.MinTTL):
// 0, which once meant "no cache", is refused, since it made every read a
// Secrets Manager call.
const MinCacheTTL = secrets.MinTTL

// DefaultStaleTTL is SECRET_STALE_TTL when it is not set
// (secrets.DefaultStaleTTL, one hour; its reasons are there).
const DefaultStaleTTL = secrets.DefaultStaleTTL

// MaxStaleTTL is the longest SECRET_STALE_TTL accepted: a day. Past it, a
// secret changed during an outage (a reset signing key or a revoked token)
// would go unseen for longer than anyone would notice the outage.
const MaxStaleTTL = 24 * time.Hour

// Settings are what every function reads from its environment.
type Settings struct {
	// SecretID is SIGNALWIRE_SECRET_ID: the name or ARN of the secret.
	SecretID string
	// CacheTTL is SECRET_CACHE_TTL: how long the secret is served from
	// memory, at least MinCacheTTL.
	CacheTTL time.Duration
	// StaleTTL is SECRET_STALE_TTL: how long past CacheTTL the last good
	// secret keeps serving while Secrets Manager is throttling or
	// unavailable (0 to MaxStaleTTL; 0 serves nothing stale).
	StaleTTL time.Duration
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME, set by the runtime (and the
	// emulator): the metrics' FunctionName dimension.
	FunctionName string
	// AllowLoopback is CALLWIRE_ALLOW_LOOPBACK=true: the secret's space_url
	// may name a plain-http loopback server. Only the local runner and tests
	// set it; the deployed template never does (a test checks).
	AllowLoopback bool
}

// Vars declares the settings every function reads, bound to s, followed by
// the AWS variables (AWSVars) of the services named, Secrets Manager
// always among them.
func Vars(s *Settings, serviceIDs ...string) env.Table {
	return append(env.Table{
		env.Require(env.String(&s.SecretID, "SIGNALWIRE_SECRET_ID", "", "name or ARN of the secret holding `{\"project_id\": \"<uuid>\", \"api_token\": \"<token>\", \"space_url\": \"example.signalwire.com\"}` (the callback's also `signing_key`)")),
		env.Duration(&s.CacheTTL, "SECRET_CACHE_TTL", "5m", "how long a fetched secret is reused; at least `1s` (`0` is refused: it made every read a Secrets Manager call)",
			func(d time.Duration) error {
				if d < MinCacheTTL {
					return fmt.Errorf("is not a duration of at least %v such as 5m", MinCacheTTL)
				}
				return nil
			}),
		env.Duration(&s.StaleTTL, "SECRET_STALE_TTL", "1h", "how long past `SECRET_CACHE_TTL` the last good secret keeps serving while Secrets Manager throttles or fails (`0` to `24h`; `0`: never)",
			func(d time.Duration) error {
				if d < 0 || d > MaxStaleTTL {
					return fmt.Errorf("is not a duration from 0 to %v such as 1h", MaxStaleTTL)
				}
				return nil
			}),
		env.Func(signalwire.EnvAllowLoopback, "", "`true` lets the secret's `space_url` name a plain-http loopback server (the local runner and tests only; the template never sets it)",
			func(v string) error {
				switch v {
				case "false":
					s.AllowLoopback = false
				case "true":
					s.AllowLoopback = true
				default:
					return errors.New("must be true or false")
				}
				return nil
			}),
		env.Runtime(env.String(&s.FunctionName, "AWS_LAMBDA_FUNCTION_NAME", "", "the deployed function's name (set by Lambda): the metrics' FunctionName dimension")),
	}, AWSVars(append([]string{"Secrets Manager"}, serviceIDs...)...)...)
}

// Client returns a SignalWire client whose credentials are the secret
// s.SecretID read through src, built with opts (such as signalwire.WithRetry).
func Client(src *secrets.Source, s Settings, opts ...signalwire.Option) *signalwire.Client {
	if s.AllowLoopback {
		opts = append(opts, signalwire.WithLoopback())
	}
	return signalwire.NewClient(signalwire.NewSecretCredentials(src, s.SecretID), signalwire.NewHTTPClient(), opts...)
}

// Secrets returns the secret source (caching for s.CacheTTL, serving the
// last good value for s.StaleTTL more during an outage); opts configure it
// further, such as secrets.WithStaleHook to count stale serves.
// Its Secrets Manager client makes one attempt per call (secrets.New).
func Secrets(awsCfg aws.Config, s Settings, opts ...secrets.Option) *secrets.Source {
	opts = append([]secrets.Option{secrets.WithStaleTTL(s.StaleTTL)}, opts...)
	return secrets.New(awsCfg, s.CacheTTL, opts...)
}

// StaleCounter is the secrets option every function's source gets: it
// emits SecretStaleServes, with dims, each time the last good secret is
// served past its TTL because Secrets Manager could not be read.
func StaleCounter(w *emf.Writer, dims map[string]string) secrets.Option {
	return secrets.WithStaleHook(func(string, time.Duration) {
		_ = w.Emit(dims, emf.Value{Name: emf.SecretStaleServes, Unit: emf.Count, Value: 1})
	})
}

// Runtime is what a function's New builds, after loading its configuration,
// before its own clients: the AWS configuration, the metrics writer, the
// secret source and the logger.
type Runtime struct {
	AWS     aws.Config
	Metrics *emf.Writer
	Secrets *secrets.Source
	Log     *slog.Logger
}

// Start builds the Runtime of the function named function (the metrics'
// Function dimension) from getenv and s: the AWS configuration (AWS), an EMF
// writer on stdout refusing any metric not in metrics, the secret source
// (Secrets) counting stale serves (StaleCounter) and configured further by
// opts, and a JSON logger with the request id whose lines are bounded
// (logcap).
func Start(getenv func(string) string, function string, s Settings, metrics []emf.Metric, opts ...secrets.Option) (Runtime, error) {
	awsCfg, err := AWS(getenv)
	if err != nil {
		return Runtime{}, err
	}
	w := emf.NewWriter(os.Stdout, metrics)
	opts = append([]secrets.Option{StaleCounter(w, emf.Dimensions(function, s.FunctionName))}, opts...)
	return Runtime{
		AWS:     awsCfg,
		Metrics: w,
		Secrets: Secrets(awsCfg, s, opts...),
		Log:     slog.New(logcap.New(lambdacontext.NewLogHandler())),
	}, nil
}
