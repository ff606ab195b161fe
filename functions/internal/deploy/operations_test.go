package deploy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nameProperties are the properties that give a resource a fixed physical
// name. Two stacks in one account and region (staging and prod) can only
// both be created when each such name contains the stack's name.
var nameProperties = []string{
	"Name", "FunctionName", "LogGroupName", "QueueName", "TopicName", "RoleName", "AlarmName",
	"DashboardName", "RuleName", "ScheduleName", "GroupName", "TableName", "BucketName", "StateMachineName",
}

// TestNoFixedNames checks every resource (and every SAM event source, which
// becomes one) for a physical name that a second stack in the same account
// and region would clash with.
func TestNoFixedNames(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	check := func(where string, props map[string]any) {
		for _, k := range nameProperties {
			v, ok := props[k]
			if !ok {
				continue
			}
			if !uniqueName(v, mapAt(tmpl, "Resources")) {
				t.Errorf("%s.%s = %v: a fixed name; a second stack in the account and region cannot be created. Leave it out or include ${AWS::StackName}", where, k, v)
			}
		}
	}
	for id, r := range mapAt(tmpl, "Resources") {
		check(id, mapAt(r, "Properties"))
		for name, e := range mapAt(r, "Properties", "Events") {
			props := mapAt(e, "Properties")
			check(id+".Events."+name, props)
			// SAM names a ScheduleV2 schedule <function><event> unless
			// told not to.
			if typ, _ := at(e, "Type"); typ == "ScheduleV2" && props["Name"] == nil && props["OmitName"] != true {
				t.Errorf("%s.Events.%s: a ScheduleV2 without Name gets the fixed name %s%s; set OmitName: true", id, name, id, name)
			}
		}
	}
}

// uniqueName reports whether a name expression differs between two stacks:
// it contains the stack's name, or it is another resource's name or
// attribute (which CloudFormation makes unique).
func uniqueName(v any, resources map[string]any) bool {
	if r, ok := ref(v); ok {
		_, isResource := resources[r]
		return r == "AWS::StackName" || isResource
	}
	if _, _, ok := getAtt(v); ok {
		return true
	}
	if sub, ok := mapAt(v)["Fn::Sub"]; ok {
		text := sub
		if l := sliceOf(sub); len(l) > 0 {
			text = l[0]
		}
		s, _ := text.(string)
		if strings.Contains(s, "${AWS::StackName}") {
			return true
		}
		for id := range resources {
			if strings.Contains(s, "${"+id+"}") || strings.Contains(s, "${"+id+".") {
				return true
			}
		}
		return false
	}
	if join := sliceOf(mapAt(v)["Fn::Join"]); len(join) == 2 {
		for _, part := range sliceOf(join[1]) {
			if uniqueName(part, resources) {
				return true
			}
		}
	}
	return false
}

// TestRetainedResources checks that deleting or replacing the stack keeps
// what holds history: the log groups (the drift reports, the callback
// log) and the dead-letter queues (the failed invocations, the unprocessed
// callback hints).
func TestRetainedResources(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	keep := deadLetterQueues(tmpl)
	for id := range resourcesOfType(tmpl, "AWS::Logs::LogGroup") {
		keep[id] = true
	}
	want := []string{
		"CallbackDeadLetterQueue", "CallbackLogGroup", "DriftCheckLogGroup", "DriftScheduleDeadLetterQueue",
		"GetCallDeadLetterQueue", "GetCallLogGroup", "PublishLogGroup", "SpecWatchLogGroup", "SpecWatchScheduleDeadLetterQueue",
		"SweepLogGroup", "SweepScheduleDeadLetterQueue",
	}
	if got := slices.Sorted(mapsKeys(keep)); !slices.Equal(got, want) {
		t.Errorf("retained resources %v, want every function's log group and every dead-letter queue %v", got, want)
	}
	for id := range keep {
		r := mapAt(tmpl, "Resources", id)
		for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			if r[k] != "Retain" {
				t.Errorf("%s.%s = %v, want Retain", id, k, r[k])
			}
		}
	}
}

// TestAlarmEmailSubscription checks that an empty AlarmEmail subscribes
// nobody and an address subscribes exactly that address.
func TestAlarmEmailSubscription(t *testing.T) {
	t.Parallel()
	for _, d := range mustDeployments(t) {
		for _, email := range []string{"", "ops@callwire.test"} {
			tmpl := mustResolve(t, d.With("AlarmEmail", email))
			subs := resourcesOfType(tmpl, "AWS::SNS::Subscription")
			var got []string
			for _, s := range subs {
				got = append(got, fmt.Sprint(s["Protocol"], ":", s["Endpoint"]))
			}
			var want []string
			if email != "" {
				want = []string{"email:" + email}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s with AlarmEmail %q: subscriptions (-want +got):\n%s", d.Name, email, diff)
			}
		}
	}
}

