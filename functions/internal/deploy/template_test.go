package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/emf"
)

const serverlessFunction = "AWS::Serverless::Function"

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

// runtimeVars are the variables the Lambda runtime sets itself; a template
// cannot set them (they are reserved), so a function may read them without
// the template naming them.
var runtimeVars = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// TestEnvironmentMatchesConfig compares each function's Environment.Variables
// with the variables its binary's loadConfig reads, apart from those the
// runtime sets.
func TestEnvironmentMatchesConfig(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	for id, dir := range functionDirs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			pkg, err := parseGoDir(filepath.Join(repoRoot, "functions", dir))
			if errors.Is(err, os.ErrNotExist) && dir == "driftcheck" {
				t.Skipf("functions/%s does not exist yet; %s cannot be checked", dir, id)
			}
			if err != nil {
				t.Fatal(err)
			}
			read, err := pkg.envVars(moduleImport)
			if err != nil {
				t.Fatalf("functions/%s: %v", dir, err)
			}
			want := slices.DeleteFunc(read, func(v string) bool { return runtimeVars[v] })
			vars := mapAt(tmpl, "Resources", id, "Properties", "Environment", "Variables")
			got := make([]string, 0, len(vars))
			for k := range vars {
				got = append(got, k)
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s Environment.Variables (-read by functions/%s +template):\n%s", id, dir, diff)
			}
			for k, v := range vars {
				if _, isRef := ref(v); isRef {
					continue
				}
				if _, ok := scalarString(v); !ok {
					t.Errorf("%s: %s = %v, want a string or a !Ref", id, k, v)
				}
			}
		})
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

// TestIAMNoWildcards looks at every policy statement in the template (SAM
// Policies, AWS::IAM::* resources, resource policies) for a * in an action
// or resource, and for NotAction/NotResource.
func TestIAMNoWildcards(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	params := mapAt(tmpl, "Parameters")
	var stmts []statement
	for id, r := range mapAt(tmpl, "Resources") {
		collectStatements(r, id, &stmts)
	}
	if len(stmts) == 0 {
		t.Fatal("no policy statements found; the walk is broken")
	}
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		for i, p := range sliceOf(props["Policies"]) {
			if !isPolicyDocument(p) {
				t.Errorf("%s.Policies[%d] = %v: want an inline policy document with Statement (managed policies and SAM policy templates are not checked)", id, i, p)
			}
		}
	}
	for _, s := range stmts {
		for _, k := range []string{"NotAction", "NotResource", "NotPrincipal"} {
			if _, ok := s.body[k]; ok {
				t.Errorf("%s: %s grants everything but a list; name what is allowed instead", s.where, k)
			}
		}
		for _, a := range leaves(s.body["Action"]) {
			if str, ok := a.(string); !ok || strings.Contains(str, "*") {
				t.Errorf("%s: Action %v: want a literal action without *", s.where, a)
			}
		}
		for _, r := range leaves(s.body["Resource"]) {
			if err := checkResource(r, params); err != nil {
				t.Errorf("%s: Resource %v: %v", s.where, r, err)
			}
		}
	}
}

type statement struct {
	where string
	body  map[string]any
}

// collectStatements finds every {"Statement": [...]} below v.
func collectStatements(v any, where string, out *[]statement) {
	switch x := v.(type) {
	case map[string]any:
		if list, ok := x["Statement"]; ok {
			for i, s := range leaves(list) {
				if m, ok := s.(map[string]any); ok {
					*out = append(*out, statement{where: fmt.Sprintf("%s statement %d", where, i), body: m})
				}
			}
		}
		for k, c := range x {
			collectStatements(c, where+"."+k, out)
		}
	case []any:
		for i, c := range x {
			collectStatements(c, fmt.Sprintf("%s[%d]", where, i), out)
		}
	}
}

