package stack

import (
	"fmt"
	"strings"
)

// Render returns the text of v, a value of the resolved template tmpl (a
// string or an Fn::Sub), with each reference to a resource replaced by a
// stand-in for what CloudFormation would put there: the resource's name
// property when the template sets one, else "<stack>-<LogicalId>-EXAMPLE",
// formatted as the reference returns it (a queue's URL, a topic's ARN, a
// function's or log group's name; GetAtt Arn as an ARN, QueueName as the
// name). A reference Render does not know is an error, so nothing is
// rendered by guesswork.
func (s *Stack) Render(d Deployment, tmpl map[string]any, v any) (string, error) {
	if str, ok := v.(string); ok {
		return str, nil
	}
	arg, ok := MapAt(v)["Fn::Sub"]
	if !ok || len(MapAt(v)) != 1 {
		return "", fmt.Errorf("%v is neither a string nor an Fn::Sub", v)
	}
	text, vars := arg, map[string]any{}
	if l := SliceOf(arg); l != nil {
		text, vars = l[0], MapAt(l[1])
	}
	str, ok := text.(string)
	if !ok {
		return "", fmt.Errorf("Fn::Sub text is %T, not a string", text)
	}
	out, err := substitute(str, func(name string) (string, bool, error) {
		if v, ok := vars[name]; ok {
			got, err := s.standIn(d, tmpl, v)
			return got, err == nil, err
		}
		res, attr, _ := strings.Cut(name, ".")
		if attr == "" {
			got, err := s.standIn(d, tmpl, map[string]any{"Ref": res})
			return got, err == nil, err
		}
		got, err := s.standIn(d, tmpl, map[string]any{"Fn::GetAtt": []any{res, attr}})
		return got, err == nil, err
	})
	if err != nil {
		return "", err
	}
	return unescapeSub(out), nil
}

// PhysicalName returns the stand-in name of resource id in the resolved
// template tmpl: its name property when set to a string, else a name in the
// form CloudFormation generates.
func PhysicalName(d Deployment, tmpl map[string]any, id string) string {
	props := MapAt(tmpl, "Resources", id, "Properties")
	for _, key := range []string{"FunctionName", "LogGroupName", "QueueName", "TopicName", "Name", "RoleName", "DashboardName", "AlarmName", "TableName"} {
		if s, ok := props[key].(string); ok {
			return s
		}
	}
	return d.StackName + "-" + id + "-EXAMPLE"
}

func (s *Stack) standIn(d Deployment, tmpl map[string]any, v any) (string, error) {
	if str, ok := ScalarString(v); ok {
		return str, nil
	}
	var id, attr string
	if name, ok := Ref(v); ok {
		id = name
	} else if res, a, ok := GetAtt(v); ok {
		id, attr = res, a
	} else {
		return "", fmt.Errorf("cannot render %v", v)
	}
	typ, _ := MapAt(tmpl, "Resources", id)["Type"].(string)
	if typ == "" {
		return "", fmt.Errorf("%s is not a resource of the template for %s", id, d.Name)
	}
	name := PhysicalName(d, tmpl, id)
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + d.Region + ":" + d.AccountID + ":" + resource
	}
	switch typ + "." + attr {
	case ServerlessFunction + ".", "AWS::Lambda::Function.", "AWS::Logs::LogGroup.", "AWS::Events::EventBus.",
		"AWS::CloudWatch::Alarm.", "AWS::CloudWatch::Dashboard.", "AWS::IAM::Role.":
		return name, nil
	case "AWS::SQS::Queue.QueueName", "AWS::Events::EventBus.Name":
		return name, nil
	case "AWS::SQS::Queue.":
		return "https://sqs." + d.Region + ".amazonaws.com/" + d.AccountID + "/" + name, nil
	case "AWS::SQS::Queue.Arn":
		return arn("sqs", name), nil
	case "AWS::SNS::Topic.", "AWS::SNS::Topic.TopicArn":
		return arn("sns", name), nil
	case ServerlessFunction + ".Arn", "AWS::Lambda::Function.Arn":
		return arn("lambda", "function:"+name), nil
	case "AWS::Logs::LogGroup.Arn":
		return arn("logs", "log-group:"+name+":*"), nil
	case "AWS::Events::EventBus.Arn":
		return arn("events", "event-bus/"+name), nil
	case "AWS::CloudWatch::Alarm.Arn":
		return arn("cloudwatch", "alarm:"+name), nil
	case "AWS::IAM::Role.Arn":
		return "arn:aws:iam::" + d.AccountID + ":role/" + name, nil
	case "AWS::DynamoDB::Table.":
		return name, nil
	case "AWS::DynamoDB::Table.Arn":
		return arn("dynamodb", "table/"+name), nil
	}
	return "", fmt.Errorf("no stand-in for %s of %s (%s)", strings.TrimPrefix("."+attr, "."), id, typ)
}
