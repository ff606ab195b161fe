package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go/logging"
)

// liveResolveTimeout bounds resolving the user's AWS credentials: reading
// the profile, an SSO or STS round trip, or instance metadata that is not
// there.
const liveResolveTimeout = 20 * time.Second

// liveEnv checks up front what -live needs and returns the function's
// environment. The function reads only environment credentials, as it does
// in Lambda, so the runner resolves the user's own AWS configuration
// (AWS_PROFILE, SSO, credential_process, environment keys: the SDK's default
// chain) and hands it the resulting credentials and region.
//
// environ is the runner's environment, which the SDK also reads. The result
// is environ without its AWS_ variables except the endpoint overrides that
// are set (AWS_ENDPOINT_URL*, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), followed by
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (when there is
// one) and AWS_REGION. The error names every missing piece and what to set,
// in one line; it never holds credentials.
func liveEnv(ctx context.Context, environ []string) ([]string, error) {
	getenv := lookupIn(environ)
	var missing []string
	if strings.TrimSpace(getenv("SIGNALWIRE_SECRET_ID")) == "" {
		missing = append(missing, "SIGNALWIRE_SECRET_ID: the name or ARN of the SignalWire secret")
	}
	ctx, cancel := context.WithTimeout(ctx, liveResolveTimeout)
	defer cancel()
	// The SDK's own log (an IMDS fallback warning) is not for this user.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
	if err != nil {
		missing = append(missing, "AWS credentials: "+describeConfigError(err))
		return nil, liveError(missing)
	}
	profile := sharedProfile(cfg)
	var creds aws.Credentials
	if cfg.Credentials == nil {
		err = errors.New("no credentials provider")
	} else {
		creds, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		missing = append(missing, "AWS credentials: "+describeCredentialsError(err, profile, getenv("AWS_PROFILE") != ""))
	}
	if cfg.Region == "" {
		where := "AWS_REGION"
		if profile.name != "" {
			where += fmt.Sprintf(", or region in profile %q", profile.name)
		}
		missing = append(missing, "an AWS region: set "+where)
	}
	if len(missing) > 0 {
		return nil, liveError(missing)
	}

	env := make([]string, 0, len(environ)+4)
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "AWS_") ||
			value != "" && (strings.HasPrefix(name, "AWS_ENDPOINT_URL") || name == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID="+creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
		"AWS_REGION="+cfg.Region,
	)
	if creds.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+creds.SessionToken)
	}
	return env, nil
}

// liveError is the one-line reason -live cannot start.
func liveError(missing []string) error {
	return errors.New("-live needs " + strings.Join(missing, "; "))
}

// profileInfo is what the messages say about the profile in use.
type profileInfo struct {
	name string
	sso  bool
}

// sharedProfile finds the profile the SDK loaded among cfg's sources.
func sharedProfile(cfg aws.Config) profileInfo {
	for _, src := range cfg.ConfigSources {
		var sc config.SharedConfig
		switch v := src.(type) {
		case config.SharedConfig:
			sc = v
		case *config.SharedConfig:
			sc = *v
		default:
			continue
		}
		return profileInfo{name: sc.Profile, sso: sc.SSOSessionName != "" || sc.SSOStartURL != ""}
	}
	return profileInfo{}
}

// describeConfigError says what to fix when the AWS configuration could not
// be loaded at all.
func describeConfigError(err error) string {
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		return fmt.Sprintf("profile %q (AWS_PROFILE) is not in the AWS config or credentials file; set AWS_PROFILE to a configured profile", notExist.Profile)
	}
	return "the AWS configuration could not be read: " + strings.Join(strings.Fields(err.Error()), " ")
}

// describeCredentialsError says what to do when the default chain found no
// credentials. It leaves out the SDK's chain of causes, which ends in
// instance metadata that a workstation does not have; the AWS CLI shows the
// details for the same profile.
func describeCredentialsError(err error, p profileInfo, profileSet bool) string {
	var invalidToken *ssocreds.InvalidTokenError
	switch {
	case errors.As(err, &invalidToken):
		return fmt.Sprintf("the SSO session of profile %q has expired or was never started: run aws sso login --profile %s", p.name, p.name)
	case p.sso:
		return fmt.Sprintf("SSO profile %q gave none: run aws sso login --profile %s", p.name, p.name)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("none found within %s: set AWS_PROFILE to a configured profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", liveResolveTimeout)
	case profileSet:
		return fmt.Sprintf("profile %q gave none (aws sts get-caller-identity --profile %s shows why)", p.name, p.name)
	default:
		return "none found: set AWS_PROFILE to a configured profile (for SSO, run aws sso login --profile NAME first), " +
			"or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	}
}

// lookupIn returns a getenv over environ; the last setting of a name wins.
func lookupIn(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}
