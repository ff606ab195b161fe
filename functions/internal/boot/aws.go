package boot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"

	"github.com/callwire/callwire/functions/internal/env"
	"github.com/callwire/callwire/functions/internal/sdkhttp"
)

// The environment variables AWS reads, by their AWS names.
const (
	envRegion          = "AWS_REGION"
	envDefaultRegion   = "AWS_DEFAULT_REGION"
	envAccessKeyID     = "AWS_ACCESS_KEY_ID"
	envSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	envSessionToken    = "AWS_SESSION_TOKEN"
	envContainerFull   = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	envContainerRel    = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
	envContainerToken  = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	envContainerFile   = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
	envEndpointURL     = "AWS_ENDPOINT_URL"
	envIgnoreEndpoints = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// ecsCredentialsHost is where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI points.
const ecsCredentialsHost = "http://169.254.170.2"

// containerExpiryWindow refreshes container credentials this long before
// they expire, as the SDK's own configuration does.
const containerExpiryWindow = 5 * time.Minute

// AWS returns the configuration every AWS client of a function is built
// from, read through getenv:
//
//   - the region from AWS_REGION, else AWS_DEFAULT_REGION;
//   - credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN (what Lambda sets), else from the container
//     credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//     AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN
//     or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE), cached;
//   - endpoints from AWS_ENDPOINT_URL_<SERVICE> (the service ID in upper case,
//     spaces as underscores: SECRETS_MANAGER, SQS, EVENTBRIDGE, DYNAMODB),
//     else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
//     true. Each client built with <service>.NewFromConfig picks its own.
//
// Nothing else is read: no shared config or credentials files, profiles,
// SSO, web identity or instance metadata. The error lists every problem.
func AWS(getenv func(string) string) (aws.Config, error) {
	var errs []string
	region := strings.TrimSpace(getenv(envRegion))
	if region == "" {
		region = strings.TrimSpace(getenv(envDefaultRegion))
	}
	if region == "" {
		errs = append(errs, "no region: set AWS_REGION (Lambda sets it) or AWS_DEFAULT_REGION")
	}
	creds, err := credentialsFromEnv(getenv)
	if err != nil {
		errs = append(errs, err.Error())
	}
	ignore, err := ignoreEndpoints(getenv)
	if err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return aws.Config{}, fmt.Errorf("boot: AWS configuration: %s", strings.Join(errs, "; "))
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: creds,
		// The SDK's client, with request bodies net/http reads only
		// through Read: see sdkhttp.
		HTTPClient: sdkhttp.New(),
		// Service clients ask the values here for their endpoint.
		ConfigSources: []any{endpointSource{getenv: getenv, ignore: ignore}},
	}
	if u := getenv(envEndpointURL); u != "" && !ignore {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg, nil
}

// credentialsFromEnv returns the credentials provider the environment names.
func credentialsFromEnv(getenv func(string) string) (aws.CredentialsProvider, error) {
	id, secret := getenv(envAccessKeyID), getenv(envSecretAccessKey)
	switch {
	case id != "" && secret != "":
		static := credentials.NewStaticCredentialsProvider(id, secret, getenv(envSessionToken))
		return aws.NewCredentialsCache(static), nil
	case id != "" || secret != "":
		return nil, errors.New("credentials: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
	}
	var endpoint string
	if rel := getenv(envContainerRel); rel != "" {
		endpoint = ecsCredentialsHost + rel
	} else if full := getenv(envContainerFull); full != "" {
		if err := checkContainerURL(full); err != nil {
			return nil, err
		}
		endpoint = full
	} else {
		return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them), " +
			"or AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
	}
	token, tokenFile := getenv(envContainerToken), getenv(envContainerFile)
	provider := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = token
		if tokenFile != "" {
			// Read on every retrieval: the file is rotated under the process.
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(tokenFile)
				if err != nil {
					return "", fmt.Errorf("%s: %w", envContainerFile, err)
				}
				return strings.TrimSpace(string(b)), nil
			})
		}
	})
	return aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = containerExpiryWindow
	}), nil
}