// TestConcurrency checks the reservations: none by default (an account at a
// low concurrency quota rejects any), getcall's when GetCallReservedConcurrency
// is set, the callback receiver's when CallbackReservedConcurrency is set,
// and driftcheck's and the sweep's only ever 1, so that runs never overlap.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	defaults := mustDeployments(t)[0]
	reserved := func(tmpl map[string]any, id string) any {
		v, _ := at(tmpl, "Resources", id, "Properties", "ReservedConcurrentExecutions")
		return v
	}
	tests := []struct {
		name                                string
		params                              map[string]string
		getcall, drifting, callback, sweeps any
	}{
		{"defaults", nil, nil, nil, nil, nil},
		{"getcall reserved", map[string]string{"GetCallReservedConcurrency": "25"}, "25", nil, nil, nil},
		{"drift runs exclusive", map[string]string{"DriftCheckExclusive": "true"}, nil, 1, nil, nil},
		{"callback reserved", map[string]string{"CallbackReservedConcurrency": "50"}, nil, nil, "50", nil},
		{"sweeps exclusive", map[string]string{"SweepExclusive": "true"}, nil, nil, nil, 1},
	}
	for _, tt := range tests {
		d := defaults
		for k, v := range tt.params {
			if err := mustStack(t).Parameters[k].Check(v); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			d = d.With(k, v)
		}
		tmpl := mustResolve(t, d)
		if got := reserved(tmpl, "GetCallFunction"); got != tt.getcall {
			t.Errorf("%s: getcall ReservedConcurrentExecutions = %v, want %v", tt.name, got, tt.getcall)
		}
		if got := reserved(tmpl, "DriftCheckFunction"); got != tt.drifting {
			t.Errorf("%s: driftcheck ReservedConcurrentExecutions = %v, want %v", tt.name, got, tt.drifting)
		}
		if got := reserved(tmpl, "CallbackFunction"); got != tt.callback {
			t.Errorf("%s: callback ReservedConcurrentExecutions = %v, want %v", tt.name, got, tt.callback)
		}
		if got := reserved(tmpl, "SweepFunction"); got != tt.sweeps {
			t.Errorf("%s: sweep ReservedConcurrentExecutions = %v, want %v", tt.name, got, tt.sweeps)
		}
	}
	for _, name := range []string{"GetCallReservedConcurrency", "CallbackReservedConcurrency"} {
		for _, bad := range []string{"0", "-1", "x", "1.5"} {
			if err := mustStack(t).Parameters[name].Check(bad); err == nil {
				t.Errorf("%s accepts %q", name, bad)
			}
		}
	}
	for _, d := range mustDeployments(t) {
		for _, id := range []string{"DriftCheckFunction", "SweepFunction"} {
			if got := reserved(mustResolve(t, d), id); got != nil && got != 1 {
				t.Errorf("%s: %s ReservedConcurrentExecutions = %v; more than 1 lets runs overlap", d.Name, id, got)
			}
		}
	}
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// scheduleMinutes returns the interval of a rate() expression in minutes.
func scheduleMinutes(expr string) (int, bool, error) {
	if strings.HasPrefix(expr, "cron(") {
		return 0, false, nil
	}
	m := rateExpr.FindStringSubmatch(expr)
	if m == nil {
		return 0, false, fmt.Errorf("%q is not rate(<n> minute[s]|hour[s]|day[s])", expr)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || (n == 1) != !strings.HasSuffix(m[2], "s") {
		return 0, false, fmt.Errorf("%q: EventBridge Scheduler wants a singular unit for 1 and a plural one otherwise", expr)
	}
	switch strings.TrimSuffix(m[2], "s") {
	case "hour":
		n *= 60
	case "day":
		n *= 24 * 60
	}
	return n, true, nil
}

// TestDriftScheduleFits checks, for every deployment, that the schedule
// leaves no room for overlapping runs (driftcheck's Timeout is below the
// interval) and that the "did not run" alarm waits longer than one
// interval.
func TestDriftScheduleFits(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	timeout, err := number(mapAt(tmpl, "Resources", "DriftCheckFunction", "Properties")["Timeout"])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range mustDeployments(t) {
		interval, ok, err := scheduleMinutes(d.Params["DriftSchedule"])
		if err != nil {
			t.Errorf("%s: DriftSchedule %v", d.Name, err)
			continue
		}
		gap, err := strconv.Atoi(d.Params["DriftMaxGapMinutes"])
		if err != nil {
			t.Errorf("%s: DriftMaxGapMinutes %q: %v", d.Name, d.Params["DriftMaxGapMinutes"], err)
			continue
		}
		if !ok {
			t.Logf("%s: DriftSchedule %s is a cron expression; its interval is not checked here", d.Name, d.Params["DriftSchedule"])
			continue
		}
		if timeout >= float64(interval*60) {
			t.Errorf("%s: driftcheck Timeout %v s is not below the schedule's interval %d min; a slow run would overlap the next", d.Name, timeout, interval)
		}
		if gap <= interval {
			t.Errorf("%s: DriftMaxGapMinutes %d is not above the schedule's interval %d min; the alarm would fire between two runs", d.Name, gap, interval)
		}
	}
	for _, tt := range []struct {
		expr string
		want int
		ok   bool
	}{{"rate(1 hour)", 60, true}, {"rate(15 minutes)", 15, true}, {"rate(2 days)", 2880, true}, {"cron(0 * * * ? *)", 0, false}} {
		got, ok, err := scheduleMinutes(tt.expr)
		if err != nil || got != tt.want || ok != tt.ok {
			t.Errorf("scheduleMinutes(%q) = %d, %v, %v; want %d, %v", tt.expr, got, ok, err, tt.want, tt.ok)
		}
	}
	for _, bad := range []string{"rate(1 hours)", "rate(2 hour)", "rate(0 minutes)", "every hour"} {
		if _, _, err := scheduleMinutes(bad); err == nil {
			t.Errorf("scheduleMinutes(%q): nil error", bad)
		}
	}
}
