package boot

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/secrets"
)

// AWSClients returns the secret source (caching for s.CacheTTL) and the
// client of another AWS service that newClient builds, such as
// sqs.NewFromConfig, both from one AWS configuration loaded the standard way
// (so AWS_ENDPOINT_URL_<SERVICE> applies). Taking the constructor keeps that
// service's SDK package out of the functions that do not use it. opts
// configure the secret source.
func AWSClients[C any](ctx context.Context, s Settings, newClient func(aws.Config) C, opts ...secrets.Option) (*secrets.Source, C, error) {
	var zero C
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, zero, fmt.Errorf("boot: AWS configuration: %w", err)
	}
	return secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), s.CacheTTL, opts...), newClient(awsCfg), nil
}
