package signalwire

import "encoding/json"

// wireCall is the body of "Retrieve a Call" (GET
// /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}) exactly as
// SignalWire sends it.
//
// Pointers mark values that may be null or missing. Numeric fields are kept
// raw because real bodies drift from the documented types: duration and price
// arrive as numbers or numeric strings, audio_* metrics as integers, floats or
// strings, and sip_result_code as a string or a number. normalize.go parses
// them leniently and names the field when a value is unusable.
//
// SignalWire API docs: https://signalwire.com/docs/compatibility-api/rest/calls/retrieve-a-call
type wireCall struct {
	SID               *string              `json:"sid"`
	AccountSID        *string              `json:"account_sid"`
	DateCreated       *string              `json:"date_created"`
	DateUpdated       *string              `json:"date_updated"`
	ParentCallSID     *string              `json:"parent_call_sid"`
	To                *string              `json:"to"`
	FormattedTo       *string              `json:"formatted_to"`
	ToFormatted       *string              `json:"to_formatted"`
	From              *string              `json:"from"`
	FormattedFrom     *string              `json:"formatted_from"`
	FromFormatted     *string              `json:"from_formatted"`
	PhoneNumberSID    *string              `json:"phone_number_sid"`
	Status            *string              `json:"status"`
	StartTime         *string              `json:"start_time"`
	EndTime           *string              `json:"end_time"`
	Duration          json.RawMessage      `json:"duration"`
	Price             json.RawMessage      `json:"price"`
	PriceUnit         *string              `json:"price_unit"`
	Direction         *string              `json:"direction"`
	AnsweredBy        *string              `json:"answered_by"`
	APIVersion        *string              `json:"api_version"`
	ForwardedFrom     *string              `json:"forwarded_from"`
	CallerName        *string              `json:"caller_name"`
	URI               *string              `json:"uri"`
	SubresourceURIs   *wireSubresourceURIs `json:"subresource_uris"`
	Annotation        *string              `json:"annotation"`
	GroupSID          *string              `json:"group_sid"`
	AudioInMOS        json.RawMessage      `json:"audio_in_mos"`
	SIPResultCode     json.RawMessage      `json:"sip_result_code"`
	AudioRTTAvg       json.RawMessage      `json:"audio_rtt_avg"`
	AudioRTTMin       json.RawMessage      `json:"audio_rtt_min"`
	AudioRTTMax       json.RawMessage      `json:"audio_rtt_max"`
	AudioOutJitterMin json.RawMessage      `json:"audio_out_jitter_min"`
	AudioOutJitterMax json.RawMessage      `json:"audio_out_jitter_max"`
	AudioOutJitterAvg json.RawMessage      `json:"audio_out_jitter_avg"`
	AudioOutLost      json.RawMessage      `json:"audio_out_lost"`
}

// wireSubresourceURIs is the subresource_uris object of a call.
type wireSubresourceURIs struct {
	Notifications *string `json:"notifications"`
	Recordings    *string `json:"recordings"`
}
