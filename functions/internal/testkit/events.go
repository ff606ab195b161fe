package testkit

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/callwire/callwire/contract/callevent"
	"github.com/callwire/callwire/functions/internal/idempotency"
)

// DeliveredEvent is an EventBridge event as a rule delivers it to an SQS
// queue.
type DeliveredEvent struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	// EventID is the detail's event_id.
	EventID string `json:"-"`
}

// ParseDeliveredEvent decodes a queued event's body, checks its detail
// against callwire.call.event.v1 (an error of t where it does not hold) and
// reads its event id.
func ParseDeliveredEvent(t testing.TB, body *string) DeliveredEvent {
	t.Helper()
	var ev DeliveredEvent
	if err := json.Unmarshal([]byte(aws.ToString(body)), &ev); err != nil {
		t.Fatal(err)
	}
	if err := callevent.Validate(ev.Detail); err != nil {
		t.Errorf("event: %v", err)
	}
	var d struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	ev.EventID = d.EventID
	return ev
}

// DrainEvents reads and deletes the events on the queue at url until it is
// found empty twice, or, while fewer than atLeast have come, five times;
// each is checked by ParseDeliveredEvent.
func DrainEvents(t testing.TB, c *sqs.Client, url string, atLeast int) []DeliveredEvent {
	t.Helper()
	var evs []DeliveredEvent
	for empty := 0; empty < 2 || len(evs) < atLeast && empty < 5; {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			evs = append(evs, ParseDeliveredEvent(t, m.Body))
			if _, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return evs
}

// RuleTarget creates, at cfg's endpoints (moto in tests), the EventBridge
// bus named bus, the SQS queue named queue, and a rule on the bus that
// passes callwire's "Call Retrieved" events to that queue, as a deployed
// consumer would; it returns the queue's URL, which DrainEvents reads.
func RuleTarget(t testing.TB, cfg aws.Config, bus, queue string) string {
	t.Helper()
	ctx := t.Context()
	sqsc, ebc := sqs.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg)
	if _, err := ebc.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		t.Fatal(err)
	}
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue), Attributes: map[string]string{"DelaySeconds": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ebc.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(bus), EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"source":["callwire"],"detail-type":["Call Retrieved"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ebc.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(bus), EventBusName: aws.String(bus),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}}}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}

// IdempotencyTable creates, at cfg's DynamoDB endpoint (moto in tests),
// the table name with the idempotency store's key schema, on demand.
func IdempotencyTable(t testing.TB, cfg aws.Config, name string) {
	t.Helper()
	if _, err := dynamodb.NewFromConfig(cfg).CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(idempotency.AttrID), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(idempotency.AttrID), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
}
