package signalwire

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/callv1"
	"github.com/callwire/callwire/functions/voice"
)

// retrievedAt is the fetch time every case passes to Normalize; it is not in
// UTC and has sub-millisecond digits to show both are normalized.
var retrievedAt = time.Date(2026, 3, 2, 15, 8, 0, 123456789, time.FixedZone("CET", 60*60))

// fullBody is a 2026-shaped body: every documented key, including the audio
// metrics and sip_result_code, with an average RTT sent as a float.
const fullBody = `{
  "sid": "6f1d2c3b-4a59-4e87-9d6c-5b4a39281706",
  "date_created": "Mon, 02 Mar 2026 14:05:07 +0000",
  "date_updated": "Mon, 02 Mar 2026 14:07:41 +0000",
  "parent_call_sid": null,
  "account_sid": "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  "to": "+14155550123",
  "formatted_to": "(415) 555-0123",
  "to_formatted": "(415) 555-0123",
  "from": "+12125550187",
  "formatted_from": "(212) 555-0187",
  "from_formatted": "(212) 555-0187",
  "phone_number_sid": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
  "status": "completed",
  "start_time": "Mon, 02 Mar 2026 14:05:09 +0000",
  "end_time": "Mon, 02 Mar 2026 14:07:40 +0000",
  "duration": 151,
  "price": 0.0126,
  "price_unit": "USD",
  "direction": "outbound-api",
  "answered_by": "human",
  "api_version": "2010-04-01",
  "forwarded_from": null,
  "caller_name": null,
  "uri": "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/6f1d2c3b-4a59-4e87-9d6c-5b4a39281706",
  "subresource_uris": {
    "notifications": null,
    "recordings": "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/6f1d2c3b-4a59-4e87-9d6c-5b4a39281706/Recordings"
  },
  "annotation": null,
  "group_sid": null,
  "audio_in_mos": 4.31,
  "sip_result_code": "200",
  "audio_rtt_avg": 48.5,
  "audio_rtt_min": 31,
  "audio_rtt_max": 97,
  "audio_out_jitter_min": 0,
  "audio_out_jitter_max": 12,
  "audio_out_jitter_avg": 3,
  "audio_out_lost": 2
}`

// fullWant is what Normalize makes of fullBody.
func fullWant() voice.Call {
	return voice.Call{
		SID:             "6f1d2c3b-4a59-4e87-9d6c-5b4a39281706",
		AccountSID:      "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
		PhoneNumberSID:  new("2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"),
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
		URI:           "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/6f1d2c3b-4a59-4e87-9d6c-5b4a39281706",
		RecordingsURI: new("/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/6f1d2c3b-4a59-4e87-9d6c-5b4a39281706/Recordings"),
		APIVersion:    "2010-04-01",
		RetrievedAt:   time.Date(2026, 3, 2, 14, 8, 0, 123000000, time.UTC),
	}
}

// dropKey marks a key that patch removes.
const dropKey = "<dropKey>"

// patch returns body with each key set to a raw JSON value, or removed when
// the value is dropKey. Pairs are key, value.
func patchBody(body string, kv ...string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		panic("patch: " + err.Error())
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == dropKey {
			delete(m, kv[i])
			continue
		}
		m[kv[i]] = json.RawMessage(kv[i+1])
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("patch: " + err.Error())
	}
	return string(b)
}

// full returns fullWant changed by fn.
func fullWith(fn func(c *voice.Call)) voice.Call {
	c := fullWant()
	fn(&c)
	return c
}

type normalizeCase struct {
	name string
	body string
	want voice.Call
}

