package fake_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSBehaviour: SendMessageBatch as functions/internal/queue sends it,
// its limits (at most ten entries, distinct ids, at least one), a missing
// queue, and receiving and deleting what was sent.
func TestSQSBehaviour(t *testing.T) {
	t.Parallel()
	run(t, targets(t, startSQS), func(t *testing.T, tg target) {
		c := sqs.NewFromConfig(awsConfig(tg.endpoint))
		q, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(unique("callwire-behaviour"))})
		if err != nil {
			t.Fatal(err)
		}
		entries := func(n int) []types.SendMessageBatchRequestEntry {
			out := make([]types.SendMessageBatchRequestEntry, n)
			for i := range out {
				out[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String(fmt.Sprintf(`{"n":%d}`, i))}
			}
			return out
		}

		out, err := c.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries(10)})
		if err != nil {
			t.Fatalf("SendMessageBatch of ten: %v", err)
		}
		if len(out.Successful) != 10 || len(out.Failed) != 0 {
			t.Fatalf("SendMessageBatch of ten: %d successful, %d failed", len(out.Successful), len(out.Failed))
		}
		for _, r := range out.Successful {
			i := strings.TrimPrefix(aws.ToString(r.Id), "e")
			if want := md5Hex(`{"n":` + i + `}`); aws.ToString(r.MD5OfMessageBody) != want {
				t.Errorf("entry %s: MD5OfMessageBody %s, want %s", aws.ToString(r.Id), aws.ToString(r.MD5OfMessageBody), want)
			}
		}

		dup := entries(2)
		dup[1].Id = dup[0].Id
		for _, tt := range []struct {
			name    string
			entries []types.SendMessageBatchRequestEntry
			want    error
		}{
			{"eleven entries", entries(11), &types.TooManyEntriesInBatchRequest{}},
			{"no entries", []types.SendMessageBatchRequestEntry{}, &types.EmptyBatchRequest{}},
			{"repeated ids", dup, &types.BatchEntryIdsNotDistinct{}},
		} {
			_, err := c.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: tt.entries})
			if !errorAs(err, tt.want) {
				t.Errorf("%s: SendMessageBatch = %v, want %T", tt.name, err, tt.want)
			}
		}

		missing := strings.TrimSuffix(aws.ToString(q.QueueUrl), "/") + "-missing"
		_, err = c.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(missing), Entries: entries(1)})
		if !errorAs(err, &types.QueueDoesNotExist{}) {
			t.Errorf("SendMessageBatch to a missing queue = %v, want QueueDoesNotExist", err)
		}

		got, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil || len(got.Messages) == 0 {
			t.Fatalf("ReceiveMessage = %d messages, %v", len(got.Messages), err)
		}
		if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
			t.Errorf("DeleteMessage: %v", err)
		}
	})
}

// errorAs reports whether err holds an error of want's type.
func errorAs[T error](err error, want T) bool {
	return errors.As(err, &want)
}
