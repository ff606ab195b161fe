package deploy

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/pipeline"
)

func TestCallbackWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	fn := []any{"Resources", "CallbackFunction", "Properties"}
	queue := []any{"Resources", "CallbackQueue", "Properties"}
	dlq := []any{"Resources", "CallbackDeadLetterQueue", "Properties"}
	perm := []any{"Resources", "CallbackUrlInvokePermission", "Properties"}
	checkWiring(t, tmpl, []wiring{
		{"function URL without IAM auth", pathOf(fn, "FunctionUrlConfig", "AuthType"), "NONE"},
		{"URL invoke permission is for URL requests only", pathOf(perm, "InvokedViaFunctionUrl"), true},
		{"URL invoke permission action", pathOf(perm, "Action"), "lambda:InvokeFunction"},
		{"URL invoke permission function", pathOf(perm, "FunctionName"), refTo("CallbackFunction")},
		{"own role", pathOf(fn, "Role"), getAttOf("CallbackRole", "Arn")},
		{"reserved concurrency from parameter", pathOf(fn, "ReservedConcurrentExecutions"), map[string]any{"Fn::If": []any{
			"HasCallbackReservedConcurrency", refTo("CallbackReservedConcurrency"), refTo("AWS::NoValue"),
		}}},
		{"queue URL", pathOf(fn, "Environment", "Variables", "QUEUE_URL"), refTo("CallbackQueue")},
		{"FETCH_ON from parameter", pathOf(fn, "Environment", "Variables", "FETCH_ON"), refTo("CallbackFetchOn")},
		{"public URL from parameter", pathOf(fn, "Environment", "Variables", "CALLBACK_PUBLIC_URL"), refTo("CallbackPublicUrl")},
		{"queue is a queue", []any{"Resources", "CallbackQueue", "Type"}, "AWS::SQS::Queue"},
		{"queue delay from parameter", pathOf(queue, "DelaySeconds"), refTo("CallbackQueueDelaySeconds")},
		{"queue redrives to the DLQ", pathOf(queue, "RedrivePolicy", "deadLetterTargetArn"), getAttOf("CallbackDeadLetterQueue", "Arn")},
		{"queue encrypted", pathOf(queue, "SqsManagedSseEnabled"), true},
		{"DLQ is a queue", []any{"Resources", "CallbackDeadLetterQueue", "Type"}, "AWS::SQS::Queue"},
		{"DLQ encrypted", pathOf(dlq, "SqsManagedSseEnabled"), true},
		{"signature alarm threshold from parameter", []any{"Resources", "CallbackSignatureFailuresAlarm", "Properties", "Threshold"}, refTo("SignatureFailureThreshold")},
		{"signature alarm metric", []any{"Resources", "CallbackSignatureFailuresAlarm", "Properties", "MetricName"}, "CallbackSignatureFailures"},
		{"contract alarm metric", []any{"Resources", "CallbackContractFindingsAlarm", "Properties", "MetricName"}, "CallbackContractFindings"},
		{"contract alarm on any error finding", []any{"Resources", "CallbackContractFindingsAlarm", "Properties", "Threshold"}, 0},
		{"signing key alarm metric", []any{"Resources", "CallbackSigningKeyMissingAlarm", "Properties", "MetricName"}, "SigningKeyMissing"},
		{"output URL", []any{"Outputs", "CallbackFunctionUrl", "Value"}, getAttOf("CallbackFunctionUrl", "FunctionUrl")},
		{"output queue URL", []any{"Outputs", "CallbackQueueUrl", "Value"}, refTo("CallbackQueue")},
		{"output queue ARN", []any{"Outputs", "CallbackQueueArn", "Value"}, getAttOf("CallbackQueue", "Arn")},
		{"output DLQ URL", []any{"Outputs", "CallbackDeadLetterQueueUrl", "Value"}, refTo("CallbackDeadLetterQueue")},
		{"output log group", []any{"Outputs", "CallbackLogGroupName", "Value"}, refTo("CallbackLogGroup")},
		{"parameter CallbackReservedConcurrency default (none)", []any{"Parameters", "CallbackReservedConcurrency", "Default"}, ""},
		{"parameter CallbackQueueDelaySeconds default", []any{"Parameters", "CallbackQueueDelaySeconds", "Default"}, 30},
		{"parameter CallbackQueueDelaySeconds maximum", []any{"Parameters", "CallbackQueueDelaySeconds", "MaxValue"}, 900},
		{"parameter CallbackPublicUrl default", []any{"Parameters", "CallbackPublicUrl", "Default"}, ""},
	})
}

