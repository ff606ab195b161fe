package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIAMNoWildcards looks at every policy statement in the template (roles,
// resource policies) for a * in an action or resource, and for
// NotAction/NotResource. The functions use the roles written here and no
// policy SAM would attach (a generated role gets AWSLambdaBasicExecutionRole,
// which allows logs on every log group), so these are all their grants.
func TestIAMNoWildcards(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	checkNoWildcards(t, tmpl)
	roles := resourcesOfType(tmpl, "AWS::IAM::Role")
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		for _, k := range []string{"Policies", "PermissionsBoundary"} {
			if _, ok := props[k]; ok {
				t.Errorf("%s sets %s; grant through its Role instead", id, k)
			}
		}
		role, attr, ok := getAtt(props["Role"])
		if _, isRole := roles[role]; !ok || attr != "Arn" || !isRole {
			t.Errorf("%s.Role = %v, want !GetAtt <AWS::IAM::Role>.Arn; without it SAM generates a role with AWSLambdaBasicExecutionRole", id, props["Role"])
		}
	}
}

// checkNoWildcards checks every statement of tmpl, and every role's
// managed policies, which cannot be read from here.
func checkNoWildcards(t *testing.T, tmpl map[string]any) {
	t.Helper()
	params := mapAt(tmpl, "Parameters")
	var stmts []statement
	for id, r := range mapAt(tmpl, "Resources") {
		collectStatements(r, id, &stmts)
	}
	if len(stmts) == 0 {
		t.Fatal("no policy statements found; the walk is broken")
	}
	for id, props := range resourcesOfType(tmpl, "AWS::IAM::Role") {
		if arns := leaves(props["ManagedPolicyArns"]); len(arns) > 0 {
			t.Errorf("%s has ManagedPolicyArns %v; write the statements inline so they can be checked", id, arns)
		}
	}
	for _, s := range stmts {
		if s.trust {
			continue // a trust policy names principals, not resources
		}
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
		if _, ok := s.body["Resource"]; !ok && s.body["Principal"] == nil {
			t.Errorf("%s: no Resource", s.where)
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
	trust bool // in an AssumeRolePolicyDocument
}

// collectStatements finds every {"Statement": [...]} below v.
func collectStatements(v any, where string, out *[]statement) {
	switch x := v.(type) {
	case map[string]any:
		if list, ok := x["Statement"]; ok {
			for i, s := range leaves(list) {
				if m, ok := s.(map[string]any); ok {
					trust := strings.Contains(where, "AssumeRolePolicyDocument")
					*out = append(*out, statement{where: fmt.Sprintf("%s statement %d", where, i), body: m, trust: trust})
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

// grant is one action a role allows, on one resource, under a condition
// (If names the template condition of an !If around the statement).
type grant struct{ Action, Resource, If string }

// exprString names a Resource expression: "Ref X", "X.Arn" or the literal.
func exprString(v any) string {
	if name, ok := ref(v); ok {
		return "Ref " + name
	}
	if res, attr, ok := getAtt(v); ok {
		return res + "." + attr
	}
	return fmt.Sprint(v)
}

// roleGrants returns what role id allows, sorted, and its trust policy's
// statements.
func roleGrants(t *testing.T, tmpl map[string]any, id string) (grants []grant, trust []any) {
	t.Helper()
	props := mapAt(tmpl, "Resources", id, "Properties")
	if props == nil {
		t.Fatalf("no role %s", id)
	}
	for _, pol := range sliceOf(props["Policies"]) {
		stmts, _ := at(pol, "PolicyDocument", "Statement")
		for _, raw := range sliceOf(stmts) {
			cond, s := "", raw
			if m, ok := raw.(map[string]any); ok {
				if args, ok := m["Fn::If"].([]any); ok && len(args) == 3 {
					cond, _ = args[0].(string)
					if r, _ := ref(args[2]); r != "AWS::NoValue" {
						t.Errorf("%s: statement under !If %s has an else branch %v; want AWS::NoValue", id, cond, args[2])
					}
					s = args[1]
				}
			}
			if e, _ := at(s, "Effect"); e != "Allow" {
				t.Errorf("%s: Effect = %v, want Allow", id, e)
			}
			res, _ := at(s, "Resource")
			for _, a := range leaves(mapAt(s)["Action"]) {
				for _, r := range leaves(res) {
					as, _ := a.(string)
					grants = append(grants, grant{Action: as, Resource: exprString(r), If: cond})
				}
			}
		}
	}
	slices.SortFunc(grants, func(a, b grant) int {
		return strings.Compare(a.Action+" "+a.Resource, b.Action+" "+b.Resource)
	})
	stmts, _ := at(props, "AssumeRolePolicyDocument", "Statement")
	return grants, sliceOf(stmts)
}

// TestFunctionRoles checks least privilege: each function may write to its
// own log group, read the SignalWire secret and, when a customer managed key
// is set, decrypt with it through Secrets Manager; getcall also delivers its
// asynchronous results to the bus and the dead-letter queue, the callback
// receiver sends to the callback queue, publish consumes it, and the sweep
// reads the idempotency table and sends to the callback queue. Nothing else.
func TestFunctionRoles(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	secret := []grant{
		{Action: "kms:Decrypt", Resource: "Ref SecretKmsKeyArn", If: "HasKmsKey"},
		{Action: "secretsmanager:GetSecretValue", Resource: "Ref SignalWireSecretArn"},
	}
	logs := func(group string) []grant {
		return []grant{
			{Action: "logs:CreateLogStream", Resource: group + ".Arn"},
			{Action: "logs:PutLogEvents", Resource: group + ".Arn"},
		}
	}
	want := map[string][]grant{
		"GetCallFunction": append(append(logs("GetCallLogGroup"), secret...),
			grant{Action: "events:PutEvents", Resource: "CallwireBus.Arn"},
			grant{Action: "sqs:SendMessage", Resource: "GetCallDeadLetterQueue.Arn"}),
		"DriftCheckFunction": append(logs("DriftCheckLogGroup"), secret...),
		"CallbackFunction": append(append(logs("CallbackLogGroup"), secret...),
			grant{Action: "sqs:SendMessage", Resource: "CallbackQueue.Arn"}),
		"PublishFunction": append(append(logs("PublishLogGroup"), secret...), publishGrants...),
		"SweepFunction": append(append(logs("SweepLogGroup"), secret...),
			grant{Action: "dynamodb:BatchGetItem", Resource: "PublishedEventsTable.Arn"},
			grant{Action: "sqs:SendMessage", Resource: "CallbackQueue.Arn"}),
		// Its one item of the table: the LeadingKeys condition is checked
		// by TestSpecWatchRole.
		"SpecWatchFunction": append(append(logs("SpecWatchLogGroup"), secret...),
			grant{Action: "dynamodb:GetItem", Resource: "PublishedEventsTable.Arn"},
			grant{Action: "dynamodb:PutItem", Resource: "PublishedEventsTable.Arn"},
			grant{Action: "events:PutEvents", Resource: "CallwireBus.Arn"}),
	}
	for id := range functionDirs {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			props := mapAt(tmpl, "Resources", id, "Properties")
			role, _, ok := getAtt(props["Role"])
			if !ok {
				t.Fatalf("Role = %v, want !GetAtt <role>.Arn", props["Role"])
			}
			if group, _ := ref(mapAt(props, "LoggingConfig")["LogGroup"]); !slices.ContainsFunc(want[id], func(g grant) bool {
				return g.Resource == group+".Arn" && strings.HasPrefix(g.Action, "logs:")
			}) {
				t.Errorf("the expected grants do not name the function's own log group %s", group)
			}
			got, trust := roleGrants(t, tmpl, role)
			w := slices.Clone(want[id])
			slices.SortFunc(w, func(a, b grant) int { return strings.Compare(a.Action+" "+a.Resource, b.Action+" "+b.Resource) })
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("%s grants (-want +got):\n%s", role, diff)
			}
			wantTrust := []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
			}}
			if diff := cmp.Diff(wantTrust, trust); diff != "" {
				t.Errorf("%s trust policy (-want +got):\n%s", role, diff)
			}
			if env, _ := ref(mapAt(props, "Environment", "Variables")["SIGNALWIRE_SECRET_ID"]); env != "SignalWireSecretArn" {
				t.Errorf("SIGNALWIRE_SECRET_ID must be !Ref SignalWireSecretArn, the ARN the policy allows")
			}
		})
	}
	roles := map[string]bool{}
	for id := range functionDirs {
		role, _, _ := getAtt(mapAt(tmpl, "Resources", id, "Properties")["Role"])
		if roles[role] {
			t.Errorf("role %s is shared by two functions; give each its own", role)
		}
		roles[role] = true
	}
}

// TestScheduleRole checks the role EventBridge Scheduler takes to start
// each scheduled function (driftcheck, the sweep): only this account's
// schedules may take it, it may invoke that function alone and put
// undelivered runs on that schedule's own dead-letter queue, and no two
// schedules share a role or a dead-letter queue.
func TestScheduleRole(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	dlqs := map[string]string{"DriftCheckFunction": "DriftScheduleDeadLetterQueue", "SweepFunction": "SweepScheduleDeadLetterQueue",
		"SpecWatchFunction": "SpecWatchScheduleDeadLetterQueue"}
	var scheduled []string
	roles := map[string]string{}
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		for name, e := range mapAt(props, "Events") {
			if typ, _ := at(e, "Type"); typ != "ScheduleV2" {
				continue
			}
			scheduled = append(scheduled, id)
			sched := mapAt(e, "Properties")
			role, _, ok := getAtt(sched["RoleArn"])
			if !ok {
				t.Errorf("%s.Events.%s has no RoleArn; SAM would generate a role without the aws:SourceAccount condition", id, name)
				continue
			}
			if other, dup := roles[role]; dup {
				t.Errorf("schedule role %s is shared by %s and %s; give each its own", role, other, id)
			}
			roles[role] = id
			if dlq, _, _ := getAtt(mapAt(sched, "DeadLetterConfig")["Arn"]); dlq != dlqs[id] {
				t.Errorf("%s.Events.%s dead-letter queue %q, want %q", id, name, dlq, dlqs[id])
			}
			got, trust := roleGrants(t, tmpl, role)
			want := []grant{
				{Action: "lambda:InvokeFunction", Resource: id + ".Arn"},
				{Action: "sqs:SendMessage", Resource: dlqs[id] + ".Arn"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s grants (-want +got):\n%s", role, diff)
			}
			wantTrust := []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "scheduler.amazonaws.com"},
				"Action":    "sts:AssumeRole",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}},
			}}
			if diff := cmp.Diff(wantTrust, trust); diff != "" {
				t.Errorf("%s trust policy (-want +got):\n%s", role, diff)
			}
		}
	}
	slices.Sort(scheduled)
	if diff := cmp.Diff([]string{"DriftCheckFunction", "SpecWatchFunction", "SweepFunction"}, scheduled); diff != "" {
		t.Errorf("scheduled functions (-want +got):\n%s", diff)
	}
}
