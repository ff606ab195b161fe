package deploy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTemplateFunctionsAreKnown(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	var got []string
	for id := range resourcesOfType(tmpl, serverlessFunction) {
		got = append(got, id)
	}
	slices.Sort(got)
	var want []string
	for id := range functionDirs {
		want = append(want, id)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("functions in template.yaml (-functionDirs +template):\n%s", diff)
	}
	if _, ok := tmpl["Globals"]; ok {
		t.Error("template.yaml has Globals; set every property on the function itself so these checks see it")
	}
	if got, _ := at(tmpl, "Transform"); got != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform = %v, want AWS::Serverless-2016-10-31", got)
	}
}

func TestFunctionShape(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	logGroups := resourcesOfType(tmpl, "AWS::Logs::LogGroup")
	for id := range functionDirs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			fn := mapAt(tmpl, "Resources", id)
			props := mapAt(fn, "Properties")
			checks := []struct {
				path []any
				want any
			}{
				{[]any{"Properties", "Handler"}, "bootstrap"},
				{[]any{"Properties", "Runtime"}, "provided.al2023"},
				{[]any{"Properties", "Architectures"}, []any{"arm64"}},
				{[]any{"Properties", "CodeUri"}, "functions/"},
				{[]any{"Metadata", "BuildMethod"}, "makefile"},
				{[]any{"Properties", "LoggingConfig", "LogFormat"}, "JSON"},
			}
			for _, c := range checks {
				got, _ := at(fn, c.path...)
				if diff := cmp.Diff(c.want, got); diff != "" {
					t.Errorf("%s.%v (-want +got):\n%s", id, c.path, diff)
				}
			}
			if pt, ok := props["PackageType"]; ok && pt != "Zip" {
				t.Errorf("PackageType = %v, want Zip (or unset)", pt)
			}
			mem, memOK := props["MemorySize"].(int)
			if !memOK || mem < 128 || mem > 10240 {
				t.Errorf("MemorySize = %v, want a number in 128..10240", props["MemorySize"])
			}
			timeout, timeoutOK := props["Timeout"].(int)
			if !timeoutOK || timeout < 1 || timeout > 900 {
				t.Errorf("Timeout = %v, want a number in 1..900", props["Timeout"])
			}
			lg, ok := ref(mapAt(props, "LoggingConfig")["LogGroup"])
			if !ok {
				t.Fatalf("LoggingConfig.LogGroup = %v, want !Ref <log group>", mapAt(props, "LoggingConfig")["LogGroup"])
			}
			group, ok := logGroups[lg]
			if !ok {
				t.Fatalf("LoggingConfig.LogGroup refers to %s, which is not an AWS::Logs::LogGroup", lg)
			}
			if r, _ := ref(group["RetentionInDays"]); r != "LogRetentionDays" {
				t.Errorf("%s.RetentionInDays = %v, want !Ref LogRetentionDays", lg, group["RetentionInDays"])
			}
		})
	}
}

// TestRefsResolve checks that every Ref, GetAtt and Condition names
// something the template declares.
func TestRefsResolve(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	resources := mapAt(tmpl, "Resources")
	params := mapAt(tmpl, "Parameters")
	conds := mapAt(tmpl, "Conditions")
	// SAM generates these from the functions' properties.
	generated := map[string]bool{}
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		generated[id+"Role"] = true
		if _, ok := props["FunctionUrlConfig"]; ok {
			generated[id+"Url"] = true
		}
	}
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			if name, ok := ref(x); ok {
				_, isRes := resources[name]
				_, isParam := params[name]
				if !isRes && !isParam && !generated[name] && !strings.HasPrefix(name, "AWS::") {
					t.Errorf("%s: !Ref %s names nothing declared", where, name)
				}
			}
			if res, _, ok := getAtt(x); ok {
				if _, isRes := resources[res]; !isRes && !generated[res] {
					t.Errorf("%s: !GetAtt %s names no resource", where, res)
				}
			}
			if args, ok := x["Fn::If"].([]any); ok && len(args) > 0 {
				if _, ok := conds[fmt.Sprint(args[0])]; !ok {
					t.Errorf("%s: !If %v names no condition", where, args[0])
				}
			}
			for k, c := range x {
				walk(c, where+"."+k)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s[%d]", where, i))
			}
		}
	}
	walk(resources, "Resources")
	walk(mapAt(tmpl, "Outputs"), "Outputs")
	walk(conds, "Conditions")
	for id, r := range resources {
		if c, ok := mapAt(r)["Condition"]; ok {
			if _, ok := conds[fmt.Sprint(c)]; !ok {
				t.Errorf("%s: Condition %v is not declared", id, c)
			}
		}
	}
}

func TestTemplateWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	getcall := []any{"Resources", "GetCallFunction", "Properties"}
	drift := []any{"Resources", "DriftCheckFunction", "Properties"}
	schedule := []any{"Resources", "DriftCheckFunction", "Properties", "Events", "Schedule", "Properties"}
	checkWiring(t, tmpl, []wiring{
		{"function URL uses IAM auth", pathOf(getcall, "FunctionUrlConfig", "AuthType"), "AWS_IAM"},
		{"rule is an EventBridge rule", pathOf(getcall, "Events", "CallRequested", "Type"), "EventBridgeRule"},
		{"rule listens on the callwire bus", pathOf(getcall, "Events", "CallRequested", "Properties", "EventBusName"), refTo("CallwireBus")},
		{"rule pattern", pathOf(getcall, "Events", "CallRequested", "Properties", "Pattern"), map[string]any{
			"source":      []any{refTo("CallRequestSource")},
			"detail-type": []any{refTo("CallRequestDetailType")},
			"detail":      map[string]any{"call_sid": []any{map[string]any{"exists": true}}},
		}},
		{"async retries", pathOf(getcall, "EventInvokeConfig", "MaximumRetryAttempts"), 2},
		{"success destination type", pathOf(getcall, "EventInvokeConfig", "DestinationConfig", "OnSuccess", "Type"), "EventBridge"},
		{"success destination is the bus", pathOf(getcall, "EventInvokeConfig", "DestinationConfig", "OnSuccess", "Destination"), getAttOf("CallwireBus", "Arn")},
		{"failure destination type", pathOf(getcall, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Type"), "SQS"},
		{"failure destination is the DLQ", pathOf(getcall, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"), getAttOf("GetCallDeadLetterQueue", "Arn")},
		{"DLQ is a queue", []any{"Resources", "GetCallDeadLetterQueue", "Type"}, "AWS::SQS::Queue"},
		{"bus is an event bus", []any{"Resources", "CallwireBus", "Type"}, "AWS::Events::EventBus"},
		{"contract mode from parameter", pathOf(getcall, "Environment", "Variables", "CONTRACT_MODE"), refTo("ContractMode")},
		{"driftcheck does not retry a failed run", pathOf(drift, "EventInvokeConfig", "MaximumRetryAttempts"), 0},
		{"schedule type", pathOf(drift, "Events", "Schedule", "Type"), "ScheduleV2"},
		{"schedule expression", pathOf(schedule, "ScheduleExpression"), refTo("DriftSchedule")},
		{"schedule has no fixed name", pathOf(schedule, "OmitName"), true},
		{"schedule role", pathOf(schedule, "RoleArn"), getAttOf("DriftScheduleRole", "Arn")},
		{"schedule retries deliveries", pathOf(schedule, "RetryPolicy", "MaximumRetryAttempts"), 5},
		{"schedule gives up on a delivery after 15 minutes", pathOf(schedule, "RetryPolicy", "MaximumEventAgeInSeconds"), 900},
		{"schedule dead-letter queue", pathOf(schedule, "DeadLetterConfig"), map[string]any{"Arn": getAttOf("DriftScheduleDeadLetterQueue", "Arn")}},
		{"schedule input", pathOf(schedule, "Input"), `{"probe_not_found": true}`},
		{"sample size from parameter", pathOf(drift, "Environment", "Variables", "DRIFT_SAMPLE_RECENT"), refTo("DriftSampleRecent")},
		{"email subscription is conditional", []any{"Resources", "AlarmEmailSubscription", "Condition"}, "HasAlarmEmail"},
		{"email subscription endpoint", []any{"Resources", "AlarmEmailSubscription", "Properties", "Endpoint"}, refTo("AlarmEmail")},
		{"email subscription topic", []any{"Resources", "AlarmEmailSubscription", "Properties", "TopicArn"}, refTo("AlarmTopic")},
		{"output getcall ARN", []any{"Outputs", "GetCallFunctionArn", "Value"}, getAttOf("GetCallFunction", "Arn")},
		{"output driftcheck ARN", []any{"Outputs", "DriftCheckFunctionArn", "Value"}, getAttOf("DriftCheckFunction", "Arn")},
		{"output function URL", []any{"Outputs", "GetCallFunctionUrl", "Value"}, getAttOf("GetCallFunctionUrl", "FunctionUrl")},
		{"output topic", []any{"Outputs", "AlarmTopicArn", "Value"}, refTo("AlarmTopic")},
		{"output bus", []any{"Outputs", "CallwireBusName", "Value"}, refTo("CallwireBus")},
		{"output DLQ URL", []any{"Outputs", "DeadLetterQueueUrl", "Value"}, refTo("GetCallDeadLetterQueue")},
		{"output schedule DLQ URL", []any{"Outputs", "DriftScheduleDeadLetterQueueUrl", "Value"}, refTo("DriftScheduleDeadLetterQueue")},
		{"drift alarm keeps its state between runs", []any{"Resources", "DriftNonConformantAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"errors alarm keeps its state between runs", []any{"Resources", "DriftCheckErrorsAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"parameter ContractMode values", []any{"Parameters", "ContractMode", "AllowedValues"}, []any{"warn", "strict", "off"}},
		{"parameter ContractMode default", []any{"Parameters", "ContractMode", "Default"}, "warn"},
		{"parameter DriftSchedule default", []any{"Parameters", "DriftSchedule", "Default"}, "rate(1 hour)"},
		{"parameter DriftSampleRecent default", []any{"Parameters", "DriftSampleRecent", "Default"}, 20},
		{"parameter DriftMaxGapMinutes default", []any{"Parameters", "DriftMaxGapMinutes", "Default"}, 90},
		{"parameter AlarmEmail default", []any{"Parameters", "AlarmEmail", "Default"}, ""},
		{"parameter LogRetentionDays default", []any{"Parameters", "LogRetentionDays", "Default"}, 30},
		{"parameter SecretKmsKeyArn default", []any{"Parameters", "SecretKmsKeyArn", "Default"}, ""},
		{"parameter CallRequestSource default", []any{"Parameters", "CallRequestSource", "Default"}, "callwire"},
		{"parameter CallRequestDetailType default", []any{"Parameters", "CallRequestDetailType", "Default"}, "Call Retrieval Requested"},
		{"parameter GetCallReservedConcurrency default (none)", []any{"Parameters", "GetCallReservedConcurrency", "Default"}, ""},
		{"parameter DriftCheckExclusive default (no reservation)", []any{"Parameters", "DriftCheckExclusive", "Default"}, "false"},
	})
}

// lambdaRecord is the shape of the record Lambda publishes to an
// EventBridge destination after an asynchronous invocation.
func lambdaRecord(condition string, request map[string]any) map[string]any {
	return map[string]any{
		"version":     "0",
		"id":          "0d5d3a4e-0000-4000-8000-000000000000",
		"detail-type": "Lambda Function Invocation Result - " + condition,
		"source":      "lambda",
		"account":     "111122223333",
		"time":        "2026-03-03T09:31:02Z",
		"region":      "us-east-1",
		"resources":   []any{"arn:aws:events:us-east-1:111122223333:event-bus/callwire-dev-calls", "arn:aws:lambda:us-east-1:111122223333:function:getcall:$LATEST"},
		"detail": map[string]any{
			"version":         "1.0",
			"timestamp":       "2026-03-03T09:31:02.000Z",
			"requestContext":  map[string]any{"requestId": "r", "functionArn": "arn:aws:lambda:us-east-1:111122223333:function:getcall:$LATEST", "condition": condition, "approximateInvokeCount": 1},
			"requestPayload":  request,
			"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST"},
			"responsePayload": map[string]any{"schema": "callwire.call.v1", "call_sid": "c0c0ca11-0002-4b0b-9a55-0ac41be00002"},
		},
	}
}

// TestRulePattern matches getcall's rule, as each deployment resolves it,
// against the request it serves (an event from CallRequestSource with
// CallRequestDetailType and detail.call_sid: must match), against events
// that only look alike (another source or detail-type, a detail.CallSid the
// handler is not sent) and against the records Lambda publishes to the same
// bus after each invocation (must not, or every success would invoke
// again).
func TestRulePattern(t *testing.T) {
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
			if pattern == nil {
				t.Fatal("no CallRequested pattern")
			}
			event := func(change func(e map[string]any)) map[string]any {
				e := maps.Clone(sample)
				e["source"] = d.Params["CallRequestSource"]
				e["detail-type"] = d.Params["CallRequestDetailType"]
				e["detail"] = maps.Clone(mapAt(sample, "detail"))
				if change != nil {
					change(e)
				}
				return e
			}
			request := event(nil)
			tests := []struct {
				name  string
				event map[string]any
				want  bool
			}{
				{"request", request, true},
				{"request with more detail", event(func(e map[string]any) { mapAt(e, "detail")["note"] = "x" }), true},
				{"another source", event(func(e map[string]any) { e["source"] = "com.example.other" }), false},
				{"another detail-type", event(func(e map[string]any) { e["detail-type"] = "Call Completed" }), false},
				{"CallSid instead of call_sid", event(func(e map[string]any) {
					e["detail"] = map[string]any{"CallSid": mapAt(sample, "detail")["call_sid"]}
				}), false},
				{"no call_sid", event(func(e map[string]any) { e["detail"] = map[string]any{} }), false},
				{"success record", lambdaRecord("Success", request), false},
				{"failure record", lambdaRecord("RetriesExhausted", request), false},
			}
			for _, tt := range tests {
				got, err := matchPattern(pattern, tt.event)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("%s: pattern %v matches = %v, want %v", tt.name, pattern, got, tt.want)
				}
			}
		})
	}
}

