package deploy

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/deploy/stack"
	"github.com/callwire/callwire/functions/internal/emf"
)

// dashboard is the part of a CloudWatch dashboard body the checks read.
type dashboard struct {
	Widgets []widget `json:"widgets"`
}

type widget struct {
	Type       string          `json:"type"`
	X          int             `json:"x"`
	Y          int             `json:"y"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Properties json.RawMessage `json:"properties"`
}

type widgetProps struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	Metrics [][]any `json:"metrics"`
	Query   string  `json:"query"`
	Alarms  []string
}

// renderDashboard renders the DashboardBody of the stack's dashboard for d
// as CloudFormation would, with stand-ins for the resources' names.
func renderDashboard(t *testing.T, d stack.Deployment) (map[string]any, string) {
	t.Helper()
	tmpl := mustResolve(t, d)
	boards := resourcesOfType(tmpl, "AWS::CloudWatch::Dashboard")
	if len(boards) != 1 {
		t.Fatalf("%d dashboards in template.yaml, want 1", len(boards))
	}
	for _, props := range boards {
		if _, named := props["DashboardName"]; named {
			t.Error("DashboardName is set; a second stack in the account would clash with it")
		}
		body, err := mustStack(t).Render(d, tmpl, props["DashboardBody"])
		if err != nil {
			t.Fatalf("DashboardBody: %v", err)
		}
		return tmpl, body
	}
	panic("unreachable")
}

// TestDashboard renders the dashboard for every deployment and checks each
// widget: the layout, the region, every metric against what the code emits
// (the same check as the alarms), every Logs Insights query against the
// function's own log group and log fields, the alarm widget against the
// template's alarms; and that every metric the functions emit, every
// function's Lambda errors, every dead-letter queue's depth and every other
// queue's depth and age of its oldest message are on it.
func TestDashboard(t *testing.T) {
	t.Parallel()
	for _, d := range mustDeployments(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			tmpl, body := renderDashboard(t, d)
			var board dashboard
			if err := json.Unmarshal([]byte(body), &board); err != nil {
				t.Fatalf("DashboardBody is not JSON: %v\n%s", err, body)
			}
			if len(board.Widgets) == 0 {
				t.Fatal("no widgets")
			}
			// Rendered names back to logical IDs.
			names := map[string]string{}
			for id, r := range mapAt(tmpl, "Resources") {
				typ, _ := at(r, "Type")
				switch typ {
				case serverlessFunction, "AWS::Logs::LogGroup":
					names[stack.PhysicalName(d, tmpl, id)] = id
				case "AWS::SQS::Queue":
					names[stack.PhysicalName(d, tmpl, id)] = id
				case "AWS::CloudWatch::Alarm":
					arn, err := mustStack(t).Render(d, tmpl, map[string]any{"Fn::Sub": "${" + id + ".Arn}"})
					if err != nil {
						t.Fatal(err)
					}
					names[arn] = id
				}
			}
			target := func(v any) (string, bool) {
				s, _ := v.(string)
				id, ok := names[s]
				return id, ok
			}
			c := newMetricChecker(t, tmpl, target)
			shown := map[string]map[metric]bool{} // namespace -> metric -> on the board
			add := func(ns string, m metric) {
				if shown[ns] == nil {
					shown[ns] = map[metric]bool{}
				}
				shown[ns][m] = true
			}
			var shownAlarms []string
			grid := map[[2]int]string{}
			for i, w := range board.Widgets {
				var p widgetProps
				if err := json.Unmarshal(w.Properties, &p); err != nil {
					t.Fatalf("widget %d: %v", i, err)
				}
				where := fmt.Sprintf("widget %d (%s)", i, p.Title)
				if p.Title == "" {
					t.Errorf("widget %d has no title", i)
				}
				if w.Width < 1 || w.Height < 1 || w.X < 0 || w.Y < 0 || w.X+w.Width > 24 {
					t.Errorf("%s: x %d y %d width %d height %d is outside the 24-column grid", where, w.X, w.Y, w.Width, w.Height)
				}
				for x := w.X; x < w.X+w.Width; x++ {
					for y := w.Y; y < w.Y+w.Height; y++ {
						if other, taken := grid[[2]int{x, y}]; taken {
							t.Errorf("%s overlaps %s at %d,%d", where, other, x, y)
							x, y = w.X+w.Width, w.Y+w.Height
						}
						grid[[2]int{x, y}] = where
					}
				}
				switch w.Type {
				case "metric":
					if p.Region != d.Region {
						t.Errorf("%s: region %q, want the stack's %q", where, p.Region, d.Region)
					}
					if len(p.Metrics) == 0 {
						t.Errorf("%s: no metrics", where)
					}
					for j, line := range p.Metrics {
						m, err := metricLine(line)
						if err != nil {
							t.Errorf("%s metric %d: %v", where, j, err)
							continue
						}
						m.where = where
						if err := c.check(m); err != nil {
							t.Errorf("%s metric %d: %v", where, j, err)
							continue
						}
						if sev, ok := m.dims["Severity"]; ok && !slices.Contains([]any{string(contract.SeverityError), string(contract.SeverityWarning), string(contract.SeverityInfo)}, sev) {
							t.Errorf("%s metric %d: Severity %v is not a contract severity", where, j, sev)
						}
						var dims []string
						for k := range m.dims {
							dims = append(dims, k)
						}
						id, _ := target(m.dims[emf.DimFunctionName])
						if m.namespace != emf.Namespace {
							id, _ = target(m.dims[awsMetrics[m.namespace].dim])
						}
						add(m.namespace, metric{Name: m.name, Dims: id + ":" + newMetric("", dims).Dims})
					}
				case "log":
					if p.Region != d.Region {
						t.Errorf("%s: region %q, want the stack's %q", where, p.Region, d.Region)
					}
					if err := checkLogQuery(tmpl, target, p.Query); err != nil {
						t.Errorf("%s: %v", where, err)
					}
				case "alarm":
					shownAlarms = append(shownAlarms, p.Alarms...)
				case "text":
				default:
					t.Errorf("%s: widget type %q", where, w.Type)
				}
			}
			for id, dir := range functionDirs {
				for _, m := range c.emitted[dir] {
					dims := strings.Split(m.Dims, ",")
					if !shown[emf.Namespace][metric{Name: m.Name, Dims: id + ":" + newMetric("", dims).Dims}] {
						t.Errorf("functions/%s emits %v; no widget shows it", dir, m)
					}
				}
				if !shown["AWS/Lambda"][metric{Name: "Errors", Dims: id + ":FunctionName"}] {
					t.Errorf("no widget shows the Errors of %s", id)
				}
			}
			dlqs := deadLetterQueues(tmpl)
			for q := range dlqs {
				if !shown["AWS/SQS"][metric{Name: "ApproximateNumberOfMessagesVisible", Dims: q + ":QueueName"}] {
					t.Errorf("no widget shows the depth of dead-letter queue %s", q)
				}
			}
			// A work queue that backs up (a consumer that stopped, or
			// cannot keep up) shows in its depth and in the age of its
			// oldest message.
			for q := range resourcesOfType(tmpl, "AWS::SQS::Queue") {
				if dlqs[q] {
					continue
				}
				for _, name := range []string{"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"} {
					if !shown["AWS/SQS"][metric{Name: name, Dims: q + ":QueueName"}] {
						t.Errorf("no widget shows %s of queue %s", name, q)
					}
				}
			}
			var gotAlarms, wantAlarms []string
			for _, a := range shownAlarms {
				id, ok := target(a)
				if !ok {
					t.Errorf("alarm widget lists %q, which is no alarm of the stack", a)
				}
				gotAlarms = append(gotAlarms, id)
			}
			for id := range resourcesOfType(tmpl, "AWS::CloudWatch::Alarm") {
				wantAlarms = append(wantAlarms, id)
			}
			slices.Sort(gotAlarms)
			slices.Sort(wantAlarms)
			if !slices.Equal(gotAlarms, wantAlarms) {
				t.Errorf("alarm widgets show %v, want every alarm %v", gotAlarms, wantAlarms)
			}
		})
	}
}

// metricLine reads one entry of a widget's metrics: namespace, name, then
// dimension name and value pairs, then an optional options object. The
// "..." shorthand is not used, so every line says everything.
func metricLine(line []any) (metricRef, error) {
	if len(line) > 0 {
		if _, isOpts := line[len(line)-1].(map[string]any); isOpts {
			line = line[:len(line)-1]
		}
	}
	if len(line) < 2 || len(line)%2 != 0 {
		return metricRef{}, fmt.Errorf("%v: want namespace, name and name/value pairs", line)
	}
	var strs []string
	for _, v := range line {
		s, ok := v.(string)
		if !ok || s == "." || s == "..." {
			return metricRef{}, fmt.Errorf("%v: every element must be written out as a string", line)
		}
		strs = append(strs, s)
	}
	m := metricRef{namespace: strs[0], name: strs[1], dims: map[string]any{}}
	for i := 2; i < len(strs); i += 2 {
		if _, dup := m.dims[strs[i]]; dup {
			return metricRef{}, fmt.Errorf("%v: dimension %s twice", line, strs[i])
		}
		m.dims[strs[i]] = strs[i+1]
	}
	return m, nil
}

var (
	querySource  = regexp.MustCompile(`^SOURCE '([^']+)' \| `)
	queryStrings = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	queryAlias   = regexp.MustCompile(`\bas ([A-Za-z_][A-Za-z0-9_]*)`)
	queryWords   = regexp.MustCompile(`@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*`)
	// queryKeywords are the Logs Insights commands and functions the
	// queries use.
	queryKeywords = []string{"fields", "filter", "stats", "sort", "limit", "display", "parse", "by", "as", "and", "or", "not",
		"asc", "desc", "in", "like", "count", "sum", "avg", "min", "max", "pct", "bin", "ispresent", "isempty"}
	// logRecordKeys are the keys of every log line as the functions write
	// it: slog's built-in keys as lambdacontext renames them (msg becomes
	// message, time becomes timestamp), the requestId it adds, and the
	// fields Logs Insights adds itself.
	logRecordKeys = []string{
		lambdaKey(slog.TimeKey), lambdaKey(slog.LevelKey), lambdaKey(slog.MessageKey),
		"requestId", "@timestamp", "@message", "@logStream",
	}
	// messageFilter is how a query picks one function's lines.
	messageFilter = lambdaKey(slog.MessageKey) + ` = ""`
)

