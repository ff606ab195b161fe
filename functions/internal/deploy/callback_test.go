package deploy

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/pipeline"
)

// grant is one allowed action on one resource (a parameter's name, or
// Resource.Attribute of a !GetAtt), under an optional condition.
type grant struct{ Action, Resource, If string }

// extraGrants are the grants a function has beyond reading the secret.
var extraGrants = map[string][]grant{
	"CallbackFunction": {{Action: "sqs:SendMessage", Resource: "CallbackQueue.Arn"}},
}

func TestCallbackWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	fn := []any{"Resources", "CallbackFunction", "Properties"}
	p := func(base []any, rest ...any) []any { return append(slices.Clone(base), rest...) }
	refTo := func(name string) any { return map[string]any{"Ref": name} }
	getAttOf := func(res, attr string) any { return map[string]any{"Fn::GetAtt": []any{res, attr}} }
	queue := []any{"Resources", "CallbackQueue", "Properties"}
	dlq := []any{"Resources", "CallbackDeadLetterQueue", "Properties"}
	perm := []any{"Resources", "CallbackUrlInvokePermission", "Properties"}
	tests := []struct {
		name string
		path []any
		want any
	}{
		{"function URL without IAM auth", p(fn, "FunctionUrlConfig", "AuthType"), "NONE"},
		{"URL invoke permission is for URL requests only", p(perm, "InvokedViaFunctionUrl"), true},
		{"URL invoke permission action", p(perm, "Action"), "lambda:InvokeFunction"},
		{"URL invoke permission function", p(perm, "FunctionName"), refTo("CallbackFunction")},
		{"queue URL", p(fn, "Environment", "Variables", "QUEUE_URL"), refTo("CallbackQueue")},
		{"FETCH_ON from parameter", p(fn, "Environment", "Variables", "FETCH_ON"), refTo("CallbackFetchOn")},
		{"public URL from parameter", p(fn, "Environment", "Variables", "CALLBACK_PUBLIC_URL"), refTo("CallbackPublicUrl")},
		{"queue is a queue", []any{"Resources", "CallbackQueue", "Type"}, "AWS::SQS::Queue"},
		{"queue delay from parameter", p(queue, "DelaySeconds"), refTo("CallbackQueueDelaySeconds")},
		{"queue redrives to the DLQ", p(queue, "RedrivePolicy", "deadLetterTargetArn"), getAttOf("CallbackDeadLetterQueue", "Arn")},
		{"queue encrypted", p(queue, "SqsManagedSseEnabled"), true},
		{"DLQ is a queue", []any{"Resources", "CallbackDeadLetterQueue", "Type"}, "AWS::SQS::Queue"},
		{"DLQ encrypted", p(dlq, "SqsManagedSseEnabled"), true},
		{"signature alarm threshold from parameter", []any{"Resources", "CallbackSignatureFailuresAlarm", "Properties", "Threshold"}, refTo("SignatureFailureThreshold")},
		{"signature alarm metric", []any{"Resources", "CallbackSignatureFailuresAlarm", "Properties", "MetricName"}, "CallbackSignatureFailures"},
		{"contract alarm metric", []any{"Resources", "CallbackContractFindingsAlarm", "Properties", "MetricName"}, "CallbackContractFindings"},
		{"contract alarm on any error finding", []any{"Resources", "CallbackContractFindingsAlarm", "Properties", "Threshold"}, 0},
		{"signing key alarm metric", []any{"Resources", "CallbackSigningKeyMissingAlarm", "Properties", "MetricName"}, "SigningKeyMissing"},
		{"output URL", []any{"Outputs", "CallbackFunctionUrl", "Value"}, getAttOf("CallbackFunctionUrl", "FunctionUrl")},
		{"output queue URL", []any{"Outputs", "CallbackQueueUrl", "Value"}, refTo("CallbackQueue")},
		{"output queue ARN", []any{"Outputs", "CallbackQueueArn", "Value"}, getAttOf("CallbackQueue", "Arn")},
		{"parameter CallbackQueueDelaySeconds default", []any{"Parameters", "CallbackQueueDelaySeconds", "Default"}, 30},
		{"parameter CallbackQueueDelaySeconds maximum", []any{"Parameters", "CallbackQueueDelaySeconds", "MaxValue"}, 900},
		{"parameter CallbackPublicUrl default", []any{"Parameters", "CallbackPublicUrl", "Default"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _ := at(tmpl, tt.path...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%v (-want +got):\n%s", tt.path, diff)
			}
		})
	}
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

// TestOnlyTheReceiverSendsToTheQueue: sqs:SendMessage on the callback queue
// is granted to the receiver alone.
func TestOnlyTheReceiverSendsToTheQueue(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	var senders []string
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		var stmts []statement
		collectStatements(props["Policies"], id, &stmts)
		for _, s := range stmts {
			if slices.Contains(leaves(s.body["Action"]), any("sqs:SendMessage")) {
				for _, r := range leaves(s.body["Resource"]) {
					if res, _, ok := getAtt(r); ok && res == "CallbackQueue" {
						senders = append(senders, id)
					}
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"CallbackFunction"}, senders); diff != "" {
		t.Errorf("functions allowed to send to CallbackQueue (-want +got):\n%s", diff)
	}
	if d, _ := at(tmpl, "Parameters", "CallbackQueueDelaySeconds", "Default"); d != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(toString(d))); err != nil || n < 0 || n > 900 {
			t.Errorf("CallbackQueueDelaySeconds default %v is not a valid SQS delay", d)
		}
	}
}

func toString(v any) string {
	s, _ := scalarString(v)
	return s
}