// leaves flattens a value that may be a list, a single value or an Fn::If
// into its possible elements; AWS::NoValue branches drop out.
func leaves(v any) []any {
	if v == nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		if args, ok := m["Fn::If"].([]any); ok && len(m) == 1 && len(args) == 3 {
			return append(leaves(args[1]), leaves(args[2])...)
		}
		if r, ok := ref(m); ok && r == "AWS::NoValue" {
			return nil
		}
	}
	if s, ok := v.([]any); ok {
		var out []any
		for _, e := range s {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []any{v}
}

func sliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

func isPolicyDocument(v any) bool {
	for _, p := range leaves(v) {
		m, ok := p.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["Statement"]; !ok {
			return false
		}
	}
	return true
}

// wildcardProbes are ARNs a parameter referenced as an IAM Resource must reject.
var wildcardProbes = []string{
	"*",
	"arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
	"arn:aws:secretsmanager:*:123456789012:secret:x",
	"arn:aws:kms:us-east-1:123456789012:key/*",
	"arn:aws:kms:*:*:key/x",
}

// checkResource accepts a literal ARN without *, a !GetAtt, a !Ref to a
// resource or pseudo parameter, a !Ref to a parameter whose AllowedPattern
// rejects wildcards, and a !Sub whose text has no *.
func checkResource(r any, params map[string]any) error {
	switch x := r.(type) {
	case string:
		if strings.Contains(x, "*") {
			return errors.New("contains *")
		}
		return nil
	case map[string]any:
		if name, ok := ref(x); ok {
			p, isParam := params[name]
			if !isParam {
				return nil // a resource or pseudo parameter
			}
			pattern, _ := at(p, "AllowedPattern")
			ps, ok := pattern.(string)
			if !ok {
				return fmt.Errorf("parameter %s has no AllowedPattern, so it could be *", name)
			}
			re, err := regexp.Compile("^(?:" + ps + ")$")
			if err != nil {
				return fmt.Errorf("parameter %s AllowedPattern: %w", name, err)
			}
			for _, probe := range wildcardProbes {
				if re.MatchString(probe) {
					return fmt.Errorf("parameter %s AllowedPattern accepts %q", name, probe)
				}
			}
			return nil
		}
		if _, _, ok := getAtt(x); ok {
			return nil
		}
		if sub, ok := x["Fn::Sub"]; ok && len(x) == 1 {
			text := sub
			if s, ok := sub.([]any); ok && len(s) > 0 {
				text = s[0]
			}
			if s, ok := text.(string); !ok || strings.Contains(s, "*") {
				return errors.New("!Sub with * (or not a string)")
			}
			return nil
		}
	}
	return fmt.Errorf("unsupported resource expression %T", r)
}

// TestFunctionPolicies checks least privilege: each function may read the
// SignalWire secret and, when a customer managed key is set, decrypt with it
// through Secrets Manager; nothing else but its extraGrants.
func TestFunctionPolicies(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	for id := range functionDirs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			props := mapAt(tmpl, "Resources", id, "Properties")
			if _, ok := props["Role"]; ok {
				t.Fatal("Role is set; the checks expect SAM's generated role with inline Policies")
			}
			var got []grant
			for _, doc := range sliceOf(props["Policies"]) {
				stmts, _ := at(doc, "Statement")
				for _, raw := range sliceOf(stmts) {
					cond := ""
					s := raw
					if m, ok := raw.(map[string]any); ok {
						if args, ok := m["Fn::If"].([]any); ok && len(args) == 3 {
							cond, _ = args[0].(string)
							if r, _ := ref(args[2]); r != "AWS::NoValue" {
								t.Errorf("statement under !If %s has an else branch %v; want AWS::NoValue", cond, args[2])
							}
							s = args[1]
						}
					}
					if e, _ := at(s, "Effect"); e != "Allow" {
						t.Errorf("Effect = %v, want Allow", e)
					}
					res, _ := at(s, "Resource")
					resName, ok := ref(res)
					if r, a, isGetAtt := getAtt(res); isGetAtt {
						resName, ok = r+"."+a, true
					}
					if !ok {
						t.Errorf("Resource = %v, want !Ref <parameter> or !GetAtt <resource>.Arn", res)
					}
					for _, a := range leaves(mapAt(s)["Action"]) {
						as, _ := a.(string)
						got = append(got, grant{Action: as, Resource: resName, If: cond})
					}
				}
			}
			want := append([]grant{
				{Action: "kms:Decrypt", Resource: "SecretKmsKeyArn", If: "HasKmsKey"},
				{Action: "secretsmanager:GetSecretValue", Resource: "SignalWireSecretArn"},
			}, extraGrants[id]...)
			slices.SortFunc(want, func(a, b grant) int { return strings.Compare(a.Action, b.Action) })
			slices.SortFunc(got, func(a, b grant) int { return strings.Compare(a.Action, b.Action) })
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s grants (-want +got):\n%s", id, diff)
			}
			if env, _ := ref(mapAt(props, "Environment", "Variables")["SIGNALWIRE_SECRET_ID"]); env != "SignalWireSecretArn" {
				t.Errorf("SIGNALWIRE_SECRET_ID must be !Ref SignalWireSecretArn, the ARN the policy allows")
			}
		})
	}
}