// checkContainerURL accepts what the SDK accepts for
// AWS_CONTAINER_CREDENTIALS_FULL_URI: https to any host, plain http only to
// loopback or the ECS and EKS credential addresses, since the request
// carries the authorization token. Host names other than localhost are not
// resolved here; give an address.
func checkContainerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("credentials: %s is not an http or https URL", envContainerFull)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	allowed := ip != nil && (ip.IsLoopback() || ip.Equal(net.IPv4(169, 254, 170, 2)) ||
		ip.Equal(net.IPv4(169, 254, 170, 23)) || ip.Equal(net.ParseIP("fd00:ec2::23")))
	if !allowed {
		return fmt.Errorf("credentials: %s %s: plain http is allowed only to a loopback address or the ECS or EKS credential address",
			envContainerFull, u.Redacted())
	}
	return nil
}

// ignoreEndpoints reads AWS_IGNORE_CONFIGURED_ENDPOINT_URLS as the SDK does:
// true or false in any case, or unset.
func ignoreEndpoints(getenv func(string) string) (bool, error) {
	switch v := getenv(envIgnoreEndpoints); {
	case v == "" || strings.EqualFold(v, "false"):
		return false, nil
	case strings.EqualFold(v, "true"):
		return true, nil
	default:
		return false, fmt.Errorf("%s %q must be true or false", envIgnoreEndpoints, v)
	}
}

// endpointSource gives each service client its AWS_ENDPOINT_URL_<SERVICE>.
// A client built with NewFromConfig asks the values in aws.Config's
// ConfigSources for these two methods; the SDK's shared configuration
// answers them the same way.
//
// The client itself also checks os.LookupEnv: when AWS_ENDPOINT_URL is set
// in the process environment and its own variable is not, it keeps
// BaseEndpoint without asking. With getenv = os.Getenv that is the same
// answer.
type endpointSource struct {
	getenv func(string) string
	ignore bool
}

// GetServiceBaseEndpoint returns AWS_ENDPOINT_URL_<SERVICE> for the client
// whose service ID is sdkID ("Secrets Manager", "SQS", "EventBridge").
func (s endpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	if s.ignore {
		return "", false, nil
	}
	v := s.getenv(endpointVar(sdkID))
	return v, v != "", nil
}

// GetIgnoreConfiguredEndpoints reports AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (s endpointSource) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return s.ignore, true, nil
}

// endpointVar names the endpoint variable of the service whose SDK service
// ID is sdkID: "Secrets Manager" is AWS_ENDPOINT_URL_SECRETS_MANAGER.
func endpointVar(sdkID string) string {
	return envEndpointURL + "_" + strings.ToUpper(strings.ReplaceAll(sdkID, " ", "_"))
}

// AWSVars declares the variables AWS reads, for a function whose clients
// call the services named by their SDK service IDs ("Secrets Manager",
// "SQS", "EventBridge", "DynamoDB"). Lambda sets the region and credentials;
// the endpoint variables are for the local runner and tests. Load reads
// none of them (AWS does): they are declared so the environment is data.
func AWSVars(serviceIDs ...string) env.Table {
	t := env.Table{
		env.Runtime(env.Var{Name: envRegion, Doc: "the function's region"}),
		env.Runtime(env.Var{Name: envDefaultRegion, Doc: "the region, when AWS_REGION is unset"}),
		env.Runtime(env.Var{Name: envAccessKeyID, Doc: "the execution role's credentials"}),
		env.Runtime(env.Var{Name: envSecretAccessKey, Doc: "the execution role's credentials"}),
		env.Runtime(env.Var{Name: envSessionToken, Doc: "the execution role's credentials"}),
		env.Runtime(env.Var{Name: envContainerFull, Doc: "a container credentials endpoint"}),
		env.Runtime(env.Var{Name: envContainerRel, Doc: "a container credentials endpoint"}),
		env.Runtime(env.Var{Name: envContainerToken, Doc: "the container credentials endpoint's token"}),
		env.Runtime(env.Var{Name: envContainerFile, Doc: "a file holding that token"}),
		env.Runtime(env.Var{Name: envEndpointURL, Doc: "every AWS client's endpoint (local runs and tests)"}),
		env.Runtime(env.Var{Name: envIgnoreEndpoints, Doc: "true ignores the endpoint variables"}),
	}
	for _, id := range serviceIDs {
		t = append(t, env.Runtime(env.Var{Name: endpointVar(id), Doc: "the " + id + " endpoint (local runs and tests)"}))
	}
	return t
}
