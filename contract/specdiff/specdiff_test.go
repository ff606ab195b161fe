package specdiff_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/specdiff"
)

// edit returns the pinned document with each old string replaced by new;
// every old string must occur exactly once.
func edit(t *testing.T, pairs ...string) []byte {
	t.Helper()
	s := string(contract.Spec)
	for i := 0; i < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("%q occurs %d times in the pinned document, want 1", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

const (
	directionEnum = "        - inbound\n        - outbound\n"
	answeredByRef = "          oneOf:\n            - $ref: '#/components/schemas/AnsweredBy'\n            - type: 'null'\n"
	callTitle     = "      description: Response containing a single call.\n      title: CallResponse\n"
	uriTitle      = "      description: Call subresource URIs.\n      title: CallSubresourceUris\n"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	pinned := contract.Spec
	tests := []struct {
		name     string
		old, new []byte
		want     []specdiff.Change
		breaking bool
	}{
		{name: "identical", old: pinned, new: pinned},
		{
			name: "enum value added", old: pinned,
			new:      edit(t, directionEnum, directionEnum+"        - outbound-api\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindEnumValueAdded, Pointer: "200 /direction", New: "outbound-api", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "enum value removed", old: pinned,
			new:  edit(t, "        - busy\n        - failed\n", "        - busy\n"),
			want: []specdiff.Change{{Kind: specdiff.KindEnumValueRemoved, Pointer: "200 /status", Old: "failed", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "property no longer required", old: pinned,
			new:      edit(t, "        - duration\n", ""),
			want:     []specdiff.Change{{Kind: specdiff.KindRequiredRemoved, Pointer: "200 /duration", Old: "required", New: "optional", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "property newly required", old: edit(t, "        - duration\n", ""), new: pinned,
			want: []specdiff.Change{{Kind: specdiff.KindRequiredAdded, Pointer: "200 /duration", Old: "optional", New: "required", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "new optional property", old: pinned,
			new:  edit(t, "        audio_out_lost:\n", "        queue_time:\n          type: integer\n        audio_out_lost:\n"),
			want: []specdiff.Change{{Kind: specdiff.KindPropertyAdded, Pointer: "200 /queue_time", New: "optional", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "property removed", old: pinned,
			new:      edit(t, "        sip_result_code:\n          type:\n            - string\n            - 'null'\n          description: The SIP result code for the call.\n", ""),
			want:     []specdiff.Change{{Kind: specdiff.KindPropertyRemoved, Pointer: "200 /sip_result_code", Old: "declared", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "type number to string", old: pinned,
			new:      edit(t, "        audio_in_mos:\n          type:\n            - number\n", "        audio_in_mos:\n          type:\n            - string\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /audio_in_mos", Old: "number", New: "string", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "type integer to number", old: pinned,
			new:      edit(t, "        duration:\n          type: integer\n", "        duration:\n          type: number\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /duration", Old: "integer", New: "number", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "type number to integer narrows", old: pinned,
			new:  edit(t, "        price:\n          type:\n            - number\n", "        price:\n          type:\n            - integer\n"),
			want: []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /price", Old: "number", New: "integer", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "null no longer allowed", old: pinned,
			new:  edit(t, "        price:\n          type:\n            - number\n            - 'null'\n", "        price:\n          type: number\n"),
			want: []specdiff.Change{{Kind: specdiff.KindNullRemoved, Pointer: "200 /price", Old: "null allowed", New: "not null", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "null newly allowed", old: pinned,
			new:      edit(t, "        duration:\n          type: integer\n", "        duration:\n          type:\n            - integer\n            - 'null'\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindNullAdded, Pointer: "200 /duration", Old: "not null", New: "null allowed", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "null newly allowed through oneOf", old: edit(t, answeredByRef, "          $ref: '#/components/schemas/AnsweredBy'\n"), new: pinned,
			want:     []specdiff.Change{{Kind: specdiff.KindNullAdded, Pointer: "200 /answered_by", Old: "not null", New: "null allowed", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "enum value added behind oneOf", old: pinned,
			new:      edit(t, "        - human\n        - machine\n", "        - human\n        - machine\n        - fax\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindEnumValueAdded, Pointer: "200 /answered_by", New: "fax", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "format removed", old: pinned,
			new: edit(t, "            - 'null'\n          format: uuid\n          description: The unique identifier for the call that created this call.\n",
				"            - 'null'\n          description: The unique identifier for the call that created this call.\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindFormatRemoved, Pointer: "200 /parent_call_sid", Old: "uuid", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "format added", old: pinned,
			new:  edit(t, "        uri:\n          type: string\n", "        uri:\n          type: string\n          format: uri-reference\n"),
			want: []specdiff.Change{{Kind: specdiff.KindFormatAdded, Pointer: "200 /uri", New: "uri-reference", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "closed with additionalProperties false", old: pinned,
			new:  edit(t, callTitle, callTitle+"      additionalProperties: false\n"),
			want: []specdiff.Change{{Kind: specdiff.KindObjectClosed, Pointer: "200", Old: "open", New: "closed", Severity: specdiff.SeverityInfo}},
		},
		{
			name: "closed with unevaluatedProperties false", old: pinned,
			new:  edit(t, uriTitle, uriTitle+"      unevaluatedProperties: false\n"),
			want: []specdiff.Change{{Kind: specdiff.KindObjectClosed, Pointer: "200 /subresource_uris", Old: "open", New: "closed", Severity: specdiff.SeverityInfo}},
		},
		{
			name: "closed with unevaluatedProperties not {}", old: pinned,
			new:  edit(t, uriTitle, uriTitle+"      unevaluatedProperties:\n        not: {}\n"),
			want: []specdiff.Change{{Kind: specdiff.KindObjectClosed, Pointer: "200 /subresource_uris", Old: "open", New: "closed", Severity: specdiff.SeverityInfo}},
		},
		{
			name: "error schema type change reaches every status", old: pinned,
			new: edit(t, "        code:\n          type: integer\n", "        code:\n          type: string\n"),
			want: []specdiff.Change{
				{Kind: specdiff.KindTypeChanged, Pointer: "400 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking},
				{Kind: specdiff.KindTypeChanged, Pointer: "401 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking},
				{Kind: specdiff.KindTypeChanged, Pointer: "404 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking},
			},
			breaking: true,
		},
		{
			name: "status removed", old: pinned,
			new:  edit(t, "        '404':\n          description: >-\n            The requested resource was not found. Please verify the resource\n            identifier.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CompatibilityErrorResponse'\n", ""),
			want: []specdiff.Change{{Kind: specdiff.KindStatusRemoved, Pointer: "404", Old: "404", Severity: specdiff.SeverityInfo}},
		},
		{
			name: "status added", old: pinned,
			new:  edit(t, "servers:\n", "        '429':\n          description: Too many requests.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CompatibilityErrorResponse'\nservers:\n"),
			want: []specdiff.Change{{Kind: specdiff.KindStatusAdded, Pointer: "429", New: "429", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "operation removed", old: pinned,
			new:      edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n    get:\n", "  /Accounts/{AccountSid}/Calls/{Sid}:\n    delete:\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindOperationRemoved, Old: "GET /Accounts/{}/Calls/{}", Severity: specdiff.SeverityBreaking}},
			breaking: true,
		},
		{
			name: "parameters renamed", old: pinned,
			new: edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n", "  /Accounts/{ProjectID}/Calls/{CallSID}:\n"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := specdiff.Diff(tt.old, tt.new)
			if err != nil {
				t.Fatalf("Diff: %v", err)
			}
			if diff := cmp.Diff(tt.want, rep.Changes, cmpopts.IgnoreFields(specdiff.Change{}, "Message"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			for _, c := range rep.Changes {
				if c.Message == "" {
					t.Errorf("change %s at %s has no message", c.Kind, c.Pointer)
				}
			}
			if got := rep.Breaking(); got != tt.breaking {
				t.Errorf("Breaking() = %v, want %v", got, tt.breaking)
			}
		})
	}
}

func TestDiffErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new []byte
	}{
		{"invalid YAML in new", contract.Spec, []byte("openapi: 3.1.0\npaths: [\n  - {\n")},
		{"invalid YAML in old", []byte("openapi: 3.1.0\ninfo: {title: x\n"), contract.Spec},
		{"not OpenAPI", contract.Spec, []byte("hello: world\n")},
		{"old lacks the operation", []byte("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n"), contract.Spec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if rep, err := specdiff.Diff(tt.old, tt.new); err == nil {
				t.Errorf("Diff = %+v, want an error", rep)
			}
		})
	}
}

func TestReportWrite(t *testing.T) {
	t.Parallel()
	rep, err := specdiff.Diff(contract.Spec, edit(t, directionEnum, directionEnum+"        - outbound-api\n", "        - busy\n        - failed\n", "        - busy\n"))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"breaking", "enum-value-added", "200 /direction", "outbound-api", "2 changes: 1 breaking, 1 non-breaking, 0 info"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}

	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Breaking bool              `json:"breaking"`
		Changes  []specdiff.Change `json:"changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, buf.String())
	}
	if !got.Breaking {
		t.Errorf("breaking = false in JSON")
	}
	if diff := cmp.Diff(rep.Changes, got.Changes); diff != "" {
		t.Errorf("JSON changes (-report +decoded):\n%s", diff)
	}

	empty := &specdiff.Report{}
	buf.Reset()
	if err := empty.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"breaking\": false,\n  \"changes\": []\n}\n"; buf.String() != want {
		t.Errorf("empty JSON = %q, want %q", buf.String(), want)
	}
	text.Reset()
	if err := empty.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "no changes") {
		t.Errorf("empty text = %q", text.String())
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pinned := write("pinned.yaml", contract.Spec)
	breaking := write("breaking.yaml", edit(t, directionEnum, directionEnum+"        - outbound-api\n"))
	harmless := write("harmless.yaml", edit(t, "        - busy\n        - failed\n", "        - busy\n"))
	invalid := write("invalid.yaml", []byte("openapi: [\n"))
	tests := []struct {
		name, old, new, format string
		wantCode               int
		wantErr                bool
		wantOut                string
	}{
		{name: "identical", old: pinned, new: pinned, wantCode: 0, wantOut: "no changes"},
		{name: "breaking text", old: pinned, new: breaking, wantCode: 1, wantOut: "enum-value-added"},
		{name: "breaking json", old: pinned, new: breaking, format: "json", wantCode: 1, wantOut: `"breaking": true`},
		{name: "non-breaking", old: pinned, new: harmless, format: "text", wantCode: 0, wantOut: "enum-value-removed"},
		{name: "missing file", old: pinned, new: filepath.Join(dir, "nope.yaml"), wantCode: 2, wantErr: true},
		{name: "invalid document", old: invalid, new: pinned, wantCode: 2, wantErr: true},
		{name: "unknown format", old: pinned, new: pinned, format: "xml", wantCode: 2, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			code, err := specdiff.Run(tt.old, tt.new, tt.format, &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Run error = %v, want error %v", err, tt.wantErr)
			}
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out.String())
			}
			if tt.wantErr && out.Len() > 0 {
				t.Errorf("wrote output on error: %s", out.String())
			}
		})
	}
}
