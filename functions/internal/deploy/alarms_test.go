package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/callwire/callwire/functions/internal/emf"
)

// awsMetrics are the metrics of AWS namespaces the alarms and the dashboard
// may use, with the one dimension each is read by and the resource type that
// dimension names.
var awsMetrics = map[string]struct {
	dim, resourceType string
	names             []string
}{
	"AWS/Lambda": {"FunctionName", serverlessFunction, []string{
		"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions",
		"DestinationDeliveryFailures", "DeadLetterErrors", "AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped",
	}},
	"AWS/SQS": {"QueueName", "AWS::SQS::Queue", []string{
		"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesNotVisible",
		"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
	}},
}

// metricRef is a metric an alarm or a dashboard widget reads.
type metricRef struct {
	where     string
	namespace string
	name      string
	dims      map[string]any // dimension name -> value as written
}

// metricChecker checks metric references against the code and the
// template. target says which resource a dimension value names (a !Ref or
// !GetAtt in an alarm, a rendered name in the dashboard).
type metricChecker struct {
	tmpl    map[string]any
	target  func(v any) (id string, ok bool)
	emitted map[string][]metric // by function directory
}

func newMetricChecker(t *testing.T, tmpl map[string]any, target func(v any) (string, bool)) *metricChecker {
	t.Helper()
	c := &metricChecker{tmpl: tmpl, target: target, emitted: map[string][]metric{}}
	for _, f := range functions {
		c.emitted[f.dir] = f.declaredMetrics()
	}
	return c
}

// check returns what is wrong with m, or nil.
func (c *metricChecker) check(m metricRef) error {
	var dimNames []string
	for k := range m.dims {
		dimNames = append(dimNames, k)
	}
	switch m.namespace {
	case emf.Namespace:
		fn, ok := m.dims[emf.DimFunction].(string)
		if !ok {
			return fmt.Errorf("callwire metric without a literal %s dimension: %v", emf.DimFunction, m.dims)
		}
		id, ok := c.target(m.dims[emf.DimFunctionName])
		if !ok || functionDirs[id] != fn {
			// The functions emit FunctionName whenever the runtime sets it,
			// so a reference without it would match no metric.
			return fmt.Errorf("dimension %s = %v, want the %s function", emf.DimFunctionName, m.dims[emf.DimFunctionName], fn)
		}
		want := newMetric(m.name, dimNames)
		if !slices.Contains(c.emitted[fn], want) {
			return fmt.Errorf("%v is not a metric functions/%s declares (it declares %v)", want, fn, c.emitted[fn])
		}
		return nil
	}
	spec, ok := awsMetrics[m.namespace]
	if !ok {
		return fmt.Errorf("namespace %q is neither %q nor one of %v", m.namespace, emf.Namespace, slices.Sorted(mapsKeys(awsMetrics)))
	}
	if !slices.Contains(spec.names, m.name) {
		return fmt.Errorf("%s has no metric %q this template uses (known: %v)", m.namespace, m.name, spec.names)
	}
	if len(m.dims) != 1 {
		return fmt.Errorf("dimensions %v, want exactly %s", m.dims, spec.dim)
	}
	id, ok := c.target(m.dims[spec.dim])
	if typ, _ := at(c.tmpl, "Resources", id, "Type"); !ok || typ != spec.resourceType {
		return fmt.Errorf("dimension %s = %v, want one of the stack's %s resources", spec.dim, m.dims[spec.dim], spec.resourceType)
	}
	return nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// alarmTarget resolves an alarm's dimension value to the resource it names.
func alarmTarget(v any) (string, bool) {
	if id, ok := ref(v); ok {
		return id, true
	}
	if id, attr, ok := getAtt(v); ok && attr == "QueueName" {
		return id, true
	}
	return "", false
}

func alarmMetric(id string, props map[string]any) metricRef {
	dims := map[string]any{}
	for _, d := range sliceOf(props["Dimensions"]) {
		name, _ := at(d, "Name")
		value, _ := at(d, "Value")
		dims[fmt.Sprint(name)] = value
	}
	ns, _ := props["Namespace"].(string)
	name, _ := props["MetricName"].(string)
	return metricRef{where: id, namespace: ns, name: name, dims: dims}
}

// TestAlarms checks every alarm, in every deployment, against the metrics
// the code emits and the limits CloudWatch sets, and that it notifies the
// alarm topic when it fires and when it clears.
func TestAlarms(t *testing.T) {
	t.Parallel()
	for _, d := range mustDeployments(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			tmpl := mustResolve(t, d)
			alarms := resourcesOfType(tmpl, "AWS::CloudWatch::Alarm")
			if len(alarms) == 0 {
				t.Fatal("no alarms in template.yaml")
			}
			c := newMetricChecker(t, tmpl, alarmTarget)
			topics := resourcesOfType(tmpl, "AWS::SNS::Topic")
			for id, a := range alarms {
				if err := c.check(alarmMetric(id, a)); err != nil {
					t.Errorf("%s: %v", id, err)
				}
				for _, key := range []string{"AlarmActions", "OKActions"} {
					actions := leaves(a[key])
					if len(actions) == 0 {
						t.Errorf("%s: no %s", id, key)
					}
					for _, act := range actions {
						if topic, ok := ref(act); !ok || topics[topic] == nil {
							t.Errorf("%s: %s %v: want !Ref <SNS topic>", id, key, act)
						}
					}
				}
				if !slices.Contains([]any{"breaching", "notBreaching", "ignore", "missing"}, a["TreatMissingData"]) {
					t.Errorf("%s: TreatMissingData = %v; say what a period without data means", id, a["TreatMissingData"])
				}
				if _, ok := a["AlarmDescription"].(string); !ok {
					t.Errorf("%s: no AlarmDescription; the notification should say what to do", id)
				}
				period, err1 := number(a["Period"])
				periods, err2 := number(a["EvaluationPeriods"])
				toAlarm := periods
				if v, ok := a["DatapointsToAlarm"]; ok {
					toAlarm, _ = number(v)
				}
				if err := cmpErrs(err1, err2); err != nil {
					t.Errorf("%s: %v", id, err)
					continue
				}
				limit := 86400.0 // CloudWatch: a day of evaluation for periods under an hour, 7 days above
				if period >= 3600 {
					limit = 7 * 86400
				}
				if period < 60 || int(period)%60 != 0 || periods < 1 || periods*period > limit || toAlarm < 1 || toAlarm > periods {
					t.Errorf("%s: Period %v x EvaluationPeriods %v (DatapointsToAlarm %v) is not an alarm CloudWatch accepts", id, period, periods, toAlarm)
				}
			}
		})
	}
}

