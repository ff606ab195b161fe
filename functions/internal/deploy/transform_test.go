package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// samTranslate runs the AWS SAM translator (the Python package cfn-lint
// brings) on template.yaml, offline, and prints the CloudFormation it
// deploys as JSON. CodeUri becomes an S3 location, as `sam package` makes
// it.
const samTranslate = `
import json, os, sys
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse
with open(sys.argv[1]) as f:
    tpl = yaml_parse(f.read())
for r in tpl.get("Resources", {}).values():
    if r.get("Type") == "AWS::Serverless::Function":
        r["Properties"]["CodeUri"] = "s3://bucket/code.zip"
out = Translator(managed_policy_map={}, sam_parser=Parser()).translate(sam_template=tpl, parameter_values={}, passthrough_metadata=True)
json.dump(out, sys.stdout)
`

// translated returns template.yaml as SAM deploys it, or skips when the
// translator is not installed (outside CI; .ci/run needs cfn-lint, which
// brings it).
func translated(t *testing.T) map[string]any {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import samtranslator").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the SAM translator (pip install cfn-lint) is required in CI: %v", err)
		}
		t.Skipf("the SAM translator is not installed (pip install cfn-lint): %v", err)
	}
	path, err := filepath.Abs(filepath.Join(repoRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "-c", samTranslate, path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("SAM translator: %v\n%s", err, stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("SAM translator output: %v", err)
	}
	return out
}

// TestTranslatedTemplate checks what SAM turns template.yaml into, which is
// what CloudFormation creates: no resource with a fixed name (a second stack
// in the same account and region must be possible), no role SAM generated
// (they carry AWSLambdaBasicExecutionRole, logs on every log group), no
// managed policy and no wildcard anywhere.
func TestTranslatedTemplate(t *testing.T) {
	t.Parallel()
	out := translated(t)
	written := mapAt(mustTemplate(t), "Resources")
	for id, r := range mapAt(out, "Resources") {
		props := mapAt(r, "Properties")
		for _, k := range nameProperties {
			if v, ok := props[k]; ok && !uniqueName(v, mapAt(out, "Resources")) {
				t.Errorf("%s (%v).%s = %v: a fixed name, so a second stack in this account and region fails to create", id, mapAt(r)["Type"], k, v)
			}
		}
		if typ, _ := at(r, "Type"); typ == "AWS::IAM::Role" && written[id] == nil {
			t.Errorf("SAM generated role %s; give its user an explicit Role (RoleArn)", id)
		}
	}
	checkNoWildcards(t, out)
	if !strings.Contains(mustString(t, out, "Resources", "DriftCheckFunctionSchedule", "Type"), "AWS::Scheduler::Schedule") {
		t.Error("no DriftCheckFunctionSchedule in the translated template; the walk is broken")
	}
}

func mustString(t *testing.T, v any, path ...any) string {
	t.Helper()
	got, _ := at(v, path...)
	s, _ := got.(string)
	return s
}
