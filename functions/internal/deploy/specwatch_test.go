package deploy

import (
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
	checkWiring(t, tmpl, []wiring{
		{"own role", pathOf(fn, "Role"), getAttOf("SpecWatchRole", "Arn")},
		{"state in the idempotency table", pathOf(fn, "Environment", "Variables", "IDEMPOTENCY_TABLE"), refTo("PublishedEventsTable")},
		{"events on the callwire bus", pathOf(fn, "Environment", "Variables", "EVENT_BUS_NAME"), refTo("CallwireBus")},
		{"URL from parameter", pathOf(fn, "Environment", "Variables", "SPEC_URL"), refTo("SpecWatchUrl")},
		{"hosts from parameter", pathOf(fn, "Environment", "Variables", "SPEC_ALLOWED_HOSTS"), refTo("SpecWatchAllowedHosts")},
		{"no retry of a failed run", pathOf(fn, "EventInvokeConfig", "MaximumRetryAttempts"), 0},
		{"schedule expression", pathOf(schedule, "ScheduleExpression"), refTo("SpecWatchSchedule")},
		{"schedule role", pathOf(schedule, "RoleArn"), getAttOf("SpecWatchScheduleRole", "Arn")},
		{"schedule dead-letter queue", pathOf(schedule, "DeadLetterConfig"), map[string]any{"Arn": getAttOf("SpecWatchScheduleDeadLetterQueue", "Arn")}},
		{"parameter SpecWatchUrl default is the code's", []any{"Parameters", "SpecWatchUrl", "Default"}, specwatch.DefaultURL},
		{"parameter SpecWatchAllowedHosts default is the code's", []any{"Parameters", "SpecWatchAllowedHosts", "Default"}, "raw.githubusercontent.com"},
		{"output log group", []any{"Outputs", "SpecWatchLogGroupName", "Value"}, refTo("SpecWatchLogGroup")},
	})
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
