package stack

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testTemplate = `Parameters:
  SignalWireSecretArn:
    Type: String
    AllowedPattern: "^arn:.+-[A-Za-z0-9]{6}$"
  Mode:
    Type: String
    Default: warn
    AllowedValues: [warn, strict]
  Sample:
    Type: Number
    Default: 20
    MinValue: 0
    MaxValue: 1000
  Email:
    Type: String
    Default: ""
Conditions:
  HasEmail: !Not [!Equals [!Ref Email, ""]]
  Strict: !Equals [!Ref Mode, strict]
  StrictWithEmail: !And [!Condition HasEmail, !Condition Strict]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      ReservedConcurrentExecutions: !If [Strict, 1, !Ref AWS::NoValue]
      Environment:
        Variables:
          SECRET: !Ref SignalWireSecretArn
          MODE: !Ref Mode
          SAMPLE: !Ref Sample
          TTL: 5m
          WHERE: !Sub "${AWS::Region}/${AWS::StackName}"
          QUEUE: !Ref Queue
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /app/${AWS::StackName}
  Queue:
    Type: AWS::SQS::Queue
  Subscription:
    Type: AWS::SNS::Subscription
    Condition: HasEmail
    Properties:
      Endpoint: !Ref Email
  Board:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '{"fn": "${Fn}", "arn": "${Fn.Arn}", "q": "${Queue.QueueName}", "logs": "${Logs}", "r": "${AWS::Region}", "lit": "${!NotMe}"}'
Outputs:
  Strictly:
    Condition: StrictWithEmail
    Value: yes
`

const testSamconfig = `version = 0.1
[prod.deploy.parameters]
stack_name = "app-prod"
region = "eu-west-1"
parameter_overrides = "Mode=strict Sample=50 Email=ops@example.org"
`

