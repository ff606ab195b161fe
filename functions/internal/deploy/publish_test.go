package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/idempotency"
)

// publishGrants are what the consumer's role allows besides its logs and the
// secret: what the event source mapping does on the callback queue, putting
// events on the stack's bus, the idempotency table's operations, and
// sending what can never be published to the callback dead-letter queue.
var publishGrants = []grant{
	{Action: "dynamodb:BatchGetItem", Resource: "PublishedEventsTable.Arn"},
	{Action: "dynamodb:DeleteItem", Resource: "PublishedEventsTable.Arn"},
	{Action: "dynamodb:GetItem", Resource: "PublishedEventsTable.Arn"},
	{Action: "dynamodb:PutItem", Resource: "PublishedEventsTable.Arn"},
	{Action: "dynamodb:UpdateItem", Resource: "PublishedEventsTable.Arn"},
	{Action: "events:PutEvents", Resource: "CallwireBus.Arn"},
	{Action: "sqs:DeleteMessage", Resource: "CallbackQueue.Arn"},
	{Action: "sqs:GetQueueAttributes", Resource: "CallbackQueue.Arn"},
	{Action: "sqs:ReceiveMessage", Resource: "CallbackQueue.Arn"},
	{Action: "sqs:SendMessage", Resource: "CallbackDeadLetterQueue.Arn"},
}

func TestPublishWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	fn := []any{"Resources", "PublishFunction", "Properties"}
	hints := []any{"Resources", "PublishFunction", "Properties", "Events", "Hints", "Properties"}
	table := []any{"Resources", "PublishedEventsTable", "Properties"}
	checkWiring(t, tmpl, []wiring{
		{"own role", pathOf(fn, "Role"), getAttOf("PublishRole", "Arn")},
		{"no reserved concurrency (the mapping caps it)", pathOf(fn, "ReservedConcurrentExecutions"), nil},
		{"bus", pathOf(fn, "Environment", "Variables", "EVENT_BUS_NAME"), refTo("CallwireBus")},
		{"source from parameter", pathOf(fn, "Environment", "Variables", "EVENT_SOURCE"), refTo("CallEventSource")},
		{"idempotency table", pathOf(fn, "Environment", "Variables", "IDEMPOTENCY_TABLE"), refTo("PublishedEventsTable")},
		{"idempotency TTL from parameter", pathOf(fn, "Environment", "Variables", "IDEMPOTENCY_TTL_HOURS"), refTo("IdempotencyTtlHours")},
		{"dead-letter queue", pathOf(fn, "Environment", "Variables", "DEAD_LETTER_QUEUE_URL"), refTo("CallbackDeadLetterQueue")},
		{"contract mode from parameter", pathOf(fn, "Environment", "Variables", "CONTRACT_MODE"), refTo("ContractMode")},
		{"event source is the callback queue", pathOf(hints, "Queue"), getAttOf("CallbackQueue", "Arn")},
		{"event source type", []any{"Resources", "PublishFunction", "Properties", "Events", "Hints", "Type"}, "SQS"},
		{"only failed records come back", pathOf(hints, "FunctionResponseTypes"), []any{"ReportBatchItemFailures"}},
		{"concurrency cap from parameter", pathOf(hints, "ScalingConfig", "MaximumConcurrency"), refTo("PublishMaximumConcurrency")},
		{"batching window from parameter", pathOf(hints, "MaximumBatchingWindowInSeconds"), refTo("PublishBatchWindowSeconds")},
		{"table on demand", pathOf(table, "BillingMode"), "PAY_PER_REQUEST"},
		{"table key", pathOf(table, "KeySchema"), []any{map[string]any{"AttributeName": idempotency.AttrID, "KeyType": "HASH"}}},
		{"table key type", pathOf(table, "AttributeDefinitions"), []any{map[string]any{"AttributeName": idempotency.AttrID, "AttributeType": "S"}}},
		{"table TTL attribute", pathOf(table, "TimeToLiveSpecification"), map[string]any{"AttributeName": idempotency.AttrExpiration, "Enabled": true}},
		{"output table", []any{"Outputs", "PublishedEventsTableName", "Value"}, refTo("PublishedEventsTable")},
		{"output function", []any{"Outputs", "PublishFunctionArn", "Value"}, getAttOf("PublishFunction", "Arn")},
		{"output log group", []any{"Outputs", "PublishLogGroupName", "Value"}, refTo("PublishLogGroup")},
		{"parameter CallEventSource default", []any{"Parameters", "CallEventSource", "Default"}, "callwire"},
		{"parameter IdempotencyTtlHours default (7 days)", []any{"Parameters", "IdempotencyTtlHours", "Default"}, 168},
		{"parameter PublishMaximumConcurrency minimum (Lambda's)", []any{"Parameters", "PublishMaximumConcurrency", "MinValue"}, 2},
		{"parameter PublishMaximumConcurrency maximum (Lambda's)", []any{"Parameters", "PublishMaximumConcurrency", "MaxValue"}, 1000},
		{"parameter PublishBatchWindowSeconds maximum (Lambda's)", []any{"Parameters", "PublishBatchWindowSeconds", "MaxValue"}, 300},
	})
}

