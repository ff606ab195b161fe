package specdiff_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
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

// uriArray declares /uri as an array of objects whose x has type typ.
func uriArray(typ string) string {
	return "        uri:\n          type: array\n          items:\n            type: object\n            properties:\n              x:\n                type: " + typ + "\n"
}

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
			want:     []specdiff.Change{{Kind: specdiff.KindEnumValueAdded, Pointer: "200 /direction", New: "outbound-api", Severity: specdiff.SeverityBreaking, Rule: "response-property-enum-value-added"}},
			breaking: true,
		},
		{
			name: "enum value removed", old: pinned,
			new:  edit(t, "        - busy\n        - failed\n", "        - busy\n"),
			want: []specdiff.Change{{Kind: specdiff.KindEnumValueRemoved, Pointer: "200 /status", Old: "failed", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-enum-value-removed"}},
		},
		{
			name: "property no longer required", old: pinned,
			new:      edit(t, "        - duration\n", ""),
			want:     []specdiff.Change{{Kind: specdiff.KindRequiredRemoved, Pointer: "200 /duration", Old: "required", New: "optional", Severity: specdiff.SeverityBreaking, Rule: "response-property-became-optional"}},
			breaking: true,
		},
		{
			name: "property newly required", old: edit(t, "        - duration\n", ""), new: pinned,
			want: []specdiff.Change{{Kind: specdiff.KindRequiredAdded, Pointer: "200 /duration", Old: "optional", New: "required", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-became-required"}},
		},
		{
			name: "new optional property", old: pinned,
			new:  edit(t, "        audio_out_lost:\n", "        queue_time:\n          type: integer\n        audio_out_lost:\n"),
			want: []specdiff.Change{{Kind: specdiff.KindPropertyAdded, Pointer: "200 /queue_time", New: "optional", Severity: specdiff.SeverityNonBreaking, Rule: "response-optional-property-added"}},
		},
		{
			name: "property removed", old: pinned,
			new:      edit(t, "        sip_result_code:\n          type:\n            - string\n            - 'null'\n          description: The SIP result code for the call.\n", ""),
			want:     []specdiff.Change{{Kind: specdiff.KindPropertyRemoved, Pointer: "200 /sip_result_code", Old: "declared", Severity: specdiff.SeverityBreaking, Rule: "response-required-property-removed"}},
			breaking: true,
		},
		{
			name: "type number to string", old: pinned,
			new:      edit(t, "        audio_in_mos:\n          type:\n            - number\n", "        audio_in_mos:\n          type:\n            - string\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /audio_in_mos", Old: "number", New: "string", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"}},
			breaking: true,
		},
		{
			name: "type integer to number", old: pinned,
			new:      edit(t, "        duration:\n          type: integer\n", "        duration:\n          type: number\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /duration", Old: "integer", New: "number", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-generalized"}},
			breaking: true,
		},
		{
			name: "type number to integer narrows", old: pinned,
			new:  edit(t, "        price:\n          type:\n            - number\n", "        price:\n          type:\n            - integer\n"),
			want: []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /price", Old: "number", New: "integer", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-type-specialized"}},
		},
		{
			name: "null no longer allowed", old: pinned,
			new:  edit(t, "        price:\n          type:\n            - number\n            - 'null'\n", "        price:\n          type: number\n"),
			want: []specdiff.Change{{Kind: specdiff.KindNullRemoved, Pointer: "200 /price", Old: "null allowed", New: "not null", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-became-not-nullable"}},
		},
		{
			name: "null newly allowed", old: pinned,
			new:      edit(t, "        duration:\n          type: integer\n", "        duration:\n          type:\n            - integer\n            - 'null'\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindNullAdded, Pointer: "200 /duration", Old: "not null", New: "null allowed", Severity: specdiff.SeverityBreaking, Rule: "response-property-became-nullable"}},
			breaking: true,
		},
		{
			name: "null newly allowed through oneOf", old: edit(t, answeredByRef, "          $ref: '#/components/schemas/AnsweredBy'\n"), new: pinned,
			want:     []specdiff.Change{{Kind: specdiff.KindNullAdded, Pointer: "200 /answered_by", Old: "not null", New: "null allowed", Severity: specdiff.SeverityBreaking, Rule: "response-property-became-nullable"}},
			breaking: true,
		},
		{
			name: "enum value added behind oneOf", old: pinned,
			new:      edit(t, "        - human\n        - machine\n", "        - human\n        - machine\n        - fax\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindEnumValueAdded, Pointer: "200 /answered_by", New: "fax", Severity: specdiff.SeverityBreaking, Rule: "response-property-enum-value-added"}},
			breaking: true,
		},
		{
			name: "format removed", old: pinned,
			new: edit(t, "            - 'null'\n          format: uuid\n          description: The unique identifier for the call that created this call.\n",
				"            - 'null'\n          description: The unique identifier for the call that created this call.\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindFormatRemoved, Pointer: "200 /parent_call_sid", Old: "uuid", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"}},
			breaking: true,
		},
		{
			name: "format added", old: pinned,
			new:  edit(t, "        uri:\n          type: string\n", "        uri:\n          type: string\n          format: uri-reference\n"),
			want: []specdiff.Change{{Kind: specdiff.KindFormatAdded, Pointer: "200 /uri", New: "uri-reference", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-type-specialized"}},
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
				{Kind: specdiff.KindTypeChanged, Pointer: "400 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"},
				{Kind: specdiff.KindTypeChanged, Pointer: "401 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"},
				{Kind: specdiff.KindTypeChanged, Pointer: "404 /code", Old: "integer", New: "string", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"},
			},
			breaking: true,
		},
		{
			name: "status removed", old: pinned,
			new:  edit(t, "        '404':\n          description: >-\n            The requested resource was not found. Please verify the resource\n            identifier.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CompatibilityErrorResponse'\n", ""),
			want: []specdiff.Change{{Kind: specdiff.KindStatusRemoved, Pointer: "404", Old: "404", Severity: specdiff.SeverityInfo, Rule: "response-non-success-status-removed"}},
		},
		{
			name: "status added", old: pinned,
			new:  edit(t, "servers:\n", "        '429':\n          description: Too many requests.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CompatibilityErrorResponse'\nservers:\n"),
			want: []specdiff.Change{{Kind: specdiff.KindStatusAdded, Pointer: "429", New: "429", Severity: specdiff.SeverityNonBreaking, Rule: "response-non-success-status-added"}},
		},
		{
			name: "operation removed", old: pinned,
			new:      edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n    get:\n", "  /Accounts/{AccountSid}/Calls/{Sid}:\n    delete:\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindOperationRemoved, Old: "GET /Accounts/{}/Calls/{}", Severity: specdiff.SeverityBreaking, Rule: "api-path-removed-without-deprecation"}},
			breaking: true,
		},
		{
			name: "parameters renamed", old: pinned,
			new: edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n", "  /Accounts/{ProjectID}/Calls/{CallSID}:\n"),
		},
		{
			name: "base path moved into the path", old: pinned,
			new: edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n", "  /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}:\n"),
		},
		{
			name: "operation removed after deprecation", old: edit(t, "      operationId: retrieve-a-call\n", "      operationId: retrieve-a-call\n      deprecated: true\n"),
			new:      edit(t, "  /Accounts/{AccountSid}/Calls/{Sid}:\n    get:\n", "  /Accounts/{AccountSid}/Calls/{Sid}:\n    delete:\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindOperationRemoved, Old: "GET /Accounts/{}/Calls/{}", Severity: specdiff.SeverityBreaking, Rule: "api-path-removed-with-deprecation"}},
			breaking: true,
		},
		{
			name: "optional property removed", old: edit(t, "        - sip_result_code\n", ""),
			new: edit(t, "        - sip_result_code\n", "",
				"        sip_result_code:\n          type:\n            - string\n            - 'null'\n          description: The SIP result code for the call.\n", ""),
			want:     []specdiff.Change{{Kind: specdiff.KindPropertyRemoved, Pointer: "200 /sip_result_code", Old: "declared", Severity: specdiff.SeverityBreaking, Rule: "response-optional-property-removed"}},
			breaking: true,
		},
		{
			name: "success status removed", old: pinned,
			new:  edit(t, "        '200':\n          description: The request has succeeded.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CallResponse'\n", ""),
			want: []specdiff.Change{{Kind: specdiff.KindStatusRemoved, Pointer: "200", Old: "200", Severity: specdiff.SeverityInfo, Rule: "response-success-status-removed"}},
		},
		{
			name: "body no longer documented", old: pinned,
			new:      edit(t, "          description: The request has succeeded.\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/CallResponse'\n", "          description: The request has succeeded.\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindBodyRemoved, Pointer: "200", Old: "application/json", Severity: specdiff.SeverityBreaking, Rule: "response-media-type-removed"}},
			breaking: true,
		},
		{
			name: "opened", old: edit(t, callTitle, callTitle+"      additionalProperties: false\n"), new: pinned,
			want: []specdiff.Change{{Kind: specdiff.KindObjectOpened, Pointer: "200", Old: "closed", New: "open", Severity: specdiff.SeverityNonBreaking}},
		},
		{
			name: "type and format together", old: pinned,
			new:      edit(t, "        sid:\n          type: string\n          format: uuid\n", "        sid:\n          type: integer\n          format: int64\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /sid", Old: "string/uuid", New: "integer/int64", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"}},
			breaking: true,
		},
		{
			name: "type widened to two", old: pinned,
			new:      edit(t, "        price_unit:\n          type: string\n", "        price_unit:\n          type:\n            - string\n            - integer\n"),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /price_unit", Old: "string", New: "integer or string", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-generalized"}},
			breaking: true,
		},
		{
			name: "array items", old: edit(t, "        uri:\n          type: string\n", uriArray("string")),
			new:      edit(t, "        uri:\n          type: string\n", uriArray("integer")),
			want:     []specdiff.Change{{Kind: specdiff.KindTypeChanged, Pointer: "200 /uri/*/x", Old: "string", New: "integer", Severity: specdiff.SeverityBreaking, Rule: "response-property-type-changed"}},
			breaking: true,
		},
		// Rules without a kind of ours keep oasdiff's id and level; the
		// pointer still names the property.
		{
			name: "maxLength set", old: pinned,
			new:  edit(t, "        uri:\n          type: string\n", "        uri:\n          type: string\n          maxLength: 200\n"),
			want: []specdiff.Change{{Kind: "response-property-max-length-set", Pointer: "200 /uri", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-max-length-set"}},
		},
		{
			name: "maxLength unset", old: edit(t, "        uri:\n          type: string\n", "        uri:\n          type: string\n          maxLength: 200\n"), new: pinned,
			want:     []specdiff.Change{{Kind: "response-property-max-length-unset", Pointer: "200 /uri", Severity: specdiff.SeverityBreaking, Rule: "response-property-max-length-unset"}},
			breaking: true,
		},
		{
			name: "description and example changes are not listed", old: pinned,
			new: edit(t, "          description: Error code.\n", "          description: The error code.\n          examples: [21220]\n"),
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

// libraryText are fragments of parser and loader messages that must not
// reach a user: they say nothing about which file or what is wrong.
var libraryText = []string{"libopenapi", "sorry", "go-yaml", "<unknown position>", "yaml:", "failed to unmarshal", "openapi3.", "!!", "construct"}

// checkDocumentError checks that err is a *DocumentError naming name and
// saying want, in our words.
func checkDocumentError(t *testing.T, err error, name, want string) {
	t.Helper()
	var de *specdiff.DocumentError
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want a *specdiff.DocumentError", err, err)
	}
	if de.Name != name {
		t.Errorf("DocumentError.Name = %q, want %q", de.Name, name)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, name+" ") {
		t.Errorf("error %q does not start with the document's name %q", msg, name)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	for _, lib := range libraryText {
		if strings.Contains(msg, lib) {
			t.Errorf("error %q carries library text %q", msg, lib)
		}
	}
}

func TestDiffErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new []byte
		doc      string
		want     string
	}{
		{"invalid YAML in new", contract.Spec, []byte("openapi: 3.1.0\npaths: [\n  - {\n"), "new document", "is not valid YAML or JSON (line 3, column 3: "},
		{"invalid YAML in old", []byte("openapi: 3.1.0\ninfo: {title: x\n"), contract.Spec, "old document", "is not valid YAML or JSON (line "},
		{"not OpenAPI", contract.Spec, []byte("hello: world\n"), "new document", "is not an OpenAPI document: it has no openapi version field"},
		{"empty", nil, contract.Spec, "old document", "is empty"},
		{"only a comment", contract.Spec, []byte("# nothing here\n"), "new document", "is empty"},
		{"a list", []byte("- openapi\n"), contract.Spec, "old document", "its top level is a list, not a mapping"},
		{"a scalar", contract.Spec, []byte("hello\n"), "new document", "its top level is a single value, not a mapping"},
		{"Swagger 2", []byte("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n"), contract.Spec, "old document", "is a Swagger 2.0 document"},
		{"OpenAPI 4", contract.Spec, []byte("openapi: 4.0.0\n"), "new document", "declares OpenAPI 4.0.0"},
		{"paths is a list", []byte("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: [1]\n"), contract.Spec, "old document", "line 3: /paths is a list where a mapping is expected"},
		{"info is a number", contract.Spec, []byte("openapi: 3.1.0\ninfo: 5\npaths: {}\n"), "new document", "/info is a number (5) where an object is expected"},
		{"unresolvable $ref", contract.Spec, []byte(strings.Replace(string(contract.Spec), "$ref: '#/components/schemas/CallResponse'", "$ref: '#/components/schemas/Missing'", 1)), "new document", "#/components/schemas/Missing"},
		{"external $ref refused", contract.Spec, []byte(strings.Replace(string(contract.Spec), "$ref: '#/components/schemas/CallResponse'", "$ref: 'other.yaml#/CallResponse'", 1)), "new document", "other.yaml#/CallResponse"},
		{"old lacks the operation", []byte("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n"), contract.Spec, "old document", "does not document GET /Accounts/{AccountSid}/Calls/{Sid}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := specdiff.Diff(tt.old, tt.new)
			if err == nil {
				t.Fatalf("Diff = %+v, want an error", rep)
			}
			checkDocumentError(t, err, tt.doc, tt.want)
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

func TestRunErrors(t *testing.T) {
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
	empty := write("empty.yaml", nil)
	notYAML := write("not-yaml.yaml", []byte("openapi: 3.1.0\ninfo: {title: [x\n"))
	notOpenAPI := write("not-openapi.yaml", []byte("name: callwire\nversion: 1\n"))
	missing := filepath.Join(dir, "missing.yaml")
	tooBig := write("big.yaml", bytes.Repeat([]byte("#\n"), specdiff.MaxSpecSize/2+1))
	tests := []struct {
		name, old, new string
		doc, want      string
		notExist       bool
	}{
		{name: "empty old", old: empty, new: pinned, doc: empty, want: "is empty"},
		{name: "empty new", old: pinned, new: empty, doc: empty, want: "is empty"},
		{name: "not YAML", old: pinned, new: notYAML, doc: notYAML, want: "is not valid YAML or JSON (line 3, column 1: did not find expected ',' or ']' in a flow sequence that starts at line 2, column 15)"},
		{name: "YAML that is not OpenAPI", old: notOpenAPI, new: pinned, doc: notOpenAPI, want: "is not an OpenAPI document"},
		{name: "missing old", old: missing, new: pinned, doc: missing, want: "does not exist", notExist: true},
		{name: "missing new", old: pinned, new: missing, doc: missing, want: "does not exist", notExist: true},
		{name: "directory", old: dir, new: pinned, doc: dir, want: "is a directory"},
		{name: "too large", old: pinned, new: tooBig, doc: tooBig, want: "is larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			code, err := specdiff.Run(tt.old, tt.new, "text", &out)
			if code != 2 {
				t.Errorf("exit code = %d, want 2", code)
			}
			if out.Len() > 0 {
				t.Errorf("wrote output on error: %s", out.String())
			}
			checkDocumentError(t, err, tt.doc, tt.want)
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
		})
	}
}
