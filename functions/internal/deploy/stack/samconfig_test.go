package stack

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSamconfig(t *testing.T) {
	t.Parallel()
	src := `# comment
version = 0.1

[default.global.parameters]
stack_name = "app"
region = "eu-west-1"

[default.deploy.parameters]
stack_name = "app-deploy" # trailing
resolve_s3 = true
parameter_overrides = "A=\"x y\" B=1"
tags = 'project="callwire" team=ops'

[prod.deploy.parameters]
parameter_overrides = ["A=1", 'B="two words"']
`
	c, err := ParseSamconfig(src)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 0.1 {
		t.Errorf("Version = %v, want 0.1", c.Version)
	}
	if diff := cmp.Diff([]string{"default", "prod"}, c.Environments()); diff != "" {
		t.Errorf("Environments (-want +got):\n%s", diff)
	}
	checks := []struct {
		env, command, key string
		want              any
	}{
		{"default", "deploy", "stack_name", "app-deploy"},
		{"default", "build", "stack_name", "app"},
		{"default", "deploy", "region", "eu-west-1"},
		{"default", "deploy", "resolve_s3", true},
		{"prod", "deploy", "region", nil},
	}
	for _, c2 := range checks {
		got, _ := c.Setting(c2.env, c2.command, c2.key)
		if diff := cmp.Diff(c2.want, got); diff != "" {
			t.Errorf("Setting(%s, %s, %s) (-want +got):\n%s", c2.env, c2.command, c2.key, diff)
		}
	}
	for env, want := range map[string]map[string]string{
		"default": {"A": "x y", "B": "1"},
		"prod":    {"A": "1", "B": "two words"},
	} {
		got, err := c.ParameterOverrides(env)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ParameterOverrides(%s) (-want +got):\n%s", env, diff)
		}
	}
	tags, err := c.Tags("default")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"project": "callwire", "team": "ops"}, tags); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}
}

func TestParseSamconfigErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not TOML":                   "version = \n",
		"duplicate key":              "[a.deploy.parameters]\nx = 1\nx = 2\n",
		"duplicate table":            "[a.deploy.parameters]\n[a.deploy.parameters]\n",
		"environment not a table":    "default = 1\n",
		"command without parameters": "[a.deploy]\nx = 1\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseSamconfig(src); err == nil {
				t.Errorf("ParseSamconfig(%q) = nil error", src)
			}
		})
	}
}

func TestParseOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      any
		want    map[string]string
		wantErr bool
	}{
		{
			name: "quoted and bare",
			in:   `A="rate(1 hour)" B=plain C='single q' D="esc \" quote" E=""`,
			want: map[string]string{"A": "rate(1 hour)", "B": "plain", "C": "single q", "D": `esc " quote`, "E": ""},
		},
		{
			name: "array form",
			in:   []any{"A=1", `B="two words"`},
			want: map[string]string{"A": "1", "B": "two words"},
		},
		{name: "empty", in: "", want: map[string]string{}},
		{name: "no equals", in: "A", wantErr: true},
		{name: "key with a dash", in: "A-B=1", wantErr: true},
		{name: "duplicate", in: "A=1 A=2", wantErr: true},
		{name: "unterminated", in: `A="x`, wantErr: true},
		{name: "text after the quote", in: `A="x"y`, wantErr: true},
		{name: "long form is not supported", in: "ParameterKey=A,ParameterValue=1", wantErr: true},
		{name: "not a string", in: int64(3), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseOverrides(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseOverrides error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseOverrides (-want +got):\n%s", diff)
			}
		})
	}
}
