package dynamoserver_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
)

// setup starts a server with the table "events" (partition key "id") and
// returns it with a real SDK client pointed at it.
func setup(t *testing.T) (*dynamoserver.Server, *dynamodb.Client, string) {
	t.Helper()
	srv := dynamoserver.New()
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if err := srv.CreateTable("events", "id"); err != nil {
		t.Fatal(err)
	}
	c := dynamodb.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		BaseEndpoint:     aws.String(u),
		RetryMaxAttempts: 1,
	})
	return srv, c, u
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": s(id)}
}

// apiCode returns the AWS error code of err, or "" for success.
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	_, c, _ := setup(t)
	ctx := t.Context()
	put := func(id, status, lock string, cond string, names map[string]string, values map[string]types.AttributeValue) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           aws.String("events"),
			Item:                                map[string]types.AttributeValue{"id": s(id), "status": s(status), "lock": n(lock)},
			ConditionExpression:                 aws.String(cond),
			ExpressionAttributeNames:            names,
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	}
	claim := "attribute_not_exists(#id) OR (#status = :p AND #lock < :now)"
	names := map[string]string{"#id": "id", "#status": "status", "#lock": "lock"}
	vals := func(now string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{":p": s("P"), ":now": n(now)}
	}
	if err := put("a", "P", "100", claim, names, vals("50")); err != nil {
		t.Fatalf("first claim: %v", err)
	}
	err := put("a", "P", "200", claim, names, vals("99.5"))
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		t.Fatalf("second claim = %v, want ConditionalCheckFailedException", err)
	}
	if diff := cmp.Diff(map[string]types.AttributeValue{"id": s("a"), "status": s("P"), "lock": n("100")}, failed.Item,
		cmp.AllowUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{})); diff != "" {
		t.Errorf("old item on failure (-want +got):\n%s", diff)
	}
	// Numbers compare numerically: 1e3 > 100.
	if err := put("a", "P", "300", claim, names, vals("1e3")); err != nil {
		t.Fatalf("claim after expiry: %v", err)
	}

	// Update: SET and REMOVE, with a condition on the current item.
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("events"),
		Key:                       key("a"),
		UpdateExpression:          aws.String("SET #status = :done, #at = :at REMOVE #lock"),
		ConditionExpression:       aws.String("#lock = :mine AND #status = :p"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#at": "at", "#lock": "lock"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": s("D"), ":at": n("7"), ":mine": n("300"), ":p": s("P")},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]types.AttributeValue{"id": s("a"), "status": s("D"), "at": n("7")}, out.Attributes,
		cmp.AllowUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{})); diff != "" {
		t.Errorf("updated item (-want +got):\n%s", diff)
	}
	// UpdateItem on a missing key creates the item.
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("events"), Key: key("b"),
		UpdateExpression:          aws.String("SET #v = :v"),
		ExpressionAttributeNames:  map[string]string{"#v": "v"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("events"), Key: key("b"), ConsistentRead: aws.Bool(true)})
	if err != nil || len(got.Item) != 2 {
		t.Fatalf("GetItem b = %v, %v; want the created item", got, err)
	}

	// DeleteItem with a failing, then a passing condition.
	del := func(v string) error {
		_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String("events"), Key: key("b"),
			ConditionExpression:       aws.String("#v = :v"),
			ExpressionAttributeNames:  map[string]string{"#v": "v"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": s(v)},
		})
		return err
	}
	if code := apiCode(del("y")); code != "ConditionalCheckFailedException" {
		t.Errorf("delete with a false condition: %s", code)
	}
	if err := del("x"); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("events"), Key: key("b")})
	if err != nil || got.Item != nil {
		t.Errorf("GetItem after delete = %v, %v; want no item", got.Item, err)
	}
}

