// Package queue is the one place callwire's functions call SQS: Sender puts
// pipeline hints on the queue that feeds the consumer (the callback receiver
// and the sweep), in batches of ten (SendMessageBatch), retrying the entries
// SQS refused once; DeadLetters puts what can never be published on a
// dead-letter queue with its reason.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/callwire/callwire/functions/internal/pipeline"
)

// maxBatch is SendMessageBatch's limit.
const maxBatch = 10

// sqsAPI is the SQS call Sender makes.
type sqsAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ sqsAPI = (*sqs.Client)(nil)

// Sender sends hints to one queue. It is safe for concurrent use.
type Sender struct {
	api sqsAPI
	url string
}

// NewSender returns a Sender to the queue at url whose SQS client is built
// from cfg (its endpoint from AWS_ENDPOINT_URL_SQS through boot.AWS).
func NewSender(cfg aws.Config, url string) *Sender {
	return &Sender{api: sqs.NewFromConfig(cfg), url: url}
}

// Send puts every hint on the queue. Entries SQS refuses are sent once more;
// the error reports how many could not be sent (and it wraps the cause). It
// returns how many were sent either way.
func (s *Sender) Send(ctx context.Context, hints []pipeline.Hint) (int, error) {
	sent := 0
	var errs []error
	for start := 0; start < len(hints); start += maxBatch {
		batch := hints[start:min(start+maxBatch, len(hints))]
		n, err := s.sendBatch(ctx, batch)
		sent += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return sent, fmt.Errorf("queue: %d of %d hints not sent: %w", len(hints)-sent, len(hints), errors.Join(errs...))
	}
	return sent, nil
}

func (s *Sender) sendBatch(ctx context.Context, batch []pipeline.Hint) (int, error) {
	entries := make([]types.SendMessageBatchRequestEntry, 0, len(batch))
	for i, h := range batch {
		body, err := json.Marshal(h)
		if err != nil {
			return 0, fmt.Errorf("encode hint: %w", err)
		}
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
	}
	sent := 0
	for attempt := 0; attempt < 2 && len(entries) > 0; attempt++ {
		out, err := s.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &s.url, Entries: entries})
		if err != nil {
			return sent, fmt.Errorf("SendMessageBatch: %w", err)
		}
		sent += len(out.Successful)
		failed := make(map[string]bool, len(out.Failed))
		for _, f := range out.Failed {
			failed[aws.ToString(f.Id)] = true
		}
		entries = filterEntries(entries, failed)
	}
	if len(entries) > 0 {
		return sent, fmt.Errorf("SendMessageBatch refused %d entries twice", len(entries))
	}
	return sent, nil
}

func filterEntries(entries []types.SendMessageBatchRequestEntry, keep map[string]bool) []types.SendMessageBatchRequestEntry {
	out := entries[:0]
	for _, e := range entries {
		if keep[aws.ToString(e.Id)] {
			out = append(out, e)
		}
	}
	return out
}
