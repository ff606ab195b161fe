package sqsserver

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/testkit/testclock"
)

// start runs a server on loopback, closed when t ends.
func start(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	s := New(opts...)
	u, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, u
}

// client is the real SDK client for endpoint, without retries.
func client(endpoint string) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

func TestSDKRoundTrip(t *testing.T) {
	t.Parallel()
	s, u := start(t)
	c := client(u)
	ctx := t.Context()
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("hints"), Attributes: map[string]string{"VisibilityTimeout": "60"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("hints")})
	if err != nil || aws.ToString(got.QueueUrl) != aws.ToString(created.QueueUrl) {
		t.Fatalf("GetQueueUrl = %v, %v; want %s", got, err, aws.ToString(created.QueueUrl))
	}
	q := created.QueueUrl
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: q, MessageBody: aws.String(`{"call_sid":"a"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{"source": {DataType: aws.String("String"), StringValue: aws.String("callback")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("two")},
		{Id: aws.String("2"), MessageBody: aws.String("three")},
	}})
	if err != nil || len(batch.Successful) != 2 || len(batch.Failed) != 0 {
		t.Fatalf("SendMessageBatch = %+v, %v", batch, err)
	}
	recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: q, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range recv.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if diff := cmp.Diff([]string{`{"call_sid":"a"}`, "two", "three"}, bodies); diff != "" {
		t.Fatalf("received (-want +got):\n%s", diff)
	}
	first := recv.Messages[0]
	if aws.ToString(first.MessageId) != aws.ToString(sent.MessageId) || first.Attributes["ApproximateReceiveCount"] != "1" ||
		aws.ToString(first.MessageAttributes["source"].StringValue) != "callback" {
		t.Errorf("first message = %+v", first)
	}
	if aws.ToString(first.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) || aws.ToString(sent.MD5OfMessageAttributes) == "" {
		t.Errorf("MD5OfMessageAttributes %s on receive, %s on send", aws.ToString(first.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	}
	// Received messages stay hidden for the visibility timeout.
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("second receive = %d messages, %v; want none while hidden", len(again.Messages), err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: first.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: aws.String("nope")}); err == nil {
		t.Error("DeleteMessage with an unknown receipt handle succeeded")
	}
	msgs := s.Messages("hints")
	if len(msgs) != 3 || !msgs[0].Deleted || msgs[1].Deleted || msgs[0].Body != `{"call_sid":"a"}` || msgs[0].ReceiveCount != 1 {
		t.Errorf("Messages = %+v", msgs)
	}
	if s.Requests(OpSendMessage) != 1 || s.Requests(OpSendMessageBatch) != 1 || s.Requests(OpReceiveMessage) != 2 || s.Requests("") != 8 {
		t.Errorf("requests: send %d batch %d receive %d total %d", s.Requests(OpSendMessage), s.Requests(OpSendMessageBatch), s.Requests(OpReceiveMessage), s.Requests(""))
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s, u := start(t)
	c := client(u)
	q, err := s.CreateQueue("q", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u + "/123456789012/missing"), MessageBody: aws.String("x")})
	var missing *types.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("send to a missing queue: %v, want QueueDoesNotExist", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(strings.Repeat("x", MaxMessageSize+1))})
	if err == nil {
		t.Error("an oversized message was accepted")
	}
	entries := make([]types.SendMessageBatchRequestEntry, 11)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String("x")}
	}
	var tooMany *types.TooManyEntriesInBatchRequest
	if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: entries}); !errors.As(err, &tooMany) {
		t.Errorf("batch of 11: %v, want TooManyEntriesInBatchRequest", err)
	}
	s.SetFault("q", Unavailable)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("x")}); err == nil || !strings.Contains(err.Error(), "ServiceUnavailable") {
		t.Errorf("send with the Unavailable fault: %v", err)
	}
	s.SetFault("q", None)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("x")}); err != nil {
		t.Errorf("send after the fault was reset: %v", err)
	}
	if n := len(s.Messages("q")); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}
}

func TestUnsignedRejected(t *testing.T) {
	t.Parallel()
	s, u := start(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u+"/", strings.NewReader(`{"QueueName":"q"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AmazonSQS.CreateQueue")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || s.Rejected() != 1 {
		t.Errorf("unsigned request: status %d, rejected %d; want 403 and 1", resp.StatusCode, s.Rejected())
	}
	if _, err := s.CreateQueue("q", nil); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Messages("q")); n != 0 {
		t.Errorf("%d messages", n)
	}
}

func TestDelayAndVisibility(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	s, u := start(t, WithClock(clk.Now))
	c := client(u)
	q, err := s.CreateQueue("delayed", map[string]string{"DelaySeconds": "30", "VisibilityTimeout": "60"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("late")}); err != nil {
		t.Fatal(err)
	}
	receive := func() int {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Messages)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {29 * time.Second, 0}, {time.Second, 1}, {59 * time.Second, 0}, {time.Second, 1}}
	for i, st := range steps {
		clk.Add(st.advance)
		if got := receive(); got != st.want {
			t.Fatalf("step %d: %d messages, want %d", i, got, st.want)
		}
	}
	if m := s.Messages("delayed"); len(m) != 1 || m[0].Delay != 30*time.Second || m[0].ReceiveCount != 2 {
		t.Errorf("Messages = %+v", m)
	}
}

func TestLongPollReturnsWhenAMessageArrives(t *testing.T) {
	t.Parallel()
	s, u := start(t)
	c := client(u)
	q, err := s.CreateQueue("poll", nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("x")})
	}()
	started := time.Now()
	out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 5})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("long poll: %v, %v", out, err)
	}
	if d := time.Since(started); d > 3*time.Second {
		t.Errorf("long poll took %v", d)
	}
}

// TestAgainstMoto sends the same message, with attributes, to this server and
// to moto (an independent implementation of SQS) when CALLWIRE_MOTO_URL is
// set, and compares the checksums each computes.
func TestAgainstMoto(t *testing.T) {
	t.Parallel()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set (CI starts moto_server and sets it)")
	}
	_, u := start(t)
	in := func(q *string) *sqs.SendMessageInput {
		return &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String(`{"call_sid":"é"}`),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"source": {DataType: aws.String("String"), StringValue: aws.String("callback")},
				"n":      {DataType: aws.String("Number"), StringValue: aws.String("42")},
				"b":      {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
			}}
	}
	var sums [][2]string
	for _, endpoint := range []string{u, motoURL} {
		c := client(endpoint)
		q, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("callwire-sqsserver-compare")})
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		out, err := c.SendMessage(t.Context(), in(q.QueueUrl))
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		sums = append(sums, [2]string{aws.ToString(out.MD5OfMessageBody), aws.ToString(out.MD5OfMessageAttributes)})
	}
	if sums[0] != sums[1] {
		t.Errorf("checksums (body, attributes): ours %v, moto %v", sums[0], sums[1])
	}
}
