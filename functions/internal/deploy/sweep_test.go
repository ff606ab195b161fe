package deploy

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
)

func TestSweepWiring(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	fn := []any{"Resources", "SweepFunction", "Properties"}
	schedule := []any{"Resources", "SweepFunction", "Properties", "Events", "Schedule", "Properties"}
	checkWiring(t, tmpl, []wiring{
		{"own role", pathOf(fn, "Role"), getAttOf("SweepRole", "Arn")},
		{"queue is the callback queue", pathOf(fn, "Environment", "Variables", "QUEUE_URL"), refTo("CallbackQueue")},
		{"idempotency table is publish's", pathOf(fn, "Environment", "Variables", "IDEMPOTENCY_TABLE"), refTo("PublishedEventsTable")},
		{"window from parameter", pathOf(fn, "Environment", "Variables", "SWEEP_WINDOW"), refTo("SweepWindow")},
		{"page limit from parameter", pathOf(fn, "Environment", "Variables", "SWEEP_PAGE_LIMIT"), refTo("SweepPageLimit")},
		{"idempotency TTL is publish's", pathOf(fn, "Environment", "Variables", "IDEMPOTENCY_TTL_HOURS"), refTo("IdempotencyTtlHours")},
		{"pagination-loop alarm keeps its state between runs", []any{"Resources", "SweepPaginationLoopsAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"pages of List Calls' largest size", pathOf(fn, "Environment", "Variables", "SWEEP_PAGE_SIZE"), "1000"},
		{"no function URL", pathOf(fn, "FunctionUrlConfig"), nil},
		{"no retry of a failed run", pathOf(fn, "EventInvokeConfig", "MaximumRetryAttempts"), 0},
		{"schedule type", pathOf(fn, "Events", "Schedule", "Type"), "ScheduleV2"},
		{"schedule expression", pathOf(schedule, "ScheduleExpression"), refTo("SweepSchedule")},
		{"schedule has no fixed name", pathOf(schedule, "OmitName"), true},
		{"schedule role", pathOf(schedule, "RoleArn"), getAttOf("SweepScheduleRole", "Arn")},
		{"schedule retries deliveries", pathOf(schedule, "RetryPolicy", "MaximumRetryAttempts"), 5},
		{"schedule gives up on a delivery after 15 minutes", pathOf(schedule, "RetryPolicy", "MaximumEventAgeInSeconds"), 900},
		{"schedule dead-letter queue", pathOf(schedule, "DeadLetterConfig"), map[string]any{"Arn": getAttOf("SweepScheduleDeadLetterQueue", "Arn")}},
		{"schedule input: the configured window, ending now", pathOf(schedule, "Input"), "{}"},
		{"errors alarm keeps its state between runs", []any{"Resources", "SweepErrorsAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"not-finished alarm keeps its state between runs", []any{"Resources", "SweepWindowsNotFinishedAlarm", "Properties", "TreatMissingData"}, "ignore"},
		{"output function", []any{"Outputs", "SweepFunctionArn", "Value"}, getAttOf("SweepFunction", "Arn")},
		{"output log group", []any{"Outputs", "SweepLogGroupName", "Value"}, refTo("SweepLogGroup")},
		{"output schedule DLQ URL", []any{"Outputs", "SweepScheduleDeadLetterQueueUrl", "Value"}, refTo("SweepScheduleDeadLetterQueue")},
		{"parameter SweepSchedule default", []any{"Parameters", "SweepSchedule", "Default"}, "rate(15 minutes)"},
		{"parameter SweepWindow default", []any{"Parameters", "SweepWindow", "Default"}, "2h"},
		{"parameter SweepPageLimit default", []any{"Parameters", "SweepPageLimit", "Default"}, 50},
		{"parameter SweepMaxGapMinutes default", []any{"Parameters", "SweepMaxGapMinutes", "Default"}, 45},
		{"parameter SweepExclusive default (no reservation)", []any{"Parameters", "SweepExclusive", "Default"}, "false"},
	})
}

// sweepFits checks one deployment's sweep parameters against each other
// and against the function's Timeout (seconds): the schedule's period is
// shorter than the window (windows overlap, so a late or failed run loses
// nothing) and longer than the Timeout (a run ends before the next starts);
// the "did not run" alarm waits longer than one period; and the idempotency
// record outlives the window, or a call swept again after its record
// expired would be published twice. A cron() schedule's period is not
// checked.
func sweepFits(timeout float64, params map[string]string) error {
	var errs []error
	window, err := time.ParseDuration(params["SweepWindow"])
	if err != nil {
		return fmt.Errorf("SweepWindow: %w", err)
	}
	ttl, err := strconv.Atoi(params["IdempotencyTtlHours"])
	if err != nil {
		return fmt.Errorf("IdempotencyTtlHours: %w", err)
	}
	if time.Duration(ttl)*time.Hour <= window {
		errs = append(errs, fmt.Errorf("IdempotencyTtlHours %d is not longer than SweepWindow %v; a call swept after its record expired is published again", ttl, window))
	}
	interval, isRate, err := scheduleMinutes(params["SweepSchedule"])
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("SweepSchedule %w", err))...)
	}
	if !isRate {
		return errors.Join(errs...)
	}
	period := time.Duration(interval) * time.Minute
	if period >= window {
		errs = append(errs, fmt.Errorf("SweepSchedule period %v is not shorter than SweepWindow %v; windows do not overlap and a late or failed run loses calls", period, window))
	}
	if timeout >= period.Seconds() {
		errs = append(errs, fmt.Errorf("sweep Timeout %v s is not below the SweepSchedule period %v; a slow run would overlap the next", timeout, period))
	}
	gap, err := strconv.Atoi(params["SweepMaxGapMinutes"])
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("SweepMaxGapMinutes: %w", err))...)
	}
	if gap <= interval {
		errs = append(errs, fmt.Errorf("SweepMaxGapMinutes %d is not above the SweepSchedule period %d min; the alarm would fire between two runs", gap, interval))
	}
	return errors.Join(errs...)
}