func testStack(t *testing.T) *Stack {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"template.yaml": testTemplate, "samconfig.toml": testSamconfig} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeployments(t *testing.T) {
	t.Parallel()
	s := testStack(t)
	got, err := s.Deployments(func(d Deployment, name string) (string, bool) {
		if name == "SignalWireSecretArn" {
			return "arn:" + d.Region + "-AbC123", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Deployment{
		{Name: Defaults, StackName: "callwire", Region: "us-east-1", AccountID: ExampleAccountID,
			Params: map[string]string{"SignalWireSecretArn": "arn:us-east-1-AbC123", "Mode": "warn", "Sample": "20", "Email": ""}},
		{Name: "prod", StackName: "app-prod", Region: "eu-west-1", AccountID: ExampleAccountID,
			Params: map[string]string{"SignalWireSecretArn": "arn:eu-west-1-AbC123", "Mode": "strict", "Sample": "50", "Email": "ops@example.org"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Deployments (-want +got):\n%s", diff)
	}
	if _, err := s.Deployments(nil); err == nil {
		t.Error("Deployments without an answer for Secret: nil error")
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	s := testStack(t)
	ds, err := s.Deployments(ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	defaults, prod := ds[0], ds[1]
	tests := []struct {
		name      string
		d         Deployment
		env       map[string]string
		reserved  any
		hasSub    bool
		hasOutput bool
		conds     map[string]bool
	}{
		{
			name: "defaults", d: defaults,
			env: map[string]string{
				"SECRET": "arn:aws:secretsmanager:us-east-1:111122223333:secret:callwire/signalwire-AbC123",
				"MODE":   "warn", "SAMPLE": "20", "TTL": "5m", "WHERE": "us-east-1/callwire",
				"QUEUE": "https://sqs.us-east-1.amazonaws.com/111122223333/callwire-Queue-EXAMPLE",
			},
			conds: map[string]bool{"HasEmail": false, "Strict": false, "StrictWithEmail": false},
		},
		{
			name: "prod", d: prod,
			env: map[string]string{
				"SECRET": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:callwire/signalwire-AbC123",
				"MODE":   "strict", "SAMPLE": "50", "TTL": "5m", "WHERE": "eu-west-1/app-prod",
				"QUEUE": "https://sqs.eu-west-1.amazonaws.com/111122223333/app-prod-Queue-EXAMPLE",
			},
			reserved: 1, hasSub: true, hasOutput: true,
			conds: map[string]bool{"HasEmail": true, "Strict": true, "StrictWithEmail": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, err := s.Environment(tt.d, "Fn")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.env, env); diff != "" {
				t.Errorf("Environment (-want +got):\n%s", diff)
			}
			tmpl, err := s.Resolve(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			reserved, _ := At(tmpl, "Resources", "Fn", "Properties", "ReservedConcurrentExecutions")
			if diff := cmp.Diff(tt.reserved, reserved); diff != "" {
				t.Errorf("ReservedConcurrentExecutions (-want +got):\n%s", diff)
			}
			if _, ok := MapAt(tmpl, "Resources")["Subscription"]; ok != tt.hasSub {
				t.Errorf("Subscription present = %v, want %v", ok, tt.hasSub)
			}
			if _, ok := MapAt(tmpl, "Outputs")["Strictly"]; ok != tt.hasOutput {
				t.Errorf("output Strictly present = %v, want %v", ok, tt.hasOutput)
			}
			conds, err := s.Conditions(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.conds, conds); diff != "" {
				t.Errorf("Conditions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	s := testStack(t)
	ds, err := s.Deployments(ExampleAnswers)
	if err != nil {
		t.Fatal(err)
	}
	prod := ds[1]
	tmpl, err := s.Resolve(prod)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := At(tmpl, "Resources", "Board", "Properties", "DashboardBody")
	got, err := s.Render(prod, tmpl, body)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"fn": "app-prod-Fn-EXAMPLE", "arn": "arn:aws:lambda:eu-west-1:111122223333:function:app-prod-Fn-EXAMPLE", ` +
		`"q": "app-prod-Queue-EXAMPLE", "logs": "/app/app-prod", "r": "eu-west-1", "lit": "${NotMe}"}`
	if got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []any{
		map[string]any{"Fn::Sub": "${Nothing}"},
		map[string]any{"Fn::Sub": "${Queue.Unknown}"},
		map[string]any{"Fn::Join": []any{"", []any{"a"}}},
	} {
		if got, err := s.Render(prod, tmpl, bad); err == nil {
			t.Errorf("Render(%v) = %q, want an error", bad, got)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"undeclared condition": "Resources:\n  A:\n    Type: X\n    Condition: Nope\n",
		"condition cycle":      "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources: {}\n",
		"unsupported function": "Conditions:\n  A: !Contains [[a], a]\nResources: {}\n",
		"bad Fn::If":           "Conditions:\n  A: !Equals [a, a]\nResources:\n  R:\n    Type: X\n    Properties:\n      P: !If [A, 1]\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := ParseTemplate([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			s := &Stack{Template: tmpl, Parameters: map[string]Parameter{}}
			if _, err := s.Resolve(Deployment{Name: "x", Params: map[string]string{}}); err == nil {
				t.Error("Resolve: nil error")
			}
		})
	}
}

func TestParameterCheckAndProbes(t *testing.T) {
	t.Parallel()
	s := testStack(t)
	tests := []struct {
		param          string
		ok, bad        []string
		accept, reject []string
	}{
		{param: "SignalWireSecretArn", ok: []string{"arn:x-AbC123"}, bad: []string{"arn:x", "arn:x-AbC12", "xarn:x-AbC123"}},
		{param: "Mode", ok: []string{"warn", "strict"}, bad: []string{"off", "WARN", ""}, accept: []string{"warn", "strict"}},
		{param: "Sample", ok: []string{"0", "1000", "20"}, bad: []string{"-1", "1001", "x", ""},
			accept: []string{"0", "1000"}, reject: []string{"-1", "1001"}},
	}
	for _, tt := range tests {
		t.Run(tt.param, func(t *testing.T) {
			t.Parallel()
			p := s.Parameters[tt.param]
			for _, v := range tt.ok {
				if err := p.Check(v); err != nil {
					t.Errorf("Check(%q) = %v", v, err)
				}
			}
			for _, v := range tt.bad {
				if err := p.Check(v); !errors.Is(err, ErrNotAllowed) {
					t.Errorf("Check(%q) = %v, want ErrNotAllowed", v, err)
				}
			}
			accept, reject := p.Probes()
			if diff := cmp.Diff(tt.accept, accept); diff != "" {
				t.Errorf("accept probes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.reject, reject); diff != "" {
				t.Errorf("reject probes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnvironmentErrors: a variable that cannot be known before deployment
// (an attribute Render has no stand-in for, a list) is an error, never a
// guess.
func TestEnvironmentErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown attribute": "!GetAtt Queue.Unknown",
		"not a resource":    "!Ref Nothing",
		"a list":            "[a, b]",
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Fn:\n    Type: AWS::Serverless::Function\n" +
				"    Properties:\n      Environment:\n        Variables:\n          V: " + value + "\n"
			tmpl, err := ParseTemplate([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			s := &Stack{Template: tmpl, Parameters: map[string]Parameter{}}
			d := Deployment{Name: "x", StackName: "app", Region: "us-east-1", AccountID: ExampleAccountID, Params: map[string]string{}}
			if env, err := s.Environment(d, "Fn"); err == nil {
				t.Errorf("Environment = %v, want an error", env)
			}
		})
	}
}