func TestBatchGetItem(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	ctx := t.Context()
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"),
			Item: map[string]types.AttributeValue{"id": s(id), "status": s("D"), "big": s(strings.Repeat("x", 100))}}); err != nil {
			t.Fatal(err)
		}
	}
	req := map[string]types.KeysAndAttributes{"events": {
		Keys:                     []map[string]types.AttributeValue{key("a"), key("b"), key("zz")},
		ProjectionExpression:     aws.String("#id, #s"),
		ExpressionAttributeNames: map[string]string{"#id": "id", "#s": "status"},
	}}
	srv.LeaveUnprocessed(1)
	out, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses["events"]) != 1 || len(out.UnprocessedKeys["events"].Keys) != 2 {
		t.Fatalf("partial answer: %d items, %d unprocessed; want 1 and 2", len(out.Responses["events"]), len(out.UnprocessedKeys["events"].Keys))
	}
	out, err = c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: out.UnprocessedKeys})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedKeys) != 0 || len(out.Responses["events"]) != 1 {
		t.Fatalf("second answer: %v items, %v unprocessed", out.Responses, out.UnprocessedKeys)
	}
	if diff := cmp.Diff(map[string]types.AttributeValue{"id": s("b"), "status": s("D")}, out.Responses["events"][0],
		cmp.AllowUnexported(types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("projected item (-want +got):\n%s", diff)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	_, c, _ := setup(t)
	many := make([]map[string]types.AttributeValue, 101)
	for i := range many {
		many[i] = key(strings.Repeat("k", i+1))
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown table", func() error {
			_, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key("a")})
			return err
		}, "ResourceNotFoundException"},
		{"wrong key type", func() error {
			_, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("events"), Key: map[string]types.AttributeValue{"id": n("1")}})
			return err
		}, "ValidationException"},
		{"unused name", func() error {
			_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("events"), Item: key("a"),
				ConditionExpression: aws.String("attribute_not_exists(#id)"), ExpressionAttributeNames: map[string]string{"#id": "id", "#x": "x"}})
			return err
		}, "ValidationException"},
		{"undefined value", func() error {
			_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("events"), Item: key("a"),
				ConditionExpression: aws.String("#v = :missing"), ExpressionAttributeNames: map[string]string{"#v": "v"}})
			return err
		}, "ValidationException"},
		{"unsupported function", func() error {
			_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("events"), Item: key("a"),
				ConditionExpression: aws.String("begins_with(id, :p)"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("a")}})
			return err
		}, "ValidationException"},
		{"update of the key", func() error {
			_, err := c.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("events"), Key: key("a"),
				UpdateExpression: aws.String("SET #id = :v"), ExpressionAttributeNames: map[string]string{"#id": "id"}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("b")}})
			return err
		}, "ValidationException"},
		{"ADD clause", func() error {
			_, err := c.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{TableName: aws.String("events"), Key: key("a"),
				UpdateExpression: aws.String("ADD n :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("1")}})
			return err
		}, "ValidationException"},
		{"duplicate batch keys", func() error {
			_, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				"events": {Keys: []map[string]types.AttributeValue{key("a"), key("a")}}}})
			return err
		}, "ValidationException"},
		{"101 batch keys", func() error {
			_, err := c.BatchGetItem(t.Context(), &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"events": {Keys: many}}})
			return err
		}, "ValidationException"},
		{"table exists", func() error {
			_, err := c.CreateTable(t.Context(), &dynamodb.CreateTableInput{TableName: aws.String("events"),
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}}})
			return err
		}, "ResourceInUseException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := apiCode(tt.call()); got != tt.want {
				t.Errorf("error code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFaultsAndUnsignedRequests(t *testing.T) {
	t.Parallel()
	srv, c, u := setup(t)
	srv.SetFault("events", dynamoserver.Throttled)
	_, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("events"), Key: key("a")})
	if got := apiCode(err); got != "ProvisionedThroughputExceededException" {
		t.Errorf("throttled table: %q", got)
	}
	srv.SetFault("events", dynamoserver.None)
	if _, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("events"), Key: key("a")}); err != nil {
		t.Errorf("after the fault is reset: %v", err)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, u+"/", strings.NewReader(`{"TableName":"events","Key":{"id":{"S":"a"}}}`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || srv.Rejected() != 1 {
		t.Errorf("unsigned request: status %d, rejected %d; want 400 and 1", resp.StatusCode, srv.Rejected())
	}
}

func TestItemsAndDescribe(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	if _, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("events"), Item: key("a")}); err != nil {
		t.Fatal(err)
	}
	items := srv.Items("events")
	if len(items) != 1 || string(items[0]["id"]) != `{"S":"a"}` {
		t.Errorf("Items = %s", items)
	}
	d, err := c.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("events")})
	if err != nil || aws.ToString(d.Table.TableName) != "events" || d.Table.TableStatus != types.TableStatusActive {
		t.Errorf("DescribeTable = %+v, %v", d, err)
	}
}
