package publish

import (
	"errors"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/callevent"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

// validDetail is a detail every check passes.
func validDetail() detail {
	seq := int64(4)
	call := testCall("+12125550187")
	return newDetail(sidCompleted, call, pipeline.Hint{CallSID: sidCompleted, Status: "completed", Sequence: &seq,
		Timestamp: "Mon, 02 Mar 2026 14:07:45 +0000", Source: pipeline.SourceCallback})
}

// detailCases are details checkDetail and the schema must judge alike:
// one valid detail and one mutation per constraint.
func detailCases() map[string]detail {
	cases := map[string]detail{"valid": validDetail()}
	mut := func(name string, f func(d *detail)) {
		d := validDetail()
		c := *d.Call
		d.Call = &c
		f(&d)
		cases[name] = d
	}
	dir := func(s string) *voice.Direction { v := voice.Direction(s); return &v }
	at := func(year int) *time.Time { t := time.Date(year, 1, 2, 3, 4, 5, 0, time.UTC); return &t }
	mut("capitalised status", func(d *detail) {
		d.Status, d.Call.Status, d.EventID = "Completed", "Completed", sidCompleted+"/Completed"
	})
	mut("status with no-break space", func(d *detail) {
		d.Status, d.Call.Status, d.EventID = "completed\u00a0", "completed\u00a0", sidCompleted+"/completed\u00a0"
	})
	mut("underscore status", func(d *detail) {
		d.Status, d.Call.Status, d.EventID = "in_progress", "in_progress", sidCompleted+"/in_progress"
	})
	mut("undocumented lower-case status", func(d *detail) {
		d.Status, d.Call.Status, d.EventID = "initiated", "initiated", sidCompleted+"/initiated"
	})
	mut("event id of another status", func(d *detail) { d.EventID = sidCompleted + "/busy" })
	mut("upper-case call sid", func(d *detail) {
		d.CallSID = "C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1"
		d.EventID = d.CallSID + "/completed"
	})
	mut("call sid not a uuid", func(d *detail) { d.CallSID = "not-a-uuid"; d.EventID = "not-a-uuid/completed" })
	mut("call of another sid", func(d *detail) { d.Call.SID = sidBusy })
	mut("call sid upper case", func(d *detail) { d.Call.SID = "C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1" })
	mut("call status differs", func(d *detail) { d.Call.Status = voice.StatusBusy })
	mut("empty call status", func(d *detail) { d.Call.Status = "" })
	mut("empty account sid", func(d *detail) { d.Call.AccountSID = "" })
	mut("empty call sid in call", func(d *detail) { d.Call.SID = "" })
	mut("unknown source", func(d *detail) { d.Hint.Source = "somewhere" })
	mut("sweep source", func(d *detail) { d.Hint.Source = pipeline.SourceSweep })
	mut("empty hint status", func(d *detail) { d.Hint.Status = "" })
	mut("odd hint status", func(d *detail) { d.Hint.Status = "Completed\u00a0" })
	mut("negative sequence", func(d *detail) { n := int64(-1); d.Hint.Sequence = &n })
	mut("no sequence", func(d *detail) { d.Hint.Sequence = nil })
	mut("no timestamp", func(d *detail) { d.Hint.Timestamp = nil })
	mut("omitted call", func(d *detail) { d.Call, d.CallOmitted = nil, omittedTooLarge })
	mut("null call without reason", func(d *detail) { d.Call = nil })
	mut("call with call_omitted", func(d *detail) { d.CallOmitted = omittedTooLarge })
	mut("unknown call_omitted", func(d *detail) { d.Call, d.CallOmitted = nil, "lost" })
	mut("wrong schema", func(d *detail) { d.Schema = "callwire.call.event.v2" })
	mut("outbound", func(d *detail) { d.Call.Direction = dir("outbound") })
	mut("unknown direction", func(d *detail) { d.Call.Direction = dir("outbound-api") })
	mut("negative duration", func(d *detail) { d.Call.DurationSeconds = -1 })
	mut("negative findings", func(d *detail) { d.Call.Contract = &voice.ContractSummary{Findings: -1} })
	mut("findings", func(d *detail) { d.Call.Contract = &voice.ContractSummary{Conformant: true, Findings: 3} })
	mut("year 0", func(d *detail) { d.Call.StartedAt = at(0) })
	mut("year 9999", func(d *detail) { d.Call.EndedAt = at(9999) })
	mut("year 10000", func(d *detail) { d.Call.CreatedAt = *at(10000) })
	mut("year -1", func(d *detail) { d.Call.UpdatedAt = *at(-1) })
	mut("retrieved in year 12000", func(d *detail) { d.Call.RetrievedAt = *at(12000) })
	mut("invalid UTF-8 in from", func(d *detail) { d.Call.From = "\xff\xfe" })
	return cases
}

// TestCheckDetailAgreesWithSchema judges each case with checkDetail and
// with callwire.call.event.v1 through the JSON Schema library: both must
// accept or both refuse.
func TestCheckDetailAgreesWithSchema(t *testing.T) {
	t.Parallel()
	for name, d := range detailCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			agree(t, d)
		})
	}
}

func agree(t *testing.T, d detail) {
	t.Helper()
	body, err := d.encode()
	if err != nil {
		t.Fatal(err)
	}
	schemaErr := callevent.Validate([]byte(body))
	checkErr := checkDetail(d)
	if (schemaErr == nil) != (checkErr == nil) {
		t.Errorf("schema says %v, checkDetail says %v\n%s", schemaErr, checkErr, body)
	}
	if checkErr != nil && !errors.Is(checkErr, errInvalidEvent) {
		t.Errorf("checkDetail error %v does not wrap errInvalidEvent", checkErr)
	}
}

// FuzzCheckDetail varies the values the check looks at and holds it to the
// schema.
func FuzzCheckDetail(f *testing.F) {
	f.Add(sidCompleted, "completed", "completed", "callback", "inbound", int64(4), int64(151), 2026, false)
	f.Add("C0C0CA11-0001-4A1E-8B0B-1BA0C0111ED1", "Completed", "", "sweep", "outbound-api", int64(-1), int64(-5), 10000, true)
	f.Add(sidCompleted, "in_progress", "in-progress\u00a0", "x", "", int64(0), int64(0), 0, false)
	f.Fuzz(func(t *testing.T, sid, status, hintStatus, source, direction string, seq, duration int64, year int, omit bool) {
		d := validDetail()
		c := *d.Call
		d.Call = &c
		d.CallSID, d.Status, d.EventID = sid, status, sid+"/"+status
		d.Call.SID, d.Call.Status = sid, voice.Status(status)
		d.Hint.Status, d.Hint.Source, d.Hint.Sequence = hintStatus, source, &seq
		if direction != "" {
			dir := voice.Direction(direction)
			d.Call.Direction = &dir
		}
		d.Call.DurationSeconds = duration
		d.Call.CreatedAt = time.Date(year%20000, 1, 2, 3, 4, 5, 0, time.UTC)
		if omit {
			d.Call, d.CallOmitted = nil, omittedTooLarge
		}
		agree(t, d)
	})
}