// TestAlarmsMatchEmittedMetrics checks every alarm against the metrics the
// code emits: a callwire metric must be an emf constant that the function
// named by its Function dimension refers to.
func TestAlarmsMatchEmittedMetrics(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	emfPkg, err := parseGoDir(filepath.Join(repoRoot, "functions", "internal", "emf"))
	if err != nil {
		t.Fatal(err)
	}
	emfConsts := emfPkg.stringConsts()
	for name, v := range emfConsts {
		if v == emf.Namespace || v == emf.Count || v == emf.Milliseconds {
			delete(emfConsts, name) // not metric names
		}
	}
	if emfConsts["DriftNonConformant"] != emf.DriftNonConformant {
		t.Fatalf("parsed emf.DriftNonConformant = %q, compiled %q", emfConsts["DriftNonConformant"], emf.DriftNonConformant)
	}
	alarms := resourcesOfType(tmpl, "AWS::CloudWatch::Alarm")
	if len(alarms) == 0 {
		t.Fatal("no alarms in template.yaml")
	}
	functions := resourcesOfType(tmpl, serverlessFunction)
	topics := resourcesOfType(tmpl, "AWS::SNS::Topic")
	for id, a := range alarms {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			dims := map[string]any{}
			for _, d := range sliceOf(a["Dimensions"]) {
				name, _ := at(d, "Name")
				value, _ := at(d, "Value")
				dims[fmt.Sprint(name)] = value
			}
			metric, _ := a["MetricName"].(string)
			switch a["Namespace"] {
			case emf.Namespace:
				fn, ok := dims[emf.DimFunction].(string)
				if !ok {
					t.Fatalf("callwire alarm without a literal Function dimension: %v", dims)
				}
				// The functions emit FunctionName whenever the runtime sets
				// it, so an alarm without it would match no metric.
				if id, isRef := ref(dims[emf.DimFunctionName]); !isRef || functionDirs[id] != fn {
					t.Errorf("callwire alarm dimension FunctionName = %v, want !Ref to the %s function", dims[emf.DimFunctionName], fn)
				}
				if len(dims) != 2 {
					t.Errorf("callwire alarm dimensions = %v, want exactly Function and FunctionName (the set the functions emit)", dims)
				}
				pkg, err := parseGoDir(filepath.Join(repoRoot, "functions", fn))
				if errors.Is(err, os.ErrNotExist) && fn == "driftcheck" {
					t.Skipf("functions/%s does not exist yet", fn)
				}
				if err != nil {
					t.Fatal(err)
				}
				if emitted := pkg.emfMetrics(emfConsts); !slices.Contains(emitted, metric) {
					t.Errorf("MetricName %q is not emitted by functions/%s (it refers to %v)", metric, fn, emitted)
				}
			case "AWS/Lambda":
				if metric != "Errors" {
					t.Errorf("AWS/Lambda MetricName = %q, want Errors", metric)
				}
				fn, ok := ref(dims["FunctionName"])
				if _, isFn := functions[fn]; !ok || !isFn {
					t.Errorf("AWS/Lambda alarm dimension FunctionName = %v, want !Ref <function>", dims["FunctionName"])
				}
			default:
				t.Errorf("Namespace = %v, want %q or AWS/Lambda", a["Namespace"], emf.Namespace)
			}
			actions := leaves(a["AlarmActions"])
			if len(actions) == 0 {
				t.Error("alarm notifies nobody")
			}
			for _, act := range actions {
				if topic, ok := ref(act); !ok || topics[topic] == nil {
					t.Errorf("AlarmActions %v: want !Ref <SNS topic>", act)
				}
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
	p := func(base []any, rest ...any) []any { return append(slices.Clone(base), rest...) }
	refTo := func(name string) any { return map[string]any{"Ref": name} }
	getAttOf := func(res, attr string) any { return map[string]any{"Fn::GetAtt": []any{res, attr}} }
	tests := []struct {
		name string
		path []any
		want any
	}{
		{"function URL uses IAM auth", p(getcall, "FunctionUrlConfig", "AuthType"), "AWS_IAM"},
		{"rule is an EventBridge rule", p(getcall, "Events", "CallRequested", "Type"), "EventBridgeRule"},
		{"rule listens on the callwire bus", p(getcall, "Events", "CallRequested", "Properties", "EventBusName"), refTo("CallwireBus")},
		{"rule pattern", p(getcall, "Events", "CallRequested", "Properties", "Pattern"),
			map[string]any{"detail": map[string]any{"call_sid": []any{map[string]any{"exists": true}}}}},
		{"async retries", p(getcall, "EventInvokeConfig", "MaximumRetryAttempts"), 2},
		{"success destination type", p(getcall, "EventInvokeConfig", "DestinationConfig", "OnSuccess", "Type"), "EventBridge"},
		{"success destination is the bus", p(getcall, "EventInvokeConfig", "DestinationConfig", "OnSuccess", "Destination"), getAttOf("CallwireBus", "Arn")},
		{"failure destination type", p(getcall, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Type"), "SQS"},
		{"failure destination is the DLQ", p(getcall, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"), getAttOf("GetCallDeadLetterQueue", "Arn")},
		{"DLQ is a queue", []any{"Resources", "GetCallDeadLetterQueue", "Type"}, "AWS::SQS::Queue"},
		{"bus is an event bus", []any{"Resources", "CallwireBus", "Type"}, "AWS::Events::EventBus"},
		{"contract mode from parameter", p(getcall, "Environment", "Variables", "CONTRACT_MODE"), refTo("ContractMode")},
		{"schedule type", p(drift, "Events", "Schedule", "Type"), "ScheduleV2"},
		{"schedule expression", p(drift, "Events", "Schedule", "Properties", "ScheduleExpression"), refTo("DriftSchedule")},
		{"schedule does not retry", p(drift, "Events", "Schedule", "Properties", "RetryPolicy", "MaximumRetryAttempts"), 0},
		{"schedule input", p(drift, "Events", "Schedule", "Properties", "Input"), `{"probe_not_found": true}`},
		{"sample size from parameter", p(drift, "Environment", "Variables", "DRIFT_SAMPLE_RECENT"), refTo("DriftSampleRecent")},
		{"email subscription is conditional", []any{"Resources", "AlarmEmailSubscription", "Condition"}, "HasAlarmEmail"},
		{"email subscription endpoint", []any{"Resources", "AlarmEmailSubscription", "Properties", "Endpoint"}, refTo("AlarmEmail")},
		{"email subscription topic", []any{"Resources", "AlarmEmailSubscription", "Properties", "TopicArn"}, refTo("AlarmTopic")},
		{"output getcall ARN", []any{"Outputs", "GetCallFunctionArn", "Value"}, getAttOf("GetCallFunction", "Arn")},
		{"output driftcheck ARN", []any{"Outputs", "DriftCheckFunctionArn", "Value"}, getAttOf("DriftCheckFunction", "Arn")},
		{"output function URL", []any{"Outputs", "GetCallFunctionUrl", "Value"}, getAttOf("GetCallFunctionUrl", "FunctionUrl")},
		{"output topic", []any{"Outputs", "AlarmTopicArn", "Value"}, refTo("AlarmTopic")},
		{"output bus", []any{"Outputs", "CallwireBusName", "Value"}, refTo("CallwireBus")},
		{"output DLQ URL", []any{"Outputs", "DeadLetterQueueUrl", "Value"}, refTo("GetCallDeadLetterQueue")},
		{"drift alarm keeps its state between runs", []any{"Resources", "DriftNonConformantAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"errors alarm keeps its state between runs", []any{"Resources", "DriftCheckErrorsAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"parameter ContractMode values", []any{"Parameters", "ContractMode", "AllowedValues"}, []any{"warn", "strict", "off"}},
		{"parameter ContractMode default", []any{"Parameters", "ContractMode", "Default"}, "warn"},
		{"parameter DriftSchedule default", []any{"Parameters", "DriftSchedule", "Default"}, "rate(1 hour)"},
		{"parameter DriftSampleRecent default", []any{"Parameters", "DriftSampleRecent", "Default"}, 20},
		{"parameter AlarmEmail default", []any{"Parameters", "AlarmEmail", "Default"}, ""},
		{"parameter LogRetentionDays default", []any{"Parameters", "LogRetentionDays", "Default"}, 30},
		{"parameter SecretKmsKeyArn default", []any{"Parameters", "SecretKmsKeyArn", "Default"}, ""},
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

// TestRulePatternDoesNotLoop matches getcall's rule pattern against a
// request event (must match) and against the record Lambda publishes to the
// same bus on success (must not, or every success would invoke again).
func TestRulePatternDoesNotLoop(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	pattern := mapAt(tmpl, "Resources", "GetCallFunction", "Properties", "Events", "CallRequested", "Properties", "Pattern")
	if pattern == nil {
		t.Fatal("no CallRequested pattern")
	}
	request, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", "eventbridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var requestEvent map[string]any
	if err := json.Unmarshal(request, &requestEvent); err != nil {
		t.Fatal(err)
	}
	// The shape of a Lambda destination record for an EventBridge destination.
	success := map[string]any{
		"version":     "0",
		"id":          "0d5d3a4e-0000-4000-8000-000000000000",
		"detail-type": "Lambda Function Invocation Result - Success",
		"source":      "lambda",
		"account":     "123456789012",
		"time":        "2026-03-03T09:31:02Z",
		"region":      "us-east-1",
		"resources":   []any{"arn:aws:events:us-east-1:123456789012:event-bus/callwire-dev-calls", "arn:aws:lambda:us-east-1:123456789012:function:getcall:$LATEST"},
		"detail": map[string]any{
			"version":         "1.0",
			"timestamp":       "2026-03-03T09:31:02.000Z",
			"requestContext":  map[string]any{"requestId": "r", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:getcall:$LATEST", "condition": "Success", "approximateInvokeCount": 1},
			"requestPayload":  requestEvent,
			"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST"},
			"responsePayload": map[string]any{"schema": "callwire.call.v1", "call_sid": "c0c0ca11-0002-4b0b-9a55-0ac41be00002"},
		},
	}
	failure := map[string]any{"detail-type": "Lambda Function Invocation Result - Failure", "source": "lambda", "detail": mapAt(success, "detail")}
	tests := []struct {
		name  string
		event map[string]any
		want  bool
	}{
		{"request event from testdata", requestEvent, true},
		{"success record", success, false},
		{"failure record", failure, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := matchPattern(pattern, tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("pattern %v matches = %v, want %v", pattern, got, tt.want)
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
