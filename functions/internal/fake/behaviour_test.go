package fake_test

import (
	"crypto/md5" //nolint:gosec // SQS's own body checksum
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// The behaviour suites below run the operations and error shapes callwire
// relies on, through the real SDK, against each loopback server and
// against moto (an AWS implementation nobody here wrote) when
// CALLWIRE_MOTO_URL names one. Each assertion states what AWS documents;
// where moto departs from it, the assertion is skipped for moto with the
// reason, and ours follows AWS.

// target is one implementation a suite runs against.
type target struct {
	name     string
	endpoint string
	moto     bool
}

// targets starts a loopback server with start and returns it with moto's
// endpoint, if any; a suite runs each as a subtest.
func targets(t *testing.T, start func() (string, func())) []target {
	t.Helper()
	u, stop := start()
	t.Cleanup(stop)
	return []target{{name: "loopback", endpoint: u}, {name: "moto", endpoint: os.Getenv("CALLWIRE_MOTO_URL"), moto: true}}
}

// run runs fn for each target, skipping moto with a message naming
// CALLWIRE_MOTO_URL when it is not set.
func run(t *testing.T, ts []target, fn func(t *testing.T, tg target)) {
	t.Helper()
	for _, tg := range ts {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			if tg.endpoint == "" {
				t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to compare the loopback server with (CI starts one)")
			}
			fn(t, tg)
		})
	}
}

// motoDiffers skips the rest of a subtest on moto, saying how moto departs
// from what AWS documents.
func motoDiffers(t *testing.T, tg target, why string) {
	t.Helper()
	if tg.moto {
		t.Skip("moto departs from AWS here: " + why)
	}
}

func awsConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDBEHAVIOUR", "behaviour-secret", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	}
}

// unique returns name with a random suffix: moto keeps its state between runs.
func unique(name string) string { return name + "-" + strings.ToLower(rand.Text()[:10]) }

// code returns the AWS error code of err, or "" for success.
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // SQS's checksum
	return hex.EncodeToString(sum[:])
}

func startSQS() (string, func()) {
	srv := sqsserver.New()
	return mustStart(srv.Start), srv.Close
}

func startDynamoDB() (string, func()) {
	srv := dynamoserver.New()
	return mustStart(srv.Start), srv.Close
}

func startEvents() (string, func()) {
	srv := eventsserver.New()
	return mustStart(srv.Start), srv.Close
}

func mustStart(start func(string) (string, error)) string {
	u, err := start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	return u
}

// errorAsPtr is errors.As, for a caller that needs the error it found.
func errorAsPtr[T error](err error, out *T) bool { return errors.As(err, out) }
