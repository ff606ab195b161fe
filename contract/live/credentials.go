package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Environment variables that hold the credentials.
const (
	EnvProjectID = "SIGNALWIRE_PROJECT_ID"
	EnvAPIToken  = "SIGNALWIRE_API_TOKEN"
	EnvSpaceURL  = "SIGNALWIRE_SPACE_URL"
)

// maxSecretSize bounds the secret document; the real one is about 150 bytes.
const maxSecretSize = 64 << 10

// ErrNoCredentials reports that no credentials were configured.
var ErrNoCredentials = errors.New("no SignalWire credentials")

// Credentials are a SignalWire project's API credentials. Printing them
// (fmt, %v, %+v, %#v) never shows the API token.
type Credentials struct {
	ProjectID string
	APIToken  string
	SpaceURL  string // https host or URL; http only for a loopback host
}

// String returns the project and the space, never the token.
func (c Credentials) String() string {
	return fmt.Sprintf("{ProjectID:%s SpaceURL:%s APIToken:[redacted]}", c.ProjectID, c.SpaceURL)
}

// GoString is used by %#v; it redacts the token like String.
func (c Credentials) GoString() string { return "live.Credentials" + c.String() }

// FromEnv reads the credentials from SIGNALWIRE_PROJECT_ID,
// SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL through getenv. When none is
// set the error is ErrNoCredentials; when some are, it names the missing ones.
func FromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{
		ProjectID: strings.TrimSpace(getenv(EnvProjectID)),
		APIToken:  strings.TrimSpace(getenv(EnvAPIToken)),
		SpaceURL:  strings.TrimSpace(getenv(EnvSpaceURL)),
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvProjectID, c.ProjectID}, {EnvAPIToken, c.APIToken}, {EnvSpaceURL, c.SpaceURL},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	switch len(missing) {
	case 0:
		return c, nil
	case 3:
		return Credentials{}, ErrNoCredentials
	}
	return Credentials{}, fmt.Errorf("%w: %s not set", ErrNoCredentials, strings.Join(missing, ", "))
}

// SecretsAPI is the Secrets Manager call FromSecret makes;
// *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsAPI = (*secretsmanager.Client)(nil)

// NewSecretsClient returns a Secrets Manager client configured by the SDK's
// default chain (environment, shared config and credentials files, SSO, IMDS).
func NewSecretsClient(ctx context.Context) (*secretsmanager.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("live: aws config: %w", err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// FromSecret reads the credentials from the Secrets Manager secret secretID,
// a JSON document {"project_id", "api_token", "space_url"} (the secret the
// Lambda functions use).
func FromSecret(ctx context.Context, api SecretsAPI, secretID string) (Credentials, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	if err != nil {
		return Credentials{}, fmt.Errorf("live: secret %s: %w", secretID, err)
	}
	if out.SecretString == nil {
		return Credentials{}, fmt.Errorf("live: secret %s: no secret string", secretID)
	}
	c, err := ParseSecret([]byte(*out.SecretString))
	if err != nil {
		return Credentials{}, fmt.Errorf("live: secret %s: %w", secretID, err)
	}
	return c, nil
}

// ParseSecret decodes the secret document. Errors name keys, never values.
func ParseSecret(b []byte) (Credentials, error) {
	if len(b) > maxSecretSize {
		return Credentials{}, errors.New("secret is too large")
	}
	var doc struct {
		ProjectID *string `json:"project_id"`
		APIToken  *string `json:"api_token"`
		SpaceURL  *string `json:"space_url"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		// encoding/json errors can quote the input; say nothing of it.
		return Credentials{}, errors.New("secret is not a JSON object of strings")
	}
	var missing []string
	get := func(key string, p *string) string {
		if p == nil || *p == "" {
			missing = append(missing, key)
			return ""
		}
		return *p
	}
	c := Credentials{
		ProjectID: get("project_id", doc.ProjectID),
		APIToken:  get("api_token", doc.APIToken),
		SpaceURL:  get("space_url", doc.SpaceURL),
	}
	if len(missing) > 0 {
		return Credentials{}, fmt.Errorf("secret lacks %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// baseURL checks the space URL and returns scheme://host[:port]. The token
// goes to this address, so it must be https, or http to a loopback host
// (127.0.0.1, ::1, localhost) as in tests; it has no userinfo, path, query
// or fragment. Errors do not quote the value.
func baseURL(space string) (string, error) {
	s := space
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", errors.New("space URL is not a host or URL")
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("space URL must be a bare host: no userinfo, path, query or fragment")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		switch strings.ToLower(u.Hostname()) {
		case "127.0.0.1", "::1", "localhost":
		default:
			return "", errors.New("space URL must use https (http only for a loopback host)")
		}
	default:
		return "", errors.New("space URL must use https")
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host, nil
}
