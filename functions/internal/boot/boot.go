// Package boot builds, once per cold start, what every callwire function
// needs: the settings every function reads from its environment (Settings),
// the AWS configuration its AWS clients share (AWS), and the Secrets Manager
// source and SignalWire client that reads its credentials from it (Clients).
//
// AWS reads the environment Lambda gives a function and nothing else:
// region, environment or container credentials, and endpoint overrides. It
// does not use config.LoadDefaultConfig, whose shared-config, SSO and STS
// machinery costs milliseconds of every cold start and is never used inside
// Lambda. Every AWS client of a function is built from its result the same
// way, and picks up its own AWS_ENDPOINT_URL_<SERVICE>:
//
//	awsCfg, err := boot.AWS(getenv)
//	if err != nil {
//		return nil, err
//	}
//	sm := secretsmanager.NewFromConfig(awsCfg) // AWS_ENDPOINT_URL_SECRETS_MANAGER
//	q := sqs.NewFromConfig(awsCfg)             // AWS_ENDPOINT_URL_SQS
//	bus := eventbridge.NewFromConfig(awsCfg)   // AWS_ENDPOINT_URL_EVENTBRIDGE
//	db := dynamodb.NewFromConfig(awsCfg)       // AWS_ENDPOINT_URL_DYNAMODB
//
// Like every package below main, boot reads the environment only through the
// getenv it is given.
package boot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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

// LoadSettings reads the settings through getenv and returns every problem.
func LoadSettings(getenv func(string) string) (Settings, []error) {
	s := Settings{CacheTTL: DefaultCacheTTL, StaleTTL: DefaultStaleTTL, FunctionName: getenv("AWS_LAMBDA_FUNCTION_NAME")}
	var errs []error
	// The name is spelled out (it is signalwire.EnvAllowLoopback) so the
	// deploy tests can read which variables the functions use.
	switch v := getenv("CALLWIRE_ALLOW_LOOPBACK"); v {
	case "", "false":
	case "true":
		s.AllowLoopback = true
	default:
		errs = append(errs, fmt.Errorf("%s %q must be true or false", signalwire.EnvAllowLoopback, v))
	}
	s.SecretID = strings.TrimSpace(getenv("SIGNALWIRE_SECRET_ID"))
	if s.SecretID == "" {
		errs = append(errs, errors.New("SIGNALWIRE_SECRET_ID is required (name or ARN of the SignalWire secret)"))
	}
	if v := getenv("SECRET_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < MinCacheTTL {
			errs = append(errs, fmt.Errorf("SECRET_CACHE_TTL %q is not a duration of at least %v such as 5m", v, MinCacheTTL))
		}
		s.CacheTTL = d
	}
	if v := getenv("SECRET_STALE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > MaxStaleTTL {
			errs = append(errs, fmt.Errorf("SECRET_STALE_TTL %q is not a duration from 0 to %v such as 1h", v, MaxStaleTTL))
		}
		s.StaleTTL = d
	}
	return s, errs
}

// Clients returns the secret source (a Secrets Manager client built from
// awsCfg, caching for s.CacheTTL) and a SignalWire client whose credentials
// are the secret s.SecretID, built with opts (such as signalwire.WithRetry).
func Clients(awsCfg aws.Config, s Settings, opts ...signalwire.Option) (*secrets.Source, *signalwire.Client) {
	src := Secrets(awsCfg, s)
	return src, Client(src, s, opts...)
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
//
// Its Secrets Manager client makes one attempt per call: the source's
// backoff after a failure is the one retry policy, so a GetSecretValue the
// source allows is one request, and a throttled Secrets Manager is not sent
// the SDK's retries on top.
func Secrets(awsCfg aws.Config, s Settings, opts ...secrets.Option) *secrets.Source {
	opts = append([]secrets.Option{secrets.WithStaleTTL(s.StaleTTL)}, opts...)
	api := secretsmanager.NewFromConfig(awsCfg, func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	return secrets.NewSource(api, s.CacheTTL, opts...)
}