// lambdaKey is the key lambdacontext's handler writes for slog's key k.
func lambdaKey(k string) string {
	return lambdacontext.ReplaceAttr(nil, slog.String(k, "")).Key
}

// checkLogQuery checks a Logs Insights query: it reads the log group of one
// of the stack's functions and filters on the message every line of that
// function carries.
func checkLogQuery(tmpl map[string]any, target func(any) (string, bool), query string) error {
	m := querySource.FindStringSubmatch(query)
	if m == nil {
		return fmt.Errorf("query %q does not start with SOURCE '<log group>' | ", query)
	}
	group, ok := target(m[1])
	if !ok {
		return fmt.Errorf("query reads %s, which is not a log group of the stack", m[1])
	}
	fn := ""
	for id := range resourcesOfType(tmpl, serverlessFunction) {
		if g, _ := ref(mapAt(tmpl, "Resources", id, "Properties", "LoggingConfig")["LogGroup"]); g == group {
			fn = functionDirs[id]
		}
	}
	if fn == "" {
		return fmt.Errorf("log group %s belongs to no function", group)
	}
	rest := queryStrings.ReplaceAllString(query[len(m[0]):], `""`)
	if !strings.Contains(rest, messageFilter) {
		return fmt.Errorf("query does not filter on %s; every function line has one", lambdaKey(slog.MessageKey))
	}
	return nil
}

func TestCheckLogQuery(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplate(t)
	target := func(v any) (string, bool) {
		if v == "/logs/getcall" {
			return "GetCallLogGroup", true
		}
		return "", false
	}
	tests := []struct {
		query string
		ok    bool
	}{
		{`SOURCE '/logs/getcall' | filter message = "getcall" | stats count(*) as n by outcome | sort n desc`, true},
		{`SOURCE '/logs/getcall' | filter message = "getcall" and ispresent(findings.0.rule) | stats count(*) by findings.0.rule`, true},
		{`SOURCE '/logs/other' | filter message = "getcall" | stats count(*) by outcome`, false},
		{`filter message = "getcall" | stats count(*) by outcome`, false},
		{`SOURCE '/logs/getcall' | stats count(*) by outcome`, false},
	}
	for _, tt := range tests {
		if err := checkLogQuery(tmpl, target, tt.query); (err == nil) != tt.ok {
			t.Errorf("checkLogQuery(%q) = %v, want ok %v", tt.query, err, tt.ok)
		}
	}
}
