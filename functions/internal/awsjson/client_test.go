package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
)

const (
	testAccessKey = "AKIDAWSJSONTEST00000"
	testSecretKey = "awsjson-test-secret-key-not-real"
	testRegion    = "us-east-1"
)

// testConfig is an aws.Config with static credentials and endpoint as its base.
func testConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

func newClient(t *testing.T, endpoint string, svc Service) *Client {
	t.Helper()
	c, err := New(testConfig(endpoint), svc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// backend is one DynamoDB and EventBridge implementation: ours or moto.
type backend struct {
	name     string
	endpoint string
}

// backends returns the loopback servers and, when CALLWIRE_MOTO_URL is set,
// moto; without it the moto case is skipped with a message.
func backends(t *testing.T, start func(t *testing.T) string) []backend {
	t.Helper()
	bs := []backend{{name: "loopback", endpoint: start(t)}}
	if moto := os.Getenv("CALLWIRE_MOTO_URL"); moto != "" {
		bs = append(bs, backend{name: "moto", endpoint: moto})
	}
	return bs
}

func skipMotoIfUnset(t *testing.T) {
	if os.Getenv("CALLWIRE_MOTO_URL") == "" {
		t.Run("moto", func(t *testing.T) {
			t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to check the client against (CI starts one)")
		})
	}
}

var seq atomic.Int64

func startDynamo(t *testing.T) string {
	srv := dynamoserver.New()
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return u
}

func startEvents(t *testing.T) string {
	srv := eventsserver.New()
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return u
}

// attr is a DynamoDB attribute value as the protocol writes it.
type attr map[string]string

func TestDynamoDB(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t, startDynamo) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, b.endpoint, DynamoDB)
			table := fmt.Sprintf("awsjson-%d-%d", time.Now().UnixNano(), seq.Add(1))
			err := c.Do(t.Context(), "CreateTable", map[string]any{
				"TableName":            table,
				"KeySchema":            []map[string]string{{"AttributeName": "id", "KeyType": "HASH"}},
				"AttributeDefinitions": []map[string]string{{"AttributeName": "id", "AttributeType": "S"}},
				"BillingMode":          "PAY_PER_REQUEST",
			}, nil)
			if err != nil {
				t.Fatalf("CreateTable: %v", err)
			}
			put := map[string]any{
				"TableName":                table,
				"Item":                     map[string]attr{"id": {"S": "CA1"}, "status": {"S": "claimed"}},
				"ConditionExpression":      "attribute_not_exists(#id)",
				"ExpressionAttributeNames": map[string]string{"#id": "id"},
			}
			if err := c.Do(t.Context(), "PutItem", put, nil); err != nil {
				t.Fatalf("PutItem: %v", err)
			}
			err = c.Do(t.Context(), "PutItem", put, nil)
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ConditionalCheckFailedException" || apiErr.ErrorFault() != smithy.FaultClient {
				t.Fatalf("second PutItem: %v, want a ConditionalCheckFailedException client fault", err)
			}
			var got struct {
				Item map[string]attr `json:"Item"`
			}
			if err := c.Do(t.Context(), "GetItem", map[string]any{
				"TableName": table, "Key": map[string]attr{"id": {"S": "CA1"}}, "ConsistentRead": true,
			}, &got); err != nil {
				t.Fatalf("GetItem: %v", err)
			}
			if diff := cmp.Diff(map[string]attr{"id": {"S": "CA1"}, "status": {"S": "claimed"}}, got.Item); diff != "" {
				t.Errorf("item (-want +got):\n%s", diff)
			}
			err = c.Do(t.Context(), "GetItem", map[string]any{"TableName": table + "-missing", "Key": map[string]attr{"id": {"S": "x"}}}, &got)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != "ResourceNotFoundException" || ae.StatusCode != http.StatusBadRequest {
				t.Fatalf("GetItem of a missing table: %v, want ResourceNotFoundException (400)", err)
			}
			_ = c.Do(context.Background(), "DeleteTable", map[string]string{"TableName": table}, nil)
		})
	}
	skipMotoIfUnset(t)
}

