package signalwire

// wireCall is the body of "Retrieve a Call" (GET
// /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}) exactly as
// SignalWire sends it, read from the decoded document (see contract.DecodeJSON).
//
// Pointers mark values that may be null or missing. Numeric fields keep the
// decoded value (nil, json.Number, string, ...) because real bodies drift
// from the documented types: duration and price arrive as numbers or numeric
// strings, audio_* metrics as integers, floats or strings, and
// sip_result_code as a string or a number. normalize.go parses them leniently
// and names the field when a value is unusable.
//
// SignalWire API docs: https://signalwire.com/docs/compatibility-api/rest/calls/retrieve-a-call
type wireCall struct {
	SID               *string
	AccountSID        *string
	DateCreated       *string
	DateUpdated       *string
	ParentCallSID     *string
	To                *string
	FormattedTo       *string
	ToFormatted       *string
	From              *string
	FormattedFrom     *string
	FromFormatted     *string
	PhoneNumberSID    *string
	Status            *string
	StartTime         *string
	EndTime           *string
	Duration          any
	Price             any
	PriceUnit         *string
	Direction         *string
	AnsweredBy        *string
	APIVersion        *string
	URI               *string
	SubresourceURIs   *wireSubresourceURIs
	AudioInMOS        any
	SIPResultCode     any
	AudioRTTAvg       any
	AudioRTTMin       any
	AudioRTTMax       any
	AudioOutJitterMin any
	AudioOutJitterMax any
	AudioOutJitterAvg any
	AudioOutLost      any
}

// wireSubresourceURIs is the subresource_uris object of a call.
type wireSubresourceURIs struct {
	Notifications *string
	Recordings    *string
}

// readWire reads the fields normalize uses from a decoded call object. Keys
// match exactly; a string field holding another type is a *FieldError
// naming it ("expected string, got number").
func readWire(obj map[string]any) (*wireCall, error) {
	w := &wireCall{
		Duration:          obj["duration"],
		Price:             obj["price"],
		AudioInMOS:        obj["audio_in_mos"],
		SIPResultCode:     obj["sip_result_code"],
		AudioRTTAvg:       obj["audio_rtt_avg"],
		AudioRTTMin:       obj["audio_rtt_min"],
		AudioRTTMax:       obj["audio_rtt_max"],
		AudioOutJitterMin: obj["audio_out_jitter_min"],
		AudioOutJitterMax: obj["audio_out_jitter_max"],
		AudioOutJitterAvg: obj["audio_out_jitter_avg"],
		AudioOutLost:      obj["audio_out_lost"],
	}
	r := wireReader{obj: obj}
	for _, f := range []struct {
		key string
		dst **string
	}{
		{"sid", &w.SID},
		{"account_sid", &w.AccountSID},
		{"date_created", &w.DateCreated},
		{"date_updated", &w.DateUpdated},
		{"parent_call_sid", &w.ParentCallSID},
		{"to", &w.To},
		{"formatted_to", &w.FormattedTo},
		{"to_formatted", &w.ToFormatted},
		{"from", &w.From},
		{"formatted_from", &w.FormattedFrom},
		{"from_formatted", &w.FromFormatted},
		{"phone_number_sid", &w.PhoneNumberSID},
		{"status", &w.Status},
		{"start_time", &w.StartTime},
		{"end_time", &w.EndTime},
		{"price_unit", &w.PriceUnit},
		{"direction", &w.Direction},
		{"answered_by", &w.AnsweredBy},
		{"api_version", &w.APIVersion},
		{"uri", &w.URI},
	} {
		*f.dst = r.str(f.key, "")
	}
	switch sub := obj["subresource_uris"].(type) {
	case nil:
	case map[string]any:
		sr := wireReader{obj: sub}
		w.SubresourceURIs = &wireSubresourceURIs{
			Notifications: sr.str("notifications", "subresource_uris."),
			Recordings:    sr.str("recordings", "subresource_uris."),
		}
		if r.err == nil {
			r.err = sr.err
		}
	default:
		r.fail("subresource_uris", "expected object, got "+valueKind(sub))
	}
	if r.err != nil {
		return nil, r.err
	}
	return w, nil
}

// wireReader reads string fields of one object, keeping the first error.
type wireReader struct {
	obj map[string]any
	err error
}

func (r *wireReader) str(key, prefix string) *string {
	switch v := r.obj[key].(type) {
	case nil:
		return nil
	case string:
		return &v
	default:
		r.fail(prefix+key, "expected string, got "+valueKind(v))
		return nil
	}
}

func (r *wireReader) fail(field, reason string) {
	if r.err == nil {
		r.err = &FieldError{Field: field, Reason: reason}
	}
}