func number(v any) (float64, error) {
	s, ok := scalarString(v)
	if !ok {
		return 0, fmt.Errorf("%v is not a number", v)
	}
	return strconv.ParseFloat(s, 64)
}

func cmpErrs(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// alarmOn finds the alarms on namespace/name whose dimension dim names id.
func alarmOn(tmpl map[string]any, namespace, name, dim, id string) []map[string]any {
	var out []map[string]any
	for aid, a := range resourcesOfType(tmpl, "AWS::CloudWatch::Alarm") {
		m := alarmMetric(aid, a)
		if target, ok := alarmTarget(m.dims[dim]); m.namespace == namespace && m.name == name && ok && target == id {
			out = append(out, a)
		}
	}
	return out
}

// deadLetterQueues returns the queues the template uses to keep what could
// not be processed: Lambda's OnFailure destinations, schedule and rule
// dead-letter configs, and redrive targets.
func deadLetterQueues(tmpl map[string]any) map[string]bool {
	out := map[string]bool{}
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			if id, attr, ok := getAtt(x); ok && attr == "Arn" && (key == "OnFailure" || key == "DeadLetterConfig" || key == "deadLetterTargetArn" || key == "DeadLetterQueue") {
				out[id] = true
			}
			for k, c := range x {
				next := k
				if k == "Destination" || k == "Arn" || k == "TargetArn" {
					next = key
				}
				walk(c, next)
			}
		case []any:
			for _, c := range x {
				walk(c, key)
			}
		}
	}
	walk(mapAt(tmpl, "Resources"), "")
	for id := range out {
		if typ, _ := at(tmpl, "Resources", id, "Type"); typ != "AWS::SQS::Queue" {
			delete(out, id)
		}
	}
	return out
}