func normalizeCases() []normalizeCase {
	return []normalizeCase{
		{name: "2026 shape, all keys", body: fullBody, want: fullWant()},
		{
			name: "2019 shape, no audio or sip keys, outbound-dial child",
			body: `{"sid":"1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7","date_created":"Sat, 26 Jan 2019 11:09:55 +0000",` +
				`"date_updated":"Sat, 26 Jan 2019 11:10:33 +0000","parent_call_sid":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",` +
				`"account_sid":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d","to":"+14045550142","formatted_to":"404-555-0142",` +
				`"to_formatted":"404-555-0142","from":"+14045550166","formatted_from":"404-555-0166",` +
				`"from_formatted":"404-555-0166","phone_number_sid":"3b4c5d6e-7f80-4192-a3b4-c5d6e7f8091a",` +
				`"status":"no-answer","start_time":"Sat, 26 Jan 2019 11:09:57 +0000","end_time":"Sat, 26 Jan 2019 11:10:33 +0000",` +
				`"duration":36,"price":null,"price_unit":"USD","direction":"outbound-dial","answered_by":null,` +
				`"api_version":"2010-04-01","forwarded_from":null,"caller_name":null,` +
				`"uri":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7",` +
				`"subresource_uris":{"notifications":null,"recordings":"/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7/Recordings"},` +
				`"annotation":null,"group_sid":null}`,
			want: voice.Call{
				SID:             "1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7",
				AccountSID:      "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
				ParentCallSID:   new("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"),
				PhoneNumberSID:  new("3b4c5d6e-7f80-4192-a3b4-c5d6e7f8091a"),
				Direction:       new(voice.DirectionOutbound),
				DirectionDetail: new("outbound-dial"),
				Status:          voice.StatusNoAnswer,
				From:            "+14045550166",
				To:              "+14045550142",
				FromFormatted:   new("404-555-0166"),
				ToFormatted:     new("404-555-0142"),
				CreatedAt:       time.Date(2019, 1, 26, 11, 9, 55, 0, time.UTC),
				UpdatedAt:       time.Date(2019, 1, 26, 11, 10, 33, 0, time.UTC),
				StartedAt:       new(time.Date(2019, 1, 26, 11, 9, 57, 0, time.UTC)),
				EndedAt:         new(time.Date(2019, 1, 26, 11, 10, 33, 0, time.UTC)),
				DurationSeconds: 36,
				URI:             "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7",
				RecordingsURI:   new("/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/1a2b3c4d-5e6f-4a70-8b91-c2d3e4f5a6b7/Recordings"),
				APIVersion:      "2010-04-01",
				RetrievedAt:     time.Date(2026, 3, 2, 14, 8, 0, 123000000, time.UTC),
			},
		},
		{
			name: "2024 shape, mos as a string, null sip code",
			body: `{
  "sid": "4d5e6f70-8192-4a3b-9c4d-5e6f708192a3",
  "date_created": "Thu, 24 Oct 2024 22:08:25 +0000",
  "date_updated": "Thu, 24 Oct 2024 22:14:03 +0000",
  "parent_call_sid": null,
  "account_sid": "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  "to": "+13125550110",
  "formatted_to": "312-555-0110",
  "to_formatted": "312-555-0110",
  "from": "+13125550199",
  "formatted_from": "+13125550199",
  "from_formatted": "+13125550199",
  "phone_number_sid": "5e6f7081-92a3-4b4c-8d5e-6f708192a3b4",
  "status": "completed",
  "start_time": "Thu, 24 Oct 2024 22:08:25 +0000",
  "end_time": "Thu, 24 Oct 2024 22:08:46 +0000",
  "duration": 22,
  "price": 0.00931,
  "price_unit": "USD",
  "direction": "inbound",
  "answered_by": null,
  "api_version": "2010-04-01",
  "forwarded_from": null,
  "caller_name": null,
  "uri": "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/4d5e6f70-8192-4a3b-9c4d-5e6f708192a3",
  "subresource_uris": {
    "notifications": null,
    "recordings": "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/4d5e6f70-8192-4a3b-9c4d-5e6f708192a3/Recordings"
  },
  "annotation": null,
  "group_sid": null,
  "audio_in_mos": "4.5",
  "sip_result_code": null
}`,
			want: voice.Call{
				SID:             "4d5e6f70-8192-4a3b-9c4d-5e6f708192a3",
				AccountSID:      "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
				PhoneNumberSID:  new("5e6f7081-92a3-4b4c-8d5e-6f708192a3b4"),
				Direction:       new(voice.DirectionInbound),
				Status:          voice.StatusCompleted,
				From:            "+13125550199",
				To:              "+13125550110",
				FromFormatted:   new("+13125550199"),
				ToFormatted:     new("312-555-0110"),
				CreatedAt:       time.Date(2024, 10, 24, 22, 8, 25, 0, time.UTC),
				UpdatedAt:       time.Date(2024, 10, 24, 22, 14, 3, 0, time.UTC),
				StartedAt:       new(time.Date(2024, 10, 24, 22, 8, 25, 0, time.UTC)),
				EndedAt:         new(time.Date(2024, 10, 24, 22, 8, 46, 0, time.UTC)),
				DurationSeconds: 22,
				Price:           &voice.Price{Amount: 0.00931, Currency: new("USD")},
				Quality:         &voice.Quality{MOS: new(4.5)},
				URI:             "/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/4d5e6f70-8192-4a3b-9c4d-5e6f708192a3",
				RecordingsURI:   new("/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/4d5e6f70-8192-4a3b-9c4d-5e6f708192a3/Recordings"),
				APIVersion:      "2010-04-01",
				RetrievedAt:     time.Date(2026, 3, 2, 14, 8, 0, 123000000, time.UTC),
			},
		},
		{
			name: "twilio shape, string price and duration, x_formatted only, non-uuid sids",
			body: `{
  "sid": "CA0123456789abcdef0123456789abcdef",
  "date_created": "Sat, 04 Nov 2017 18:58:13 +0000",
  "date_updated": "Sat, 04 Nov 2017 18:58:27 +0000",
  "parent_call_sid": null,
  "account_sid": "AC0123456789abcdef0123456789abcdef",
  "to": "+15515550134",
  "to_formatted": "(551) 555-0134",
  "from": "+15515550177",
  "from_formatted": "(551) 555-0177",
  "phone_number_sid": "PN0123456789abcdef0123456789abcdef",
  "status": "completed",
  "start_time": "Sat, 04 Nov 2017 18:58:13 +0000",
  "end_time": "Sat, 04 Nov 2017 18:58:27 +0000",
  "duration": "14",
  "price": "-0.00850",
  "price_unit": "USD",
  "direction": "inbound",
  "answered_by": null,
  "annotation": null,
  "api_version": "2010-04-01",
  "forwarded_from": "+15515550100",
  "group_sid": null,
  "caller_name": null,
  "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef.json",
  "subresource_uris": {
    "notifications": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef/Notifications.json",
    "recordings": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef/Recordings.json"
  }
}`,
			want: voice.Call{
				SID:             "CA0123456789abcdef0123456789abcdef",
				AccountSID:      "AC0123456789abcdef0123456789abcdef",
				PhoneNumberSID:  new("PN0123456789abcdef0123456789abcdef"),
				Direction:       new(voice.DirectionInbound),
				Status:          voice.StatusCompleted,
				From:            "+15515550177",
				To:              "+15515550134",
				FromFormatted:   new("(551) 555-0177"),
				ToFormatted:     new("(551) 555-0134"),
				CreatedAt:       time.Date(2017, 11, 4, 18, 58, 13, 0, time.UTC),
				UpdatedAt:       time.Date(2017, 11, 4, 18, 58, 27, 0, time.UTC),
				StartedAt:       new(time.Date(2017, 11, 4, 18, 58, 13, 0, time.UTC)),
				EndedAt:         new(time.Date(2017, 11, 4, 18, 58, 27, 0, time.UTC)),
				DurationSeconds: 14,
				Price:           &voice.Price{Amount: -0.0085, Currency: new("USD")},
				URI:             "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef.json",
				RecordingsURI:   new("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef/Recordings.json"),
				APIVersion:      "2010-04-01",
				RetrievedAt:     time.Date(2026, 3, 2, 14, 8, 0, 123000000, time.UTC),
			},
		},

		// Dates.
		{
			name: "GMT zone",
			body: patchBody(fullBody, "date_created", `"Mon, 02 Mar 2026 14:05:07 GMT"`, "end_time", `"Mon, 2 Mar 2026 14:07:40 GMT"`),
			want: fullWant(),
		},
		{
			name: "+0200 and -0500 offsets",
			body: patchBody(fullBody, "date_created", `"Mon, 02 Mar 2026 16:05:07 +0200"`, "date_updated", `"Mon, 02 Mar 2026 09:07:41 -0500"`),
			want: fullWant(),
		},
		{
			name: "offset crossing midnight, no day of week",
			body: patchBody(fullBody, "start_time", `"03 Mar 2026 00:05:09 +1000"`),
			want: fullWant(),
		},
		{
			name: "null start and end",
			body: patchBody(fullBody, "start_time", `null`, "end_time", `null`, "status", `"queued"`, "duration", `0`),
			want: fullWith(func(c *voice.Call) {
				c.StartedAt, c.EndedAt = nil, nil
				c.Status, c.DurationSeconds = voice.StatusQueued, 0
			}),
		},
		{
			name: "missing start and end",
			body: patchBody(fullBody, "start_time", dropKey, "end_time", dropKey),
			want: fullWith(func(c *voice.Call) { c.StartedAt, c.EndedAt = nil, nil }),
		},

		// Direction.
		{
			name: "direction inbound",
			body: patchBody(fullBody, "direction", `"inbound"`),
			want: fullWith(func(c *voice.Call) { c.Direction, c.DirectionDetail = new(voice.DirectionInbound), nil }),
		},
		{
			name: "direction outbound exactly",
			body: patchBody(fullBody, "direction", `"outbound"`),
			want: fullWith(func(c *voice.Call) { c.DirectionDetail = nil }),
		},
		{
			name: "direction outbound-dial",
			body: patchBody(fullBody, "direction", `"outbound-dial"`),
			want: fullWith(func(c *voice.Call) { c.DirectionDetail = new("outbound-dial") }),
		},
		{
			name: "direction unknown",
			body: patchBody(fullBody, "direction", `"trunking-originating"`),
			want: fullWith(func(c *voice.Call) { c.Direction, c.DirectionDetail = nil, new("trunking-originating") }),
		},
		{
			name: "direction wrong case",
			body: patchBody(fullBody, "direction", `"Inbound"`),
			want: fullWith(func(c *voice.Call) { c.Direction, c.DirectionDetail = nil, new("Inbound") }),
		},
		{
			name: "direction null",
			body: patchBody(fullBody, "direction", `null`),
			want: fullWith(func(c *voice.Call) { c.Direction, c.DirectionDetail = nil, nil }),
		},
		{
			name: "direction missing",
			body: patchBody(fullBody, "direction", dropKey),
			want: fullWith(func(c *voice.Call) { c.Direction, c.DirectionDetail = nil, nil }),
		},

		// Pass-through values.
		{
			name: "status outside the documented set",
			body: patchBody(fullBody, "status", `"initiated"`),
			want: fullWith(func(c *voice.Call) { c.Status = "initiated" }),
		},
		{
			name: "answered_by machine",
			body: patchBody(fullBody, "answered_by", `"machine"`),
			want: fullWith(func(c *voice.Call) { c.AnsweredBy = new("machine") }),
		},
		{
			name: "answered_by null",
			body: patchBody(fullBody, "answered_by", `null`),
			want: fullWith(func(c *voice.Call) { c.AnsweredBy = nil }),
		},
		{
			name: "answered_by missing",
			body: patchBody(fullBody, "answered_by", dropKey),
			want: fullWith(func(c *voice.Call) { c.AnsweredBy = nil }),
		},
		{
			name: "parent and phone number sids",
			body: patchBody(fullBody, "parent_call_sid", `"0f1e2d3c-4b5a-4697-8877-665544332211"`, "phone_number_sid", `null`),
			want: fullWith(func(c *voice.Call) {
				c.ParentCallSID = new("0f1e2d3c-4b5a-4697-8877-665544332211")
				c.PhoneNumberSID = nil
			}),
		},

		// Formatted numbers.
		{
			name: "formatted_x wins over x_formatted",
			body: patchBody(fullBody, "from_formatted", `"212-555-0187"`, "to_formatted", `"415-555-0123"`),
			want: fullWant(),
		},
		{
			name: "x_formatted when formatted_x is null or missing",
			body: patchBody(fullBody, "formatted_from", `null`, "from_formatted", `"212-555-0187"`,
				"formatted_to", dropKey, "to_formatted", `"415-555-0123"`),
			want: fullWith(func(c *voice.Call) {
				c.FromFormatted, c.ToFormatted = new("212-555-0187"), new("415-555-0123")
			}),
		},
		{
			name: "no formatted numbers",
			body: patchBody(fullBody, "formatted_from", dropKey, "from_formatted", dropKey, "formatted_to", `null`, "to_formatted", `null`),
			want: fullWith(func(c *voice.Call) { c.FromFormatted, c.ToFormatted = nil, nil }),
		},

		// Duration.
		{
			name: "duration as a numeric string",
			body: patchBody(fullBody, "duration", `"151"`),
			want: fullWant(),
		},
		{
			name: "duration as an integral float",
			body: patchBody(fullBody, "duration", `151.0`),
			want: fullWant(),
		},
		{
			name: "duration with an exponent",
			body: patchBody(fullBody, "duration", `"1.51e2"`),
			want: fullWant(),
		},
		{
			name: "duration zero",
			body: patchBody(fullBody, "duration", `0`),
			want: fullWith(func(c *voice.Call) { c.DurationSeconds = 0 }),
		},

		// Price.
		{
			name: "price as a numeric string",
			body: patchBody(fullBody, "price", `"0.01260"`),
			want: fullWant(),
		},
		{
			name: "price credit",
			body: patchBody(fullBody, "price", `-0.0085`),
			want: fullWith(func(c *voice.Call) { c.Price.Amount = -0.0085 }),
		},
		{
			name: "price integral",
			body: patchBody(fullBody, "price", `"2"`),
			want: fullWith(func(c *voice.Call) { c.Price.Amount = 2 }),
		},
		{
			name: "price zero",
			body: patchBody(fullBody, "price", `"-0.000"`),
			want: fullWith(func(c *voice.Call) { c.Price.Amount = 0 }),
		},
		{
			name: "price null",
			body: patchBody(fullBody, "price", `null`),
			want: fullWith(func(c *voice.Call) { c.Price = nil }),
		},
		{
			name: "price missing",
			body: patchBody(fullBody, "price", dropKey),
			want: fullWith(func(c *voice.Call) { c.Price = nil }),
		},
		{
			name: "price_unit lower case",
			body: patchBody(fullBody, "price_unit", `"eur"`),
			want: fullWith(func(c *voice.Call) { c.Price.Currency = new("EUR") }),
		},
		{
			name: "price_unit missing",
			body: patchBody(fullBody, "price_unit", dropKey),
			want: fullWith(func(c *voice.Call) { c.Price.Currency = nil }),
		},

		// Quality.
		{
			name: "quality all null",
			body: patchBody(fullBody, "audio_in_mos", `null`, "audio_rtt_avg", `null`, "audio_rtt_min", `null`,
				"audio_rtt_max", `null`, "audio_out_jitter_min", `null`, "audio_out_jitter_max", `null`,
				"audio_out_jitter_avg", `null`, "audio_out_lost", `null`),
			want: fullWith(func(c *voice.Call) { c.Quality = nil }),
		},
		{
			name: "quality partly null, partly missing, strings",
			body: patchBody(fullBody, "audio_in_mos", `null`, "audio_rtt_avg", `"48"`, "audio_rtt_min", dropKey,
				"audio_out_jitter_max", `null`, "audio_out_lost", `"0"`),
			want: fullWith(func(c *voice.Call) {
				c.Quality.MOS = nil
				c.Quality.RTT = voice.Stats{Avg: new(48.0), Max: new(97.0)}
				c.Quality.JitterOut.Max = nil
				c.Quality.PacketsLostOut = new(0.0)
			}),
		},

		// SIP result code and URIs.
		{
			name: "sip_result_code as a number",
			body: patchBody(fullBody, "sip_result_code", `487`),
			want: fullWith(func(c *voice.Call) { c.SIPResultCode = new("487") }),
		},
		{
			name: "sip_result_code null",
			body: patchBody(fullBody, "sip_result_code", `null`),
			want: fullWith(func(c *voice.Call) { c.SIPResultCode = nil }),
		},
		{
			name: "subresource_uris missing",
			body: patchBody(fullBody, "subresource_uris", dropKey),
			want: fullWith(func(c *voice.Call) { c.RecordingsURI = nil }),
		},
		{
			name: "recordings null",
			body: patchBody(fullBody, "subresource_uris", `{"notifications":null,"recordings":null}`),
			want: fullWith(func(c *voice.Call) { c.RecordingsURI = nil }),
		},
		{
			name: "unknown keys ignored",
			body: patchBody(fullBody, "queue_time", `"0"`, "trunk_sid", `null`),
			want: fullWant(),
		},
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tt := range normalizeCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Normalize([]byte(tt.body), retrievedAt)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNormalizeOutputValidates checks every normalized call against the
// published callwire.call.v1 schema, with and without a contract summary.
func TestNormalizeOutputValidates(t *testing.T) {
	t.Parallel()
	for _, tt := range normalizeCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Normalize([]byte(tt.body), retrievedAt)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			for _, summary := range []*voice.ContractSummary{nil, {Conformant: false, Findings: 2}} {
				c.Contract = summary
				doc, err := json.Marshal(c)
				if err != nil {
					t.Fatalf("Marshal: %v", err)
				}
				if err := callv1.Validate(doc); err != nil {
					t.Errorf("callv1.Validate: %v\n%s", err, doc)
				}
			}
		})
	}
}