func TestEventBridge(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t, startEvents) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, b.endpoint, EventBridge)
			bus := fmt.Sprintf("awsjson-%d-%d", time.Now().UnixNano(), seq.Add(1))
			if err := c.Do(t.Context(), "CreateEventBus", map[string]string{"Name": bus}, nil); err != nil {
				t.Fatalf("CreateEventBus: %v", err)
			}
			var out struct {
				FailedEntryCount int `json:"FailedEntryCount"`
				Entries          []struct {
					EventID   string `json:"EventId"`
					ErrorCode string `json:"ErrorCode"`
				} `json:"Entries"`
			}
			err := c.Do(t.Context(), "PutEvents", map[string]any{"Entries": []map[string]string{{
				"EventBusName": bus, "Source": "callwire", "DetailType": "Call Retrieved", "Detail": `{"call_sid":"CA1"}`,
			}}}, &out)
			if err != nil {
				t.Fatalf("PutEvents: %v", err)
			}
			if out.FailedEntryCount != 0 || len(out.Entries) != 1 || out.Entries[0].EventID == "" {
				t.Fatalf("PutEvents answered %+v, want one entry with an event id", out)
			}
			_ = c.Do(context.Background(), "DeleteEventBus", map[string]string{"Name": bus}, nil)
		})
	}
	skipMotoIfUnset(t)
}

// captured is one request as a server saw it.
type captured struct {
	path, contentType, target, scope, signedHeaders string
	body                                            map[string]any
}

// capture serves answer to every request and records each.
func capture(t *testing.T, answer string) (string, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var reqs []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		auth := r.Header.Get("Authorization")
		c := captured{path: r.URL.Path, contentType: r.Header.Get("Content-Type"), target: r.Header.Get("X-Amz-Target"), body: body}
		for _, part := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ", ") {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "Credential":
				_, c.scope, _ = strings.Cut(v, "/")
			case "SignedHeaders":
				// The SDK also signs headers of its own (amz-sdk-*); the
				// ones the protocol needs must be signed by both.
				for _, h := range []string{"content-type", "host", "x-amz-date", "x-amz-target"} {
					if strings.Contains(";"+v+";", ";"+h+";") {
						c.signedHeaders += h + ";"
					}
				}
			}
		}
		mu.Lock()
		reqs = append(reqs, c)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/base", func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), reqs...)
	}
}

// TestSameWireAsSDK sends the same operation through the SDK's client and
// ours and compares what the server receives: path, media type, target,
// signing scope, the protocol's signed headers and the JSON body.
func TestSameWireAsSDK(t *testing.T) {
	t.Parallel()
	t.Run("dynamodb", func(t *testing.T) {
		t.Parallel()
		u, reqs := capture(t, `{}`)
		cfg := testConfig(u)
		sdk := dynamodb.NewFromConfig(cfg)
		_, err := sdk.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
			TableName: aws.String("t"), Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "CA1"}},
			UpdateExpression:          aws.String("SET #s = :s"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": &ddbtypes.AttributeValueMemberS{Value: "published"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ours := newClient(t, u, DynamoDB)
		if err := ours.Do(t.Context(), "UpdateItem", map[string]any{
			"TableName": "t", "Key": map[string]attr{"id": {"S": "CA1"}}, "UpdateExpression": "SET #s = :s",
			"ExpressionAttributeNames": map[string]string{"#s": "status"}, "ExpressionAttributeValues": map[string]attr{":s": {"S": "published"}},
		}, nil); err != nil {
			t.Fatal(err)
		}
		compareWire(t, reqs())
	})
	t.Run("eventbridge", func(t *testing.T) {
		t.Parallel()
		u, reqs := capture(t, `{"FailedEntryCount":0,"Entries":[{"EventId":"e1"}]}`)
		sdk := eventbridge.NewFromConfig(testConfig(u))
		_, err := sdk.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			EventBusName: aws.String("b"), Source: aws.String("callwire"), DetailType: aws.String("Call Retrieved"), Detail: aws.String(`{"a":1}`),
		}}})
		if err != nil {
			t.Fatal(err)
		}
		ours := newClient(t, u, EventBridge)
		if err := ours.Do(t.Context(), "PutEvents", map[string]any{"Entries": []map[string]string{{
			"EventBusName": "b", "Source": "callwire", "DetailType": "Call Retrieved", "Detail": `{"a":1}`,
		}}}, nil); err != nil {
			t.Fatal(err)
		}
		compareWire(t, reqs())
	})
}

func compareWire(t *testing.T, reqs []captured) {
	t.Helper()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if reqs[0].target == "" || reqs[0].scope == "" {
		t.Fatalf("the SDK's request has no target or signing scope: %+v", reqs[0])
	}
	if diff := cmp.Diff(reqs[0], reqs[1], cmp.AllowUnexported(captured{})); diff != "" {
		t.Errorf("wire differs (-sdk +ours):\n%s", diff)
	}
}
