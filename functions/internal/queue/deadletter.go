package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// ReasonAttribute is the message attribute that says why a message was put
// on a dead-letter queue by DeadLetters rather than by the queue's redrive
// policy.
const ReasonAttribute = "reason"

// maxReasonLen bounds the reason attribute: it is a short code, never text
// taken from the message.
const maxReasonLen = 64

// sendMessageAPI is the SQS call DeadLetters makes.
type sendMessageAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ sendMessageAPI = (*sqs.Client)(nil)

// DeadLetters puts messages that can never be processed on a dead-letter
// queue at once, with the reason as a message attribute, instead of letting
// them fail every receive until the redrive policy moves them. It is safe
// for concurrent use.
type DeadLetters struct {
	api sendMessageAPI
	url string
}

// NewDeadLetters returns a DeadLetters for the queue at url whose SQS
// client is built from cfg.
func NewDeadLetters(cfg aws.Config, url string) *DeadLetters {
	return &DeadLetters{api: sqs.NewFromConfig(cfg), url: url}
}

// Send puts body on the dead-letter queue with reason (a short code of
// letters, digits and '_') in the ReasonAttribute attribute.
func (d *DeadLetters) Send(ctx context.Context, body, reason string) error {
	if reason == "" || len(reason) > maxReasonLen {
		return fmt.Errorf("queue: dead letter: reason must be 1-%d bytes", maxReasonLen)
	}
	for _, c := range []byte(reason) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return errors.New("queue: dead letter: reason must be lower-case letters, digits and '_'")
		}
	}
	_, err := d.api.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(d.url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			ReasonAttribute: {DataType: aws.String("String"), StringValue: aws.String(reason)},
		},
	})
	if err != nil {
		return fmt.Errorf("queue: dead letter: SendMessage: %w", err)
	}
	return nil
}