// TestRequiredAlarms checks that no failure goes unnoticed: every function
// has an Errors alarm; one that serves requests a Throttles alarm; one with
// asynchronous destinations a DestinationDeliveryFailures alarm; one on a
// schedule an alarm for a run that did not happen; every dead-letter queue a
// depth alarm; drift raises DriftNonConformant; a sweep that left its window
// unread raises SweepWindowsNotFinished, and one stopped by a pagination
// loop SweepPaginationLoops; and the callback receiver's
// own failures (bad signatures over the threshold, payload findings, no
// signing key, a secret or queue that failed) raise theirs.
func TestRequiredAlarms(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	type need struct {
		namespace, name, dim, id, why string
		check                         func(a map[string]any) error
	}
	above := func(threshold float64) func(a map[string]any) error {
		return func(a map[string]any) error {
			if th, err := number(a["Threshold"]); err != nil || th != threshold || a["ComparisonOperator"] != "GreaterThanThreshold" {
				return fmt.Errorf("want > %v, got %v %v", threshold, a["ComparisonOperator"], a["Threshold"])
			}
			return nil
		}
	}
	var needs []need
	for id, props := range resourcesOfType(tmpl, serverlessFunction) {
		needs = append(needs, need{"AWS/Lambda", "Errors", "FunctionName", id, "every function fails sometimes", nil})
		events := mapAt(props, "Events")
		serves := props["FunctionUrlConfig"] != nil
		for name, e := range events {
			switch typ, _ := at(e, "Type"); typ {
			case "ScheduleV2", "Schedule":
				needs = append(needs, need{"AWS/Lambda", "Invocations", "FunctionName", id, "event " + name + " is a schedule; a schedule that stops must be seen",
					func(a map[string]any) error {
						if a["ComparisonOperator"] != "LessThanThreshold" || a["TreatMissingData"] != "breaching" {
							return fmt.Errorf("want LessThanThreshold with TreatMissingData breaching, got %v, %v", a["ComparisonOperator"], a["TreatMissingData"])
						}
						if th, _ := number(a["Threshold"]); th != 1 {
							return fmt.Errorf("Threshold %v, want 1 (no invocation)", a["Threshold"])
						}
						gap, ok := ref(a["EvaluationPeriods"])
						if dp, _ := ref(a["DatapointsToAlarm"]); !ok || dp != gap {
							return fmt.Errorf("EvaluationPeriods and DatapointsToAlarm must both be !Ref to the longest-gap parameter")
						}
						if p, _ := number(a["Period"]); p != 60 {
							return fmt.Errorf("Period %v, want 60 (the gap parameter counts minutes)", a["Period"])
						}
						return nil
					}})
			default:
				serves = true
			}
		}
		if serves {
			needs = append(needs, need{"AWS/Lambda", "Throttles", "FunctionName", id, "it serves requests", above(0)})
		}
		if mapAt(props, "EventInvokeConfig", "DestinationConfig") != nil {
			needs = append(needs, need{"AWS/Lambda", "DestinationDeliveryFailures", "FunctionName", id, "it has asynchronous destinations", above(0)})
		}
	}
	for q := range deadLetterQueues(tmpl) {
		needs = append(needs, need{"AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, "it is a dead-letter queue", above(0)})
	}
	needs = append(needs,
		need{emf.Namespace, emf.DriftNonConformant, emf.DimFunctionName, "DriftCheckFunction", "drift is what driftcheck is for", above(0)},
		need{emf.Namespace, emf.SweepWindowsNotFinished, emf.DimFunctionName, "SweepFunction", "a sweep that stops early leaves calls unread", above(0)},
		need{emf.Namespace, emf.SpecBreakingChanges, emf.DimFunctionName, "SpecWatchFunction", "SignalWire's document changed in a way that breaks a reader", above(0)},
		need{emf.Namespace, emf.SpecWatchFailures, emf.DimFunctionName, "SpecWatchFunction", "a failed fetch must not pass for no change", above(0)},
		need{emf.Namespace, emf.SweepPaginationLoops, emf.DimFunctionName, "SweepFunction", "a looping List Calls pagination stops the sweep's window", above(0)},
		need{emf.Namespace, emf.CallbackContractFindings, emf.DimFunctionName, "CallbackFunction", "SignalWire sent a callback that breaks the payload", above(0)},
		need{emf.Namespace, emf.SigningKeyMissing, emf.DimFunctionName, "CallbackFunction", "no callback can be verified", above(0)},
		need{emf.Namespace, emf.CallbacksFailed, emf.DimFunctionName, "CallbackFunction", "callbacks answered 500 or 503 are not queued", above(0)},
		need{emf.Namespace, emf.CallbackSignatureFailures, emf.DimFunctionName, "CallbackFunction", "a wrong URL or key, or an attack",
			func(a map[string]any) error {
				if th, _ := ref(a["Threshold"]); th != "SignatureFailureThreshold" || a["ComparisonOperator"] != "GreaterThanThreshold" {
					return fmt.Errorf("want > !Ref SignatureFailureThreshold (scanners send a few), got %v %v", a["ComparisonOperator"], a["Threshold"])
				}
				return nil
			}},
	)
	wantDLQs := []string{"CallbackDeadLetterQueue", "DriftScheduleDeadLetterQueue", "GetCallDeadLetterQueue", "SpecWatchScheduleDeadLetterQueue", "SweepScheduleDeadLetterQueue"}
	if got := slices.Sorted(mapsKeys(deadLetterQueues(tmpl))); !slices.Equal(got, wantDLQs) {
		t.Errorf("dead-letter queues %v, want %v (getcall's, the two schedules' and the callback queue's)", got, wantDLQs)
	}
	for _, n := range needs {
		found := alarmOn(tmpl, n.namespace, n.name, n.dim, n.id)
		if len(found) == 0 {
			t.Errorf("no alarm on %s %s of %s (%s)", n.namespace, n.name, n.id, n.why)
			continue
		}
		if n.check != nil {
			for _, a := range found {
				if err := n.check(a); err != nil {
					t.Errorf("alarm on %s %s of %s: %v", n.namespace, n.name, n.id, err)
				}
			}
		}
	}
}
