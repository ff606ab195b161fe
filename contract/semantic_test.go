package contract_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/callwire/callwire/contract"
)

// withDates returns ex with the given members of its body replaced.
func withDates(t *testing.T, ex contract.Exchange, set map[string]any) contract.Exchange {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(ex.Body))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		body[k] = v
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ex.Body = b
	return ex
}

// TestDatesUseTheirOffsets: the date warnings, time order and the duration
// read each date as RFC 2822 says, in the offset it states (an obsolete
// zone name has its own), with comments, and two-digit years as section 4.3
// says.
func TestDatesUseTheirOffsets(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	// The recording: created 14:05:07, updated 14:09:52, start 14:05:09,
	// end 14:09:51 (+0000), duration 282.
	for _, tt := range []struct {
		name string
		set  map[string]any
		want []string // "rule pointer"
	}{
		{"EST equal to the creation time", map[string]any{"date_updated": "Mon, 02 Mar 2026 09:05:07 EST"}, nil},
		{"EST one second before the creation time", map[string]any{"date_updated": "Mon, 02 Mar 2026 09:05:06 EST"},
			[]string{"semantic.time-order /date_updated"}},
		{"PDT end time gives the duration", map[string]any{"end_time": "Mon, 02 Mar 2026 07:09:51 PDT"}, nil},
		{"offset end time gives the duration", map[string]any{"end_time": "Mon, 02 Mar 2026 19:39:51 +0530"}, nil},
		{"end time read as +0000 would be 5 h off", map[string]any{"end_time": "Mon, 02 Mar 2026 14:09:51 -0500"},
			[]string{"semantic.time-order /duration"}},
		{"comments, military zone, lower case, no space after the comma", map[string]any{
			"date_created": "Mon,02 Mar 2026 14:05:07 +0000 (UTC)",
			"date_updated": "mon, 02 mar 2026 14:09:52 z",
			"start_time":   "Mon, 02 Mar 2026\t14:05:09\t+0000",
			"end_time":     "Mon, 02 Mar 2026 14:09:51 GMT",
		}, nil},
		{"two-digit year 68 is 1968, before the creation time", map[string]any{"date_updated": "Sat, 02 Mar 68 14:09:52 +0000"},
			[]string{"semantic.time-order /date_updated"}},
		{"leap second", map[string]any{"start_time": "Mon, 02 Mar 2026 14:05:60 +0000", "duration": json.Number("231")}, nil},
		{"weekday not the date's", map[string]any{"date_created": "Tue, 02 Mar 2026 14:05:07 +0000"},
			[]string{"semantic.date-format /date_created"}},
		{"UTC is no RFC 2822 zone", map[string]any{"date_created": "Mon, 02 Mar 2026 14:05:07 UTC"},
			[]string{"semantic.date-format /date_created"}},
		{"one-digit hour", map[string]any{"end_time": "Mon, 02 Mar 2026 4:09:51 +0000"},
			[]string{"semantic.date-format /end_time"}},
		{"text after the zone", map[string]any{"start_time": "Mon, 02 Mar 2026 14:05:09 +0000 UTC"},
			[]string{"semantic.date-format /start_time"}},
	} {
		ex := withDates(t, conformantExchange(t), tt.set)
		res := v.Check(ex)
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Rule+" "+f.Pointer)
		}
		if len(got) != len(tt.want) || len(got) > 0 && got[0] != tt.want[0] {
			t.Errorf("%s: findings %q, want %q", tt.name, got, tt.want)
		}
	}
}