// TestCallbackQueueRetention: the dead-letter queue keeps a message longer
// than the source queue, or a redriven message could expire on arrival.
func TestCallbackQueueRetention(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	src, _ := at(tmpl, "Resources", "CallbackQueue", "Properties", "MessageRetentionPeriod")
	dlq, _ := at(tmpl, "Resources", "CallbackDeadLetterQueue", "Properties", "MessageRetentionPeriod")
	s, ok1 := src.(int)
	d, ok2 := dlq.(int)
	if !ok1 || !ok2 || d <= s {
		t.Errorf("retention: queue %v, dead-letter queue %v; want the dead-letter queue's longer", src, dlq)
	}
	if n, _ := at(tmpl, "Resources", "CallbackQueue", "Properties", "RedrivePolicy", "maxReceiveCount"); n == nil {
		t.Error("the callback queue has no maxReceiveCount")
	}
}

// TestCallbackFetchOnDefault: the parameter's default is the receiver's own
// default, the terminal statuses, and its pattern takes every status the
// receiver knows and nothing else.
func TestCallbackFetchOnDefault(t *testing.T) {
	t.Parallel()
	param := mapAt(mustTemplate(t), "Parameters", "CallbackFetchOn")
	var terminal []string
	for _, s := range pipeline.TerminalStatuses {
		terminal = append(terminal, string(s))
	}
	if got := param["Default"]; got != strings.Join(terminal, ",") {
		// The order is free; the set is not.
		parts := strings.Split(got.(string), ",")
		slices.Sort(parts)
		slices.Sort(terminal)
		if !slices.Equal(parts, terminal) {
			t.Errorf("CallbackFetchOn default %v, want the terminal statuses %v", got, terminal)
		}
	}
	re := regexp.MustCompile("^(?:" + param["AllowedPattern"].(string) + ")$")
	for v, want := range map[string]bool{
		"completed": true, "completed,busy,failed,no-answer,canceled": true, "initiated,ringing,in-progress,queued": true,
		"": false, "completed, busy": false, "answered": false, "completed,": false,
	} {
		if re.MatchString(v) != want {
			t.Errorf("CallbackFetchOn pattern on %q: %v, want %v", v, !want, want)
		}
	}
}

func TestCallbackPublicURLPattern(t *testing.T) {
	t.Parallel()
	param := mapAt(mustTemplate(t), "Parameters", "CallbackPublicUrl")
	re := regexp.MustCompile("^(?:" + param["AllowedPattern"].(string) + ")$")
	for v, want := range map[string]bool{
		"": true, "https://hooks.example.com/signalwire/status": true,
		"http://hooks.example.com/x": false, "https://h.example/x?token=1": false, "https://h.example/x#f": false,
		"https://u@h.example/x": false, "https://h.example/a b": false,
	} {
		if re.MatchString(v) != want {
			t.Errorf("CallbackPublicUrl pattern on %q: %v, want %v", v, !want, want)
		}
	}
}

// TestOnlyTheProducersSendToTheQueue: sqs:SendMessage on the callback queue
// is granted to the roles of its two producers alone, the receiver and the
// reconciliation sweep, and the queue's delay is one SQS accepts.
func TestOnlyTheProducersSendToTheQueue(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	var senders []string
	for id := range resourcesOfType(tmpl, "AWS::IAM::Role") {
		grants, _ := roleGrants(t, tmpl, id)
		if slices.Contains(grants, grant{Action: "sqs:SendMessage", Resource: "CallbackQueue.Arn"}) {
			senders = append(senders, id)
		}
	}
	var want []string
	for _, fn := range []string{"CallbackFunction", "SweepFunction"} {
		role, _, _ := getAtt(mapAt(tmpl, "Resources", fn, "Properties")["Role"])
		want = append(want, role)
	}
	slices.Sort(want)
	slices.Sort(senders)
	if diff := cmp.Diff(want, senders); diff != "" {
		t.Errorf("roles allowed to send to CallbackQueue (-want +got):\n%s", diff)
	}
	p := mustStack(t).Parameters["CallbackQueueDelaySeconds"]
	if p.MinValue == nil || *p.MinValue != 0 || p.MaxValue == nil || *p.MaxValue != 900 {
		t.Errorf("CallbackQueueDelaySeconds bounds %v..%v, want 0..900, SQS's DelaySeconds", p.MinValue, p.MaxValue)
	}
	if err := p.Check(p.Default); err != nil {
		t.Errorf("CallbackQueueDelaySeconds default: %v", err)
	}
}
