package voice_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/voice"
)

func fullCall() voice.Call {
	return voice.Call{
		SID:             "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
		AccountSID:      "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
		ParentCallSID:   new("0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f"),
		PhoneNumberSID:  new("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"),
		Direction:       new(voice.DirectionOutbound),
		DirectionDetail: new("outbound-api"),
		Status:          voice.StatusCompleted,
		AnsweredBy:      new("human"),
		From:            "+12125550187",
		To:              "+14155550123",
		FromFormatted:   new("(212) 555-0187"),
		ToFormatted:     new("(415) 555-0123"),
		CreatedAt:       time.Date(2026, 3, 2, 14, 5, 7, 0, time.UTC),
		UpdatedAt:       time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC),
		StartedAt:       new(time.Date(2026, 3, 2, 14, 5, 9, 0, time.UTC)),
		EndedAt:         new(time.Date(2026, 3, 2, 14, 7, 40, 0, time.UTC)),
		DurationSeconds: 151,
		Price:           &voice.Price{Amount: 0.0126, Currency: new("USD")},
		SIPResultCode:   new("200"),
		Quality: &voice.Quality{
			MOS:            new(4.31),
			RTT:            voice.Stats{Min: new(31.0), Avg: new(48.5), Max: new(97.0)},
			JitterOut:      voice.Stats{Min: new(0.0), Avg: new(3.0), Max: new(12.0)},
			PacketsLostOut: new(2.0),
		},
		URI:           "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
		RecordingsURI: new("/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10/Recordings"),
		APIVersion:    "2010-04-01",
		Contract:      &voice.ContractSummary{Conformant: true, Findings: 0},
		RetrievedAt:   time.Date(2026, 3, 2, 14, 8, 0, 123456789, time.UTC),
	}
}

// minimalCall has every nullable field null and no contract summary.
func minimalCall() voice.Call {
	return voice.Call{
		SID:         "7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
		AccountSID:  "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
		Status:      "initiated",
		From:        "+12125550187",
		To:          "+14155550123",
		CreatedAt:   time.Date(2026, 3, 2, 14, 5, 7, 0, time.FixedZone("+0200", 2*60*60)),
		UpdatedAt:   time.Date(2026, 3, 2, 14, 5, 7, 999, time.UTC),
		URI:         "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",
		APIVersion:  "2010-04-01",
		RetrievedAt: time.Date(2026, 3, 2, 14, 8, 0, 0, time.UTC),
	}
}

// minimalJSON is minimalCall's JSON with middle (price, SIP result code and
// quality) in its place.
func minimalJSON(middle string) string {
	return `{"schema":"callwire.call.v1",` +
		`"sid":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10","account_sid":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",` +
		`"parent_call_sid":null,"phone_number_sid":null,"direction":null,"direction_detail":null,` +
		`"status":"initiated","answered_by":null,"from":"+12125550187","to":"+14155550123",` +
		`"from_formatted":null,"to_formatted":null,` +
		`"created_at":"2026-03-02T12:05:07Z","updated_at":"2026-03-02T14:05:07Z","started_at":null,"ended_at":null,` +
		`"duration_seconds":0,` + middle +
		`"uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",` +
		`"recordings_uri":null,"api_version":"2010-04-01","retrieved_at":"2026-03-02T14:08:00.000Z"}`
}

func TestCallMarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call voice.Call
		want string
	}{
		{
			name: "full",
			call: fullCall(),
			want: `{"schema":"callwire.call.v1",` +
				`"sid":"7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10","account_sid":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",` +
				`"parent_call_sid":"0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f","phone_number_sid":"5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",` +
				`"direction":"outbound","direction_detail":"outbound-api","status":"completed","answered_by":"human",` +
				`"from":"+12125550187","to":"+14155550123","from_formatted":"(212) 555-0187","to_formatted":"(415) 555-0123",` +
				`"created_at":"2026-03-02T14:05:07Z","updated_at":"2026-03-02T14:07:41Z",` +
				`"started_at":"2026-03-02T14:05:09Z","ended_at":"2026-03-02T14:07:40Z",` +
				`"duration_seconds":151,"price":{"amount":0.0126,"currency":"USD"},"sip_result_code":"200",` +
				`"quality":{"mos":4.31,"rtt_ms":{"min":31,"avg":48.5,"max":97},"jitter_out_ms":{"min":0,"avg":3,"max":12},"packets_lost_out":2},` +
				`"uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10",` +
				`"recordings_uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/7c1e9a52-3b4d-4f60-9a8b-0c2d4e6f8a10/Recordings",` +
				`"api_version":"2010-04-01","contract":{"conformant":true,"findings":0},` +
				`"retrieved_at":"2026-03-02T14:08:00.123Z"}`,
		},
		{
			name: "nulls and no contract",
			call: minimalCall(),
			want: minimalJSON(`"price":null,"sip_result_code":null,"quality":null,`),
		},
		{
			name: "credit price, partial quality, null currency",
			call: func() voice.Call {
				c := minimalCall()
				c.Price = &voice.Price{Amount: -0.0085}
				c.Quality = &voice.Quality{MOS: new(4.5)}
				return c
			}(),
			want: minimalJSON(`"price":{"amount":-0.0085,"currency":null},"sip_result_code":null,` +
				`"quality":{"mos":4.5,"rtt_ms":{"min":null,"avg":null,"max":null},"jitter_out_ms":{"min":null,"avg":null,"max":null},"packets_lost_out":null},`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.call)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallJSONRoundTrip(t *testing.T) {
	t.Parallel()
	full := fullCall()
	full.RetrievedAt = full.RetrievedAt.Truncate(time.Millisecond)
	minimal := minimalCall()
	minimal.CreatedAt = minimal.CreatedAt.UTC()
	minimal.UpdatedAt = minimal.UpdatedAt.Truncate(time.Second)
	tests := []struct {
		name string
		call voice.Call
	}{
		{name: "full", call: full},
		{name: "minimal", call: minimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.call)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			var got voice.Call
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tt.call, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallUnmarshalJSONErrors(t *testing.T) {
	t.Parallel()
	valid, err := json.Marshal(minimalCall())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		doc     string
		wantSub string
	}{
		{name: "wrong type", doc: `{"schema":1}`, wantSub: "decode call"},
		{name: "other schema", doc: strings.Replace(string(valid), `"callwire.call.v1"`, `"callwire.call.v2"`, 1), wantSub: `schema "callwire.call.v2"`},
		{name: "bad created_at", doc: strings.Replace(string(valid), `"2026-03-02T12:05:07Z"`, `"Mon, 02 Mar 2026"`, 1), wantSub: "created_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c voice.Call
			err := json.Unmarshal([]byte(tt.doc), &c)
			if err == nil || !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("Unmarshal error = %v, want it to contain %q", err, tt.wantSub)
			}
		})
	}
}

func TestCallDuration(t *testing.T) {
	t.Parallel()
	if got, want := fullCall().Duration(), 151*time.Second; got != want {
		t.Errorf("Duration() = %v, want %v", got, want)
	}
}
