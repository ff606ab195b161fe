// Package boot builds, once per cold start, what every callwire function
// needs to reach SignalWire: a Secrets Manager source configured the standard
// AWS way (environment, shared config, the function's role; so AWS_REGION
// and AWS_ENDPOINT_URL_SECRETS_MANAGER apply) and a SignalWire client that
// reads its credentials from it.
package boot

import (
	"context"
	"fmt"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/signalwire"
)

// Clients returns the secret source (cache TTL ttl) and a SignalWire client
// whose credentials are the secret secretID.
func Clients(ctx context.Context, secretID string, ttl time.Duration) (*secrets.Source, *signalwire.Client, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("boot: AWS configuration: %w", err)
	}
	src := secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), ttl)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, secretID), signalwire.NewHTTPClient())
	return src, client, nil
}
