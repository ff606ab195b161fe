package specdiff_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/specdiff"
)

// TestDiffUnwrapsWrappings checks that the wrappings newer SignalWire
// documents use (allOf around one $ref, anyOf/oneOf with null) compare equal
// to what they wrap, and that a real change under a wrapping still shows.
func TestDiffUnwrapsWrappings(t *testing.T) {
	t.Parallel()
	const (
		statusRef     = "        status:\n          $ref: '#/components/schemas/CallStatus'\n          description: The status of the call.\n"
		statusAllOf   = "        status:\n          allOf:\n            - $ref: '#/components/schemas/CallStatus'\n          description: The status of the call.\n          examples:\n            - completed\n"
		startTime     = "        start_time:\n          type:\n            - string\n            - 'null'\n"
		startAnyOf    = "        start_time:\n          anyOf:\n            - type: string\n            - type: 'null'\n"
		answeredAnyOf = "          anyOf:\n            - $ref: '#/components/schemas/AnsweredBy'\n            - type: 'null'\n"
		uriRef        = "          $ref: '#/components/schemas/CallSubresourceUris'\n"
		uriAllOf      = "          allOf:\n            - $ref: '#/components/schemas/CallSubresourceUris'\n"
	)
	pinned := contract.Spec
	tests := []struct {
		name string
		new  []byte
		want []specdiff.Change
	}{
		{name: "allOf around one $ref", new: edit(t, statusRef, statusAllOf)},
		{name: "anyOf with null for a type list", new: edit(t, startTime, startAnyOf)},
		{name: "anyOf for oneOf with null", new: edit(t, answeredByRef, answeredAnyOf)},
		{name: "allOf around an object", new: edit(t, uriRef, uriAllOf)},
		{name: "all of them", new: edit(t, statusRef, statusAllOf, startTime, startAnyOf, answeredByRef, answeredAnyOf, uriRef, uriAllOf)},
		{
			name: "a change under an allOf still shows",
			new:  edit(t, statusRef, statusAllOf, "        - busy\n        - failed\n", "        - busy\n"),
			want: []specdiff.Change{{Kind: specdiff.KindEnumValueRemoved, Pointer: "200 /status", Old: "failed", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-enum-value-removed"}},
		},
		{
			name: "a null union whose other member changed format",
			new:  edit(t, startTime, "        start_time:\n          anyOf:\n            - type: string\n              format: date-time\n            - type: 'null'\n"),
			want: []specdiff.Change{{Kind: specdiff.KindFormatAdded, Pointer: "200 /start_time", New: "date-time", Severity: specdiff.SeverityNonBreaking, Rule: "response-property-type-specialized"}},
		},
	}
	t.Run("an allOf beside a constraint is compared as written", func(t *testing.T) {
		t.Parallel()
		rep, err := specdiff.Diff(pinned, edit(t, statusRef, "        status:\n          allOf:\n            - $ref: '#/components/schemas/CallStatus'\n          maxLength: 3\n"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Count(specdiff.SeverityInfo) == 0 || len(rep.Changes) < 2 {
			t.Errorf("changes = %+v, want the allOf reported as a change of type", rep.Changes)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := specdiff.Diff(pinned, tt.new)
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Changes
			for i := range got {
				got[i].Message = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}
