package fake_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/callwire/callwire/functions/internal/secretsserver"
)

// TestSecretsManagerBehaviour: GetSecretValue by name and by ARN, and the
// ResourceNotFoundException of a missing secret (the only Secrets Manager
// operation callwire calls).
func TestSecretsManagerBehaviour(t *testing.T) {
	t.Parallel()
	srv := secretsserver.New()
	ts := targets(t, func() (string, func()) { return mustStart(srv.Start), srv.Close })
	run(t, ts, func(t *testing.T, tg target) {
		c := secretsmanager.NewFromConfig(awsConfig(tg.endpoint))
		name := unique("callwire/behaviour")
		value := `{"project_id":"p","api_token":"PTbehaviour","space_url":"example.signalwire.com"}`
		if tg.moto {
			if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
				t.Fatal(err)
			}
		} else {
			srv.Put(name, value)
		}

		out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			t.Fatalf("GetSecretValue by name: %v", err)
		}
		if aws.ToString(out.SecretString) != value || aws.ToString(out.Name) != name || len(out.VersionStages) == 0 || out.VersionStages[0] != "AWSCURRENT" {
			t.Errorf("GetSecretValue = name %q, stages %v; want the stored value, name %q and AWSCURRENT", aws.ToString(out.Name), out.VersionStages, name)
		}
		byARN, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: out.ARN})
		if err != nil || aws.ToString(byARN.SecretString) != value {
			t.Errorf("GetSecretValue by ARN %s: %v", aws.ToString(out.ARN), err)
		}

		_, err = c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(unique("callwire/missing"))})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("GetSecretValue of a missing secret = %v, want ResourceNotFoundException", err)
		}
	})
}