// TestSweepScheduleFits applies sweepFits to every deployment, and to
// deployments that break each rule.
func TestSweepScheduleFits(t *testing.T) {
	t.Parallel()
	timeout, err := number(mapAt(mustTemplate(t), "Resources", "SweepFunction", "Properties")["Timeout"])
	if err != nil {
		t.Fatal(err)
	}
	deployments := mustDeployments(t)
	for _, d := range deployments {
		if err := sweepFits(timeout, d.Params); err != nil {
			t.Errorf("%s: %v", d.Name, err)
		}
	}
	defaults := deployments[0]
	for _, tt := range []struct {
		name   string
		params map[string]string
		ok     bool
	}{
		{"defaults", nil, true},
		{"a cron schedule", map[string]string{"SweepSchedule": "cron(0/15 * * * ? *)"}, true},
		{"period as long as the window", map[string]string{"SweepSchedule": "rate(2 hours)", "SweepMaxGapMinutes": "150"}, false},
		{"period longer than the window", map[string]string{"SweepSchedule": "rate(3 hours)", "SweepMaxGapMinutes": "200"}, false},
		{"period within the Timeout", map[string]string{"SweepSchedule": "rate(5 minutes)"}, false},
		{"alarm gap within one period", map[string]string{"SweepMaxGapMinutes": "15"}, false},
		{"record shorter than the window", map[string]string{"SweepWindow": "6h", "IdempotencyTtlHours": "6"}, false},
		{"a wider window", map[string]string{"SweepWindow": "6h", "SweepSchedule": "rate(1 hour)", "SweepMaxGapMinutes": "90"}, true},
	} {
		d := defaults
		for k, v := range tt.params {
			if err := mustStack(t).Parameters[k].Check(v); err != nil {
				t.Fatalf("%s: %s=%q: %v", tt.name, k, v, err)
			}
			d = d.With(k, v)
		}
		if err := sweepFits(timeout, d.Params); (err == nil) != tt.ok {
			t.Errorf("%s: sweepFits = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
