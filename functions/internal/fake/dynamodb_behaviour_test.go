package fake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDynamoDBBehaviour: the requests functions/internal/idempotency sends
// (a conditional PutItem returning the old item on failure, a guarded
// UpdateItem with SET and REMOVE, a projected BatchGetItem) and the
// refusals DynamoDB documents for them: a partition key over 2048 bytes,
// repeated or more than 100 keys in one BatchGetItem, a missing table.
func TestDynamoDBBehaviour(t *testing.T) {
	t.Parallel()
	run(t, targets(t, startDynamoDB), func(t *testing.T, tg target) {
		c := dynamodb.NewFromConfig(awsConfig(tg.endpoint))
		table := unique("callwire-behaviour")
		if _, err := c.CreateTable(t.Context(), &dynamodb.CreateTableInput{
			TableName:            aws.String(table),
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			BillingMode:          types.BillingModePayPerRequest,
		}); err != nil {
			t.Fatal(err)
		}
		s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
		key := func(id string) map[string]types.AttributeValue { return map[string]types.AttributeValue{"id": s(id)} }
		claim := func(id, token string) error {
			_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{
				TableName:                           aws.String(table),
				Item:                                map[string]types.AttributeValue{"id": s(id), "status": s("IN_PROGRESS"), "claim": s(token)},
				ConditionExpression:                 aws.String("attribute_not_exists(#id) OR #status = :possibly"),
				ExpressionAttributeNames:            map[string]string{"#id": "id", "#status": "status"},
				ExpressionAttributeValues:           map[string]types.AttributeValue{":possibly": s("POSSIBLY_PUBLISHED")},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			})
			return err
		}

		if err := claim("a", "t1"); err != nil {
			t.Fatalf("first claim: %v", err)
		}
		err := claim("a", "t2")
		var failed *types.ConditionalCheckFailedException
		if !errorAs(err, &types.ConditionalCheckFailedException{}) || !asCCF(err, &failed) {
			t.Fatalf("second claim = %v, want ConditionalCheckFailedException", err)
		}
		if old, ok := failed.Item["claim"].(*types.AttributeValueMemberS); !ok || old.Value != "t1" {
			t.Errorf("the failed claim carries %v, want the old item (claim t1)", failed.Item)
		}

		update := func(token string) error {
			_, err := c.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
				TableName:                 aws.String(table),
				Key:                       key("a"),
				UpdateExpression:          aws.String("SET #status = :done REMOVE #claim"),
				ConditionExpression:       aws.String("#claim = :token"),
				ExpressionAttributeNames:  map[string]string{"#status": "status", "#claim": "claim"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":done": s("COMPLETED"), ":token": s(token)},
			})
			return err
		}
		if got := code(update("t2")); got != "ConditionalCheckFailedException" {
			t.Errorf("UpdateItem guarded by another token = %q, want ConditionalCheckFailedException", got)
		}
		if err := update("t1"); err != nil {
			t.Fatalf("UpdateItem guarded by the claim's token: %v", err)
		}

		out, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {
			Keys:                     []map[string]types.AttributeValue{key("a"), key("absent")},
			ProjectionExpression:     aws.String("#id, #status"),
			ExpressionAttributeNames: map[string]string{"#id": "id", "#status": "status"},
		}}})
		if err != nil {
			t.Fatalf("BatchGetItem: %v", err)
		}
		items := out.Responses[table]
		if len(items) != 1 || len(items[0]) != 2 || items[0]["status"].(*types.AttributeValueMemberS).Value != "COMPLETED" {
			t.Errorf("BatchGetItem = %v, want the one item, projected to id and status, completed", items)
		}

		many := make([]map[string]types.AttributeValue, 101)
		for i := range many {
			many[i] = key(fmt.Sprint("k", i))
		}
		for _, tt := range []struct {
			name string
			call func() error
			want string
			// motoDiffers says how moto departs from DynamoDB in this case.
			motoDiffers string
		}{
			{"partition key of 2049 bytes", func() error { return claim(strings.Repeat("é", 1024)+"x", "t") }, "ValidationException", ""},
			{"BatchGetItem key of 2049 bytes", func() error {
				_, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
					table: {Keys: []map[string]types.AttributeValue{key(strings.Repeat("k", 2049))}}}})
				return err
			}, "ValidationException", "moto 5.2 checks the key size on writes only and answers a BatchGetItem with a 2049-byte key; " +
				"DynamoDB refuses it (ValidationException: Size of hashkey has exceeded the maximum size limit of2048 bytes) on every operation"},
			{"partition key of 2048 bytes", func() error { return claim(strings.Repeat("é", 1024), "t") }, "", ""},
			{"repeated BatchGetItem keys", func() error {
				_, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
					table: {Keys: []map[string]types.AttributeValue{key("a"), key("a")}}}})
				return err
			}, "ValidationException", ""},
			{"101 BatchGetItem keys", func() error {
				_, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {Keys: many}}})
				return err
			}, "ValidationException", ""},
			{"missing table", func() error {
				_, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table + "-missing"), Key: key("a")})
				return err
			}, "ResourceNotFoundException", ""},
		} {
			if tg.moto && tt.motoDiffers != "" {
				t.Logf("%s: not checked against moto: %s", tt.name, tt.motoDiffers)
				continue
			}
			if got := code(tt.call()); got != tt.want {
				t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
			}
		}
	})
}

func asCCF(err error, out **types.ConditionalCheckFailedException) bool {
	return errorAsPtr(err, out)
}
