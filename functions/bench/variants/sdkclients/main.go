// Command sdkclients is a bench variant: a Lambda that builds the SDK's
// DynamoDB and EventBridge clients from boot.AWS and, on each invoke, reads
// one item and puts one event. The bench compares its cold start with
// awsjsonclients, which does the same through functions/internal/awsjson.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/callwire/callwire/functions/internal/boot"
)

func main() {
	cfg, err := boot.AWS(os.Getenv)
	if err != nil {
		log.Fatalf("sdkclients: init: %v", err)
	}
	ddb, bus := dynamodb.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg)
	table, busName := os.Getenv("IDEMPOTENCY_TABLE"), os.Getenv("EVENT_BUS_NAME")
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (string, error) {
		if _, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "bench"}}}); err != nil {
			return "", err
		}
		if _, err := bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			EventBusName: aws.String(busName), Source: aws.String("callwire"), DetailType: aws.String("Bench"), Detail: aws.String(`{}`),
		}}}); err != nil {
			return "", err
		}
		return "ok", nil
	})
}
