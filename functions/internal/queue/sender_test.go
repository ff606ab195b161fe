package queue

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// TestSend sends 23 hints (three batches) to a loopback SQS endpoint with the
// real SDK and reads them back in order.
func TestSend(t *testing.T) {
	t.Parallel()
	srv, cfg, url := loopbackQueue(t, "hints")
	var hints []pipeline.Hint
	for i := range 23 {
		hints = append(hints, pipeline.Hint{CallSID: fmt.Sprintf("c0c0ca11-%04x-4a1e-8b0b-1ba0c0111ed1", i), Status: "completed", Source: pipeline.SourceSweep})
	}
	n, err := NewSender(cfg, url).Send(t.Context(), hints)
	if err != nil || n != len(hints) {
		t.Fatalf("Send = %d, %v; want %d sent", n, err, len(hints))
	}
	if got := srv.Requests("SendMessageBatch"); got != 3 {
		t.Errorf("%d SendMessageBatch requests, want 3", got)
	}
	var got []pipeline.Hint
	for _, m := range srv.Messages("hints") {
		h, err := pipeline.ParseHint([]byte(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h)
	}
	if diff := cmp.Diff(hints, got); diff != "" {
		t.Errorf("queued hints (-sent +read back):\n%s", diff)
	}
}

// loopbackQueue starts a loopback SQS endpoint, closed when t ends, with
// the queue name, and returns the AWS configuration that reaches it and the
// queue's URL.
func loopbackQueue(t *testing.T, name string) (*sqsserver.Server, aws.Config, string) {
	t.Helper()
	srv := sqsserver.New()
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	url, err := srv.CreateQueue(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDQUEUE", "queue-secret", ""),
		BaseEndpoint: aws.String(base),
	}, url
}
