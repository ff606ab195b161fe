package deploy

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/specwatch"
)

func TestSpecWatchWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	fn := []any{"Resources", "SpecWatchFunction", "Properties"}
	schedule := []any{"Resources", "SpecWatchFunction", "Properties", "Events", "Schedule", "Properties"}
	p := func(base []any, rest ...any) []any { return append(slices.Clone(base), rest...) }
	refTo := func(name string) any { return map[string]any{"Ref": name} }
	getAttOf := func(res, attr string) any { return map[string]any{"Fn::GetAtt": []any{res, attr}} }
	tests := []struct {
		name string
		path []any
		want any
	}{
		{"own role", p(fn, "Role"), getAttOf("SpecWatchRole", "Arn")},
		{"state in the idempotency table", p(fn, "Environment", "Variables", "IDEMPOTENCY_TABLE"), refTo("PublishedEventsTable")},
		{"events on the callwire bus", p(fn, "Environment", "Variables", "EVENT_BUS_NAME"), refTo("CallwireBus")},
		{"URL from parameter", p(fn, "Environment", "Variables", "SPEC_URL"), refTo("SpecWatchUrl")},
		{"hosts from parameter", p(fn, "Environment", "Variables", "SPEC_ALLOWED_HOSTS"), refTo("SpecWatchAllowedHosts")},
		{"no retry of a failed run", p(fn, "EventInvokeConfig", "MaximumRetryAttempts"), 0},
		{"schedule expression", p(schedule, "ScheduleExpression"), refTo("SpecWatchSchedule")},
		{"schedule role", p(schedule, "RoleArn"), getAttOf("SpecWatchScheduleRole", "Arn")},
		{"schedule dead-letter queue", p(schedule, "DeadLetterConfig"), map[string]any{"Arn": getAttOf("SpecWatchScheduleDeadLetterQueue", "Arn")}},
		{"parameter SpecWatchUrl default is the code's", []any{"Parameters", "SpecWatchUrl", "Default"}, specwatch.DefaultURL},
		{"parameter SpecWatchAllowedHosts default is the code's", []any{"Parameters", "SpecWatchAllowedHosts", "Default"}, "raw.githubusercontent.com"},
		{"output log group", []any{"Outputs", "SpecWatchLogGroupName", "Value"}, refTo("SpecWatchLogGroup")},
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

// TestSpecWatchRole checks the spec watch's least privilege: its one item
// of the table (dynamodb:LeadingKeys on the code's key), PutEvents on the
// callwire bus, the secret, its log group; nothing else.
func TestSpecWatchRole(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	stmts, _ := at(tmpl, "Resources", "SpecWatchRole", "Properties", "Policies", 0, "PolicyDocument", "Statement")
	var table map[string]any
	var sids []string
	for _, s := range stmts.([]any) {
		m, _ := s.(map[string]any)
		sid, ok := m["Sid"].(string)
		if !ok {
			continue // the KMS statement under !If
		}
		sids = append(sids, sid)
		if m["Sid"] == "OwnStateItem" {
			table = m
		}
	}
	if diff := cmp.Diff([]string{"WriteOwnLogs", "ReadSignalWireSecret", "OwnStateItem", "PutSpecChanged"}, sids); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	want := map[string]any{
		"Sid":      "OwnStateItem",
		"Effect":   "Allow",
		"Action":   []any{"dynamodb:GetItem", "dynamodb:PutItem"},
		"Resource": map[string]any{"Fn::GetAtt": []any{"PublishedEventsTable", "Arn"}},
		"Condition": map[string]any{"ForAllValues:StringEquals": map[string]any{
			"dynamodb:LeadingKeys": []any{idempotency.SpecStateID},
		}},
	}
	if diff := cmp.Diff(want, table); diff != "" {
		t.Errorf("table statement (-want +got):\n%s", diff)
	}
}