func TestNormalizeNumbersEncodeCanonically(t *testing.T) {
	t.Parallel()
	body := patchBody(fullBody, "price", `"-0.00850"`, "duration", `"14"`, "audio_rtt_avg", `48`, "audio_out_lost", `"2.0"`)
	c, err := Normalize([]byte(body), retrievedAt)
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	doc, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{
		`"duration_seconds":14,`,
		`"price":{"amount":-0.0085,"currency":"USD"}`,
		`"rtt_ms":{"min":31,"avg":48,"max":97}`,
		`"packets_lost_out":2}`,
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("output lacks %s:\n%s", want, doc)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		wantField  string
		wantReason string // substring of Reason
	}{
		// Body.
		{name: "empty body", body: ``, wantField: "body", wantReason: "not JSON"},
		{name: "not JSON", body: `<html>Bad Gateway</html>`, wantField: "body", wantReason: "not JSON"},
		{name: "truncated", body: fullBody[:200], wantField: "body", wantReason: "not JSON"},
		{name: "trailing data", body: fullBody + ` {}`, wantField: "body", wantReason: "not JSON"},
		{name: "array", body: `[` + fullBody + `]`, wantField: "body", wantReason: "not a JSON object"},
		{name: "null", body: `null`, wantField: "body", wantReason: "not a JSON object"},
		{name: "string", body: `"call"`, wantField: "body", wantReason: "not a JSON object"},
		{name: "too large", body: patchBody(fullBody, "annotation", `"`+strings.Repeat("x", maxNormalizeBody)+`"`), wantField: "body", wantReason: "larger than"},

		// Identity and required strings.
		{name: "sid missing", body: patchBody(fullBody, "sid", dropKey), wantField: "sid", wantReason: "missing"},
		{name: "sid null", body: patchBody(fullBody, "sid", `null`), wantField: "sid", wantReason: "missing"},
		{name: "sid empty", body: patchBody(fullBody, "sid", `""`), wantField: "sid", wantReason: "empty"},
		{name: "sid number", body: patchBody(fullBody, "sid", `12`), wantField: "sid", wantReason: "expected string, got number"},
		{name: "sid boolean", body: patchBody(fullBody, "sid", `true`), wantField: "sid", wantReason: "expected string, got boolean"},
		// Keys match exactly: "SID" is not the documented "sid" (the contract reports it as undeclared).
		{name: "sid in upper case", body: strings.Replace(fullBody, `"sid":`, `"SID":`, 1), wantField: "sid", wantReason: "missing"},
		{name: "account_sid missing", body: patchBody(fullBody, "account_sid", dropKey), wantField: "account_sid", wantReason: "missing"},
		{name: "account_sid empty", body: patchBody(fullBody, "account_sid", `""`), wantField: "account_sid", wantReason: "empty"},
		{name: "status missing", body: patchBody(fullBody, "status", dropKey), wantField: "status", wantReason: "missing"},
		{name: "from missing", body: patchBody(fullBody, "from", dropKey), wantField: "from", wantReason: "missing"},
		{name: "to as a number", body: patchBody(fullBody, "to", `14155550123`), wantField: "to", wantReason: "expected string, got number"},
		{name: "uri null", body: patchBody(fullBody, "uri", `null`), wantField: "uri", wantReason: "missing"},
		{name: "api_version missing", body: patchBody(fullBody, "api_version", dropKey), wantField: "api_version", wantReason: "missing"},
		{name: "direction as a number", body: patchBody(fullBody, "direction", `1`), wantField: "direction", wantReason: "expected string"},
		{name: "subresource_uris as a string", body: patchBody(fullBody, "subresource_uris", `"/Recordings"`), wantField: "subresource_uris", wantReason: "expected object, got string"},
		{name: "recordings as a number", body: patchBody(fullBody, "subresource_uris", `{"recordings":1}`), wantField: "subresource_uris.recordings", wantReason: "expected string"},

		// Dates.
		{name: "date_created missing", body: patchBody(fullBody, "date_created", dropKey), wantField: "date_created", wantReason: "missing"},
		{name: "date_created null", body: patchBody(fullBody, "date_created", `null`), wantField: "date_created", wantReason: "missing"},
		{name: "date_created RFC 3339", body: patchBody(fullBody, "date_created", `"2026-03-02T14:05:07Z"`), wantField: "date_created", wantReason: `not an RFC 2822 date-time: (20 bytes)`},
		{name: "date_updated empty", body: patchBody(fullBody, "date_updated", `""`), wantField: "date_updated", wantReason: "not an RFC 2822 date-time"},
		{name: "date_updated missing", body: patchBody(fullBody, "date_updated", dropKey), wantField: "date_updated", wantReason: "missing"},
		{name: "start_time unparseable", body: patchBody(fullBody, "start_time", `"yesterday"`), wantField: "start_time", wantReason: `not an RFC 2822 date-time: (9 bytes)`},
		{name: "end_time unparseable", body: patchBody(fullBody, "end_time", `"Mon, 02 Mar 2026 25:07:40 +0000"`), wantField: "end_time", wantReason: "not an RFC 2822 date-time"},
		{name: "end_time as a number", body: patchBody(fullBody, "end_time", `1772460460`), wantField: "end_time", wantReason: "expected string, got number"},

		// Duration.
		{name: "duration missing", body: patchBody(fullBody, "duration", dropKey), wantField: "duration", wantReason: "missing"},
		{name: "duration null", body: patchBody(fullBody, "duration", `null`), wantField: "duration", wantReason: "null"},
		{name: "duration not a number", body: patchBody(fullBody, "duration", `"abc"`), wantField: "duration", wantReason: `not a number: (3 bytes)`},
		{name: "duration empty string", body: patchBody(fullBody, "duration", `""`), wantField: "duration", wantReason: "not a number"},
		{name: "duration padded", body: patchBody(fullBody, "duration", `" 14"`), wantField: "duration", wantReason: "not a number"},
		{name: "duration plus sign", body: patchBody(fullBody, "duration", `"+14"`), wantField: "duration", wantReason: "not a number"},
		{name: "duration hex", body: patchBody(fullBody, "duration", `"0x10"`), wantField: "duration", wantReason: "not a number"},
		{name: "duration NaN", body: patchBody(fullBody, "duration", `"NaN"`), wantField: "duration", wantReason: "not a number"},
		{name: "duration Infinity", body: patchBody(fullBody, "duration", `"Infinity"`), wantField: "duration", wantReason: "not a number"},
		{name: "duration overflow", body: patchBody(fullBody, "duration", `1e999`), wantField: "duration", wantReason: "out of range"},
		{name: "duration too large", body: patchBody(fullBody, "duration", `1e300`), wantField: "duration", wantReason: "too large"},
		{name: "duration negative", body: patchBody(fullBody, "duration", `-1`), wantField: "duration", wantReason: "negative"},
		{name: "duration fractional", body: patchBody(fullBody, "duration", `"14.5"`), wantField: "duration", wantReason: "whole number"},
		{name: "duration boolean", body: patchBody(fullBody, "duration", `true`), wantField: "duration", wantReason: "expected number, got boolean"},
		{name: "duration object", body: patchBody(fullBody, "duration", `{"seconds":14}`), wantField: "duration", wantReason: "expected number, got object"},
		{name: "duration long string", body: patchBody(fullBody, "duration", `"`+strings.Repeat("9", 10<<10)+`"`), wantField: "duration", wantReason: "string of 10240 bytes"},
		{name: "duration long number", body: patchBody(fullBody, "duration", strings.Repeat("9", 100)), wantField: "duration", wantReason: "100 digits"},

		// Price.
		{name: "price not a number", body: patchBody(fullBody, "price", `"free"`), wantField: "price", wantReason: `not a number: (4 bytes)`},
		{name: "price boolean", body: patchBody(fullBody, "price", `false`), wantField: "price", wantReason: "expected number, got boolean"},
		{name: "price array", body: patchBody(fullBody, "price", `[0.01]`), wantField: "price", wantReason: "expected number, got array"},
		{name: "price with currency sign", body: patchBody(fullBody, "price", `"$0.01"`), wantField: "price", wantReason: "not a number"},
		{name: "price_unit as a number", body: patchBody(fullBody, "price_unit", `840`), wantField: "price_unit", wantReason: "expected string"},

		// Quality and SIP.
		{name: "audio_in_mos not a number", body: patchBody(fullBody, "audio_in_mos", `"good"`), wantField: "audio_in_mos", wantReason: `not a number: (4 bytes)`},
		{name: "audio_rtt_avg object", body: patchBody(fullBody, "audio_rtt_avg", `{}`), wantField: "audio_rtt_avg", wantReason: "expected number, got object"},
		{name: "audio_out_jitter_max not a number", body: patchBody(fullBody, "audio_out_jitter_max", `"12ms"`), wantField: "audio_out_jitter_max", wantReason: "not a number"},
		{name: "audio_out_lost boolean", body: patchBody(fullBody, "audio_out_lost", `true`), wantField: "audio_out_lost", wantReason: "got boolean"},
		{name: "sip_result_code boolean", body: patchBody(fullBody, "sip_result_code", `true`), wantField: "sip_result_code", wantReason: "expected string or number, got boolean"},
		{name: "sip_result_code overflow", body: patchBody(fullBody, "sip_result_code", `1e999`), wantField: "sip_result_code", wantReason: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Normalize([]byte(tt.body), retrievedAt)
			if !errors.Is(err, voice.ErrContract) {
				t.Fatalf("Normalize error = %v, want one wrapping voice.ErrContract", err)
			}
			fe, ok := errors.AsType[*FieldError](err)
			if !ok {
				t.Fatalf("Normalize error %T is not a *FieldError", err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (error: %v)", fe.Field, tt.wantField, err)
			}
			if !strings.Contains(fe.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", fe.Reason, tt.wantReason)
			}
			if n := len(err.Error()); n > 120 {
				t.Errorf("error message is %d bytes, want it short: %.120s", n, err)
			}
		})
	}
}