// matchPattern is a small EventBridge pattern matcher: nested objects, value
// lists, and the exists, prefix and anything-but operators. Other operators
// are an error so the check never passes by accident.
func matchPattern(pattern, event map[string]any) (bool, error) {
	for k, pv := range pattern {
		ev, present := event[k]
		if sub, ok := pv.(map[string]any); ok {
			em, ok := ev.(map[string]any)
			if !ok {
				return false, nil
			}
			m, err := matchPattern(sub, em)
			if err != nil || !m {
				return false, err
			}
			continue
		}
		list, ok := pv.([]any)
		if !ok {
			return false, fmt.Errorf("%s: pattern value %v is not a list", k, pv)
		}
		matched := false
		for _, want := range list {
			m, err := matchValue(want, ev, present)
			if err != nil {
				return false, fmt.Errorf("%s: %w", k, err)
			}
			matched = matched || m
		}
		if !matched {
			return false, nil
		}
	}
	return true, nil
}

func matchValue(want, ev any, present bool) (bool, error) {
	values := []any{ev}
	if s, ok := ev.([]any); ok {
		values = s
	}
	op, isOp := want.(map[string]any)
	if !isOp {
		for _, v := range values {
			if present && fmt.Sprint(v) == fmt.Sprint(want) {
				return true, nil
			}
		}
		return false, nil
	}
	if len(op) != 1 {
		return false, fmt.Errorf("operator %v", op)
	}
	for name, arg := range op {
		switch name {
		case "exists":
			b, ok := arg.(bool)
			if !ok {
				return false, fmt.Errorf("exists %v", arg)
			}
			_, isObj := ev.(map[string]any)
			return b == (present && !isObj), nil
		case "prefix":
			for _, v := range values {
				if s, ok := v.(string); ok && present && strings.HasPrefix(s, fmt.Sprint(arg)) {
					return true, nil
				}
			}
			return false, nil
		case "anything-but":
			for _, v := range values {
				for _, no := range leaves(arg) {
					if fmt.Sprint(v) == fmt.Sprint(no) {
						return false, nil
					}
				}
			}
			return present, nil
		}
		return false, fmt.Errorf("unsupported operator %q", name)
	}
	return false, nil
}