// TestPublishBatchFitsTheFunction: a batch is retrieved at once (batch size
// at most RETRIEVE_CONCURRENCY) and put in one PutEvents request (at most
// 10), and the queue hides a batch in progress for at least six times the
// function's timeout, AWS's advice for an event source mapping, so no batch
// is handed out twice while it runs.
func TestPublishBatchFitsTheFunction(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	batch, _ := at(tmpl, "Resources", "PublishFunction", "Properties", "Events", "Hints", "Properties", "BatchSize")
	conc, _ := at(tmpl, "Resources", "PublishFunction", "Properties", "Environment", "Variables", "RETRIEVE_CONCURRENCY")
	n, _ := batch.(int)
	c, err := strconv.Atoi(conc.(string))
	if err != nil || n < 1 || n > 10 || n > c {
		t.Errorf("BatchSize %v, RETRIEVE_CONCURRENCY %v: want a batch of at most 10 that is retrieved at once", batch, conc)
	}
	timeout, _ := at(tmpl, "Resources", "PublishFunction", "Properties", "Timeout")
	visibility, _ := at(tmpl, "Resources", "CallbackQueue", "Properties", "VisibilityTimeout")
	tt, _ := timeout.(int)
	v, _ := visibility.(int)
	if tt < 1 || v < 6*tt {
		t.Errorf("CallbackQueue VisibilityTimeout %v, publish Timeout %v: want at least six times the timeout", visibility, timeout)
	}
}

// TestOnlyPublishConsumesTheQueue: receiving from and deleting on the
// callback queue is the consumer's alone, and the consumer is the only
// function with an event source on it.
func TestOnlyPublishConsumesTheQueue(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	var consumers []string
	for id := range resourcesOfType(tmpl, "AWS::IAM::Role") {
		grants, _ := roleGrants(t, tmpl, id)
		for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage"} {
			if slices.Contains(grants, grant{Action: a, Resource: "CallbackQueue.Arn"}) && !slices.Contains(consumers, id) {
				consumers = append(consumers, id)
			}
		}
	}
	if diff := cmp.Diff([]string{"PublishRole"}, consumers); diff != "" {
		t.Errorf("roles that consume CallbackQueue (-want +got):\n%s", diff)
	}
	var sources []string
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		for name, e := range mapAt(props, "Events") {
			if q, attr, ok := getAtt(mapAt(e, "Properties")["Queue"]); ok && q == "CallbackQueue" && attr == "Arn" {
				sources = append(sources, id+"."+name)
			}
		}
	}
	if diff := cmp.Diff([]string{"PublishFunction.Hints"}, sources); diff != "" {
		t.Errorf("event sources on CallbackQueue (-want +got):\n%s", diff)
	}
}

// TestPublishAlarms: events EventBridge refused, and a queue whose oldest
// hint is old (a consumer that stopped or cannot keep up), each raise an
// alarm.
func TestPublishAlarms(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	if found := alarmOn(tmpl, emf.Namespace, emf.PublishFailures, emf.DimFunctionName, "PublishFunction"); len(found) != 1 {
		t.Errorf("%d alarms on PublishFailures, want 1", len(found))
	} else if th, _ := number(found[0]["Threshold"]); th != 0 || found[0]["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Errorf("PublishFailures alarm: %v %v, want > 0", found[0]["ComparisonOperator"], found[0]["Threshold"])
	}
	if found := alarmOn(tmpl, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "CallbackQueue"); len(found) != 1 {
		t.Errorf("%d alarms on the callback queue's oldest hint, want 1", len(found))
	}
}

// TestCallEventsDoNotRequestCalls matches getcall's rule, as each
// deployment resolves it, against a Call Retrieved event as publish puts it
// on the same bus (its detail has a call_sid too): it must not match, or
// every published call would be retrieved once more.
func TestCallEventsDoNotRequestCalls(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", "eventbridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sample map[string]any
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	for _, d := range mustDeployments(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustResolve(t, d)
			pattern := mapAt(tmpl, "Resources", "GetCallFunction", "Properties", "Events", "CallRequested", "Properties", "Pattern")
			source, _ := at(tmpl, "Resources", "PublishFunction", "Properties", "Environment", "Variables", "EVENT_SOURCE")
			event := map[string]any{
				"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Call Retrieved",
				"source": source, "account": "111122223333", "time": "2026-03-02T14:08:00Z", "region": "us-east-1",
				"resources": []any{},
				"detail": map[string]any{
					"schema": "callwire.call.event.v1", "event_id": "c0c0ca11-0002-4b0b-9a55-0ac41be00002/completed",
					"call_sid": mapAt(sample, "detail")["call_sid"], "status": "completed",
				},
			}
			got, err := matchPattern(pattern, event)
			if err != nil {
				t.Fatal(err)
			}
			if got {
				t.Errorf("getcall's rule %v matches a Call Retrieved event from %v", pattern, source)
			}
		})
	}
}
