// Command awsjsonclients is a bench variant: sdkclients with the DynamoDB
// and EventBridge calls made through functions/internal/awsjson.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/callwire/callwire/functions/internal/awsjson"
	"github.com/callwire/callwire/functions/internal/boot"
)

func main() {
	cfg, err := boot.AWS(os.Getenv)
	if err != nil {
		log.Fatalf("awsjsonclients: init: %v", err)
	}
	ddb, err := awsjson.New(cfg, awsjson.DynamoDB)
	if err != nil {
		log.Fatalf("awsjsonclients: init: %v", err)
	}
	bus, err := awsjson.New(cfg, awsjson.EventBridge)
	if err != nil {
		log.Fatalf("awsjsonclients: init: %v", err)
	}
	table, busName := os.Getenv("IDEMPOTENCY_TABLE"), os.Getenv("EVENT_BUS_NAME")
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (string, error) {
		if err := ddb.Do(ctx, "GetItem", map[string]any{"TableName": table,
			"Key": map[string]map[string]string{"id": {"S": "bench"}}}, nil); err != nil {
			return "", err
		}
		if err := bus.Do(ctx, "PutEvents", map[string]any{"Entries": []map[string]string{{
			"EventBusName": busName, "Source": "callwire", "DetailType": "Bench", "Detail": `{}`,
		}}}, nil); err != nil {
			return "", err
		}
		return "ok", nil
	})
}
