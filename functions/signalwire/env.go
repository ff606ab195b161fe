package signalwire

import (
	"errors"
	"fmt"
	"strings"
)

// The environment variables CredentialsFromEnv reads.
const (
	EnvProjectID = "SIGNALWIRE_PROJECT_ID"
	EnvAPIToken  = "SIGNALWIRE_API_TOKEN"
	EnvSpaceURL  = "SIGNALWIRE_SPACE_URL"

	// EnvAllowLoopback, set to "true", is the explicit switch with which the
	// local runner and tests let space_url name a loopback server (see
	// WithLoopback). The deployed template never sets it.
	EnvAllowLoopback = "CALLWIRE_ALLOW_LOOPBACK"
)

// ErrNoCredentials reports that none, or only some, of the credential
// variables are set. It wraps nothing: it is a usage problem, not a secret
// that could not be read.
var ErrNoCredentials = errors.New("no SignalWire credentials")

// CredentialsFromEnv reads the credentials from SIGNALWIRE_PROJECT_ID,
// SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL through getenv, for the CLI
// and CI jobs. It returns ErrNoCredentials, naming the missing variables,
// when any is unset, and otherwise the same validation ParseCredentials
// applies to a secret (a loopback space_url parses; the Client decides).
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
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
	case 3:
		return Credentials{}, ErrNoCredentials
	default:
		return Credentials{}, fmt.Errorf("%w: %s not set", ErrNoCredentials, strings.Join(missing, ", "))
	}
	if err := c.validate(true); err != nil {
		return Credentials{}, err
	}
	return c, nil
}
