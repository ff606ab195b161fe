package specdiff

import (
	"testing"

	"github.com/oasdiff/oasdiff/checker"
)

// TestRuleIDs fails when an oasdiff upgrade renames or drops a rule this
// package configures: WithSeverityLevels would stop the process on an
// unknown id, so newRuleSet skips those, and the level would be lost.
func TestRuleIDs(t *testing.T) {
	t.Parallel()
	known := checker.GetCheckLevels()
	rs := newRuleSet()
	for id, level := range levelOverrides {
		if _, ok := known[id]; !ok {
			t.Errorf("level override for %q: oasdiff has no such rule", id)
			continue
		}
		if !rs.kept[id] {
			t.Errorf("level override for %q: the rule's findings are not kept", id)
		}
		if got := rs.config.LogLevels[id]; got != level {
			t.Errorf("configured level of %q = %v, want %v", id, got, level)
		}
	}
	for _, id := range operationRemovedRules {
		if _, ok := known[id]; !ok {
			t.Errorf("operation-removed rule %q: oasdiff has no such rule", id)
		}
	}
	for _, id := range []string{checker.RequestPropertyRemovedId, checker.NewRequiredRequestParameterId, checker.EndpointAddedId} {
		if _, ok := known[id]; !ok {
			t.Errorf("rule %q: oasdiff has no such rule", id)
		}
		if rs.kept[id] {
			t.Errorf("rule %q is kept; it says nothing about reading the response", id)
		}
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level checker.Level
		want  Severity
	}{
		{checker.ERR, SeverityBreaking},
		{checker.WARN, SeverityInfo},
		{checker.INFO, SeverityNonBreaking},
	}
	for _, tt := range tests {
		if got := severity(tt.level); got != tt.want {
			t.Errorf("severity(%v) = %q, want %q", tt.level, got, tt.want)
		}
	}
}

func TestPropertyPointer(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"", ""},
		{"direction", "/direction"},
		{"subresource_uris/recordings", "/subresource_uris/recordings"},
		{"answered_by/oneOf[subschema #1: AnsweredBy]", "/answered_by"},
		{"a/allOf[#/components/schemas/A/B]/b", "/a/b"},
		{"uri/items/x", "/uri/*/x"},
		{"tags/additionalProperties", "/tags/*"},
		{"a~b", "/a~0b"},
	}
	for _, tt := range tests {
		if got := propertyPointer(tt.path); got != tt.want {
			t.Errorf("propertyPointer(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestTypeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"number, null", "number"},
		{"string, integer", "integer or string"},
		{"null", "null"},
		{"array<object>", "array<object>"},
		{"string/uuid", "string/uuid"},
	}
	for _, tt := range tests {
		if got := typeText(tt.in); got != tt.want {
			t.Errorf("typeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