// TestNormalizeErrorsWithholdPhoneNumbers checks that values that may hold a
// phone number are not quoted in errors.
func TestNormalizeErrorsWithholdPhoneNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{name: "phone number as price", body: patchBody(fullBody, "price", `"+14155550123"`)},
		{name: "phone number as mos", body: patchBody(fullBody, "audio_in_mos", `"(415) 5550123"`)},
		{name: "phone number as date", body: patchBody(fullBody, "start_time", `"tel:4155550123"`)},
		{name: "phone number as a string", body: patchBody(fullBody, "to", `{"e164":"+14155550123"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Normalize([]byte(tt.body), retrievedAt)
			if err == nil {
				t.Fatal("Normalize succeeded, want an error")
			}
			if strings.Contains(err.Error(), "5550123") {
				t.Errorf("error %q repeats the phone number", err)
			}
		})
	}
}

func TestFieldErrorError(t *testing.T) {
	t.Parallel()
	err := error(&FieldError{Field: "duration", Reason: "not a number"})
	if got, want := err.Error(), "normalize: duration: not a number"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, voice.ErrContract) {
		t.Error("FieldError does not wrap voice.ErrContract")
	}
}

func TestNormalizeIsPure(t *testing.T) {
	t.Parallel()
	body := []byte(fullBody)
	a, errA := Normalize(body, retrievedAt)
	b, errB := Normalize(body, retrievedAt)
	if errA != nil || errB != nil {
		t.Fatalf("Normalize: %v, %v", errA, errB)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs differ (-first +second):\n%s", diff)
	}
	if string(body) != fullBody {
		t.Error("Normalize modified its input")
	}
}

// TestNormalizeDatesAsTheContractReadsThem: the normalizer refuses exactly
// the dates contract.ParseDate rejects, and writes each other one as the
// instant it names, at the offset it states.
func TestNormalizeDatesAsTheContractReadsThem(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		"Mon, 02 Mar 2026 14:05:07 +0000",
		"Mon, 02 Mar 2026 09:05:07 EST",
		"Mon, 02 Mar 2026 06:05:07 pst (Pacific Standard Time)",
		"Mon,02 Mar 2026\t14:05:07 Z",
		"Mon, 02 Mar 26 14:05:07 +0000",
		"Sat, 02 Mar 68 14:05:07 +0000",
		"Wed, 31 Dec 2025 23:59:60 +0000",
		"Mon, 02 Mar 2026\r\n 14:05:07 +0000",
		"Fri, 31 Dec 9999 23:59:59 +0000",
		"Sat, 01 Jan 1900 00:00:00 +0100",
		"Fri, 31 Dec 9999 23:59:59 -0001",
		"Fri, 31 Dec 9999 23:59:60 +0000",
		"Tue, 02 Mar 2026 14:05:07 +0000",
		"Mon, 02 Mar 2026 4:05:07 +0000",
		"Mon, 02 Mar 2026 14:05:07 UTC",
		"Mon, 02 Mar 2026 14:05:07 +0000 x",
		"Mon, 02 Mar 2026 14:05:07 +00",
		"Sun, 31 Dec 1899 23:59:59 +0000",
	} {
		want, perr := contract.ParseDate(v)
		body := patchBody(fullBody, "date_created", strconv.Quote(v))
		c, err := Normalize([]byte(body), retrievedAt)
		if (err != nil) != (perr != nil) {
			t.Errorf("%q: Normalize error %v, ParseDate error %v: they must agree", v, err, perr)
			continue
		}
		if err != nil {
			if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != "date_created" {
				t.Errorf("%q: Normalize error %v does not name date_created", v, err)
			}
			continue
		}
		if !c.CreatedAt.Equal(want) || c.CreatedAt.Location() != time.UTC {
			t.Errorf("%q: CreatedAt = %v, want %v in UTC", v, c.CreatedAt, want.UTC())
		}
	}
}
