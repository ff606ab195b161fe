package signalwire

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/voice"
)

// maxNormalizeBody bounds the call bodies Normalize accepts. Real bodies are about
// 1.5 KB.
const maxNormalizeBody = 1 << 20

const (
	// maxNumberLen bounds the text of a numeric value.
	maxNumberLen = 64
	// maxQuoted bounds the values an error message may quote.
	maxQuoted = 32
	// maxDigitRun is the longest run of digits an error message may quote;
	// longer runs may be phone numbers.
	maxDigitRun = 6
)

// FieldError reports a call body that cannot be normalized, naming the field
// at fault ("body" for the body as a whole).
type FieldError struct {
	Field  string
	Reason string
}

// Error returns "normalize: <field>: <reason>".
func (e *FieldError) Error() string {
	return "normalize: " + e.Field + ": " + e.Reason
}

// Unwrap returns voice.ErrContract, so that callers can treat every
// normalization failure as a broken upstream contract.
func (e *FieldError) Unwrap() error {
	return voice.ErrContract
}

// Normalize turns a "Retrieve a Call" body into a voice.Call stamped with
// retrievedAt. It is pure and tolerates the drift seen in real bodies: numbers
// sent as strings, floats where integers are documented, missing optional
// keys, other RFC 2822 zones.
//
// It returns a *FieldError (wrapping voice.ErrContract) when the body is not a
// JSON object, is larger than 1 MiB, or when a field the model needs is
// missing or unusable. It does not check formats such as UUID SIDs; the
// contract validator reports those.
func Normalize(body []byte, retrievedAt time.Time) (voice.Call, error) {
	w, err := decodeCall(body)
	if err != nil {
		return voice.Call{}, err
	}
	return normalize(w, retrievedAt)
}

// NormalizeDocument is Normalize for a body already decoded by
// contract.DecodeJSON, so that a caller that also checks the body (with
// contract.Validator.CheckDecoded) decodes it once. The caller bounds the
// body's size.
func NormalizeDocument(doc any, retrievedAt time.Time) (voice.Call, error) {
	w, err := wireFromDocument(doc)
	if err != nil {
		return voice.Call{}, err
	}
	return normalize(w, retrievedAt)
}

func normalize(w *wireCall, retrievedAt time.Time) (voice.Call, error) {
	var err error
	c := voice.Call{
		ParentCallSID:  w.ParentCallSID,
		PhoneNumberSID: w.PhoneNumberSID,
		AnsweredBy:     w.AnsweredBy,
		FromFormatted:  firstSet(w.FormattedFrom, w.FromFormatted),
		ToFormatted:    firstSet(w.FormattedTo, w.ToFormatted),
		RetrievedAt:    retrievedAt.UTC().Truncate(time.Millisecond),
	}
	c.Direction, c.DirectionDetail = parseDirection(w.Direction)
	if w.SubresourceURIs != nil {
		c.RecordingsURI = w.SubresourceURIs.Recordings
	}

	if c.SID, err = requiredString("sid", w.SID); err != nil {
		return voice.Call{}, err
	}
	if c.AccountSID, err = requiredString("account_sid", w.AccountSID); err != nil {
		return voice.Call{}, err
	}
	status, err := requiredString("status", w.Status)
	if err != nil {
		return voice.Call{}, err
	}
	c.Status = voice.Status(status)
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{
		{"from", w.From, &c.From},
		{"to", w.To, &c.To},
		{"uri", w.URI, &c.URI},
		{"api_version", w.APIVersion, &c.APIVersion},
	} {
		if f.src == nil {
			return voice.Call{}, &FieldError{Field: f.name, Reason: "missing"}
		}
		*f.dst = *f.src
	}

	if c.CreatedAt, err = requiredDate("date_created", w.DateCreated); err != nil {
		return voice.Call{}, err
	}
	if c.UpdatedAt, err = requiredDate("date_updated", w.DateUpdated); err != nil {
		return voice.Call{}, err
	}
	if c.StartedAt, err = optionalDate("start_time", w.StartTime); err != nil {
		return voice.Call{}, err
	}
	if c.EndedAt, err = optionalDate("end_time", w.EndTime); err != nil {
		return voice.Call{}, err
	}

	if c.DurationSeconds, err = parseDuration(w.Duration); err != nil {
		return voice.Call{}, err
	}
	if c.Price, err = parsePrice(w.Price, w.PriceUnit); err != nil {
		return voice.Call{}, err
	}
	if c.Quality, err = parseQuality(w); err != nil {
		return voice.Call{}, err
	}
	if c.SIPResultCode, err = parseSIPResultCode(w.SIPResultCode); err != nil {
		return voice.Call{}, err
	}
	return c, nil
}

// decodeCall checks the size and shape of body and decodes it.
func decodeCall(body []byte) (*wireCall, error) {
	if len(body) > maxNormalizeBody {
		return nil, &FieldError{Field: "body", Reason: fmt.Sprintf("larger than %d bytes", maxNormalizeBody)}
	}
	doc, err := contract.DecodeJSON(body)
	if err != nil {
		return nil, &FieldError{Field: "body", Reason: "not JSON"}
	}
	return wireFromDocument(doc)
}

func wireFromDocument(doc any) (*wireCall, error) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, &FieldError{Field: "body", Reason: "not a JSON object"}
	}
	return readWire(obj)
}

func firstSet(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// parseDirection collapses SignalWire's direction into inbound/outbound and keeps
// the raw value as detail whenever it is not exactly one of them.
func parseDirection(raw *string) (*voice.Direction, *string) {
	if raw == nil {
		return nil, nil
	}
	switch v := *raw; {
	case v == string(voice.DirectionInbound):
		return new(voice.DirectionInbound), nil
	case v == string(voice.DirectionOutbound):
		return new(voice.DirectionOutbound), nil
	case strings.HasPrefix(v, string(voice.DirectionOutbound)):
		return new(voice.DirectionOutbound), raw
	default:
		return nil, raw
	}
}

func requiredString(field string, v *string) (string, error) {
	if v == nil {
		return "", &FieldError{Field: field, Reason: "missing"}
	}
	if *v == "" {
		return "", &FieldError{Field: field, Reason: "empty"}
	}
	return *v, nil
}

func requiredDate(field string, v *string) (time.Time, error) {
	if v == nil {
		return time.Time{}, &FieldError{Field: field, Reason: "missing"}
	}
	return parseDate(field, *v)
}

func optionalDate(field string, v *string) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := parseDate(field, *v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// parseDate reads a date as the contract reads it (contract.ParseDate, which
// also keeps the instant within the years RFC 3339 writes), so the
// normalizer refuses exactly the dates the check reports, and returns it in
// UTC at the offset the date states.
func parseDate(field, v string) (time.Time, error) {
	t, err := contract.ParseDate(v)
	if err != nil {
		return time.Time{}, &FieldError{Field: field, Reason: "not an RFC 2822 date-time: " + quoteValue(v)}
	}
	return t.UTC(), nil
}

func parseDuration(v any) (int64, error) {
	f, err := parseNumber("duration", v)
	if err != nil {
		return 0, err
	}
	switch {
	case f == nil:
		return 0, &FieldError{Field: "duration", Reason: "missing or null"}
	case *f < 0:
		return 0, &FieldError{Field: "duration", Reason: "negative"}
	case *f != math.Trunc(*f):
		return 0, &FieldError{Field: "duration", Reason: "not a whole number of seconds"}
	case *f > 1<<53:
		return 0, &FieldError{Field: "duration", Reason: "too large"}
	}
	return int64(*f), nil
}

func parsePrice(v any, unit *string) (*voice.Price, error) {
	f, err := parseNumber("price", v)
	if err != nil || f == nil {
		return nil, err
	}
	p := &voice.Price{Amount: *f}
	if unit != nil {
		p.Currency = new(strings.ToUpper(*unit))
	}
	return p, nil
}

// parseQuality returns nil when every audio_* field is missing or null.
func parseQuality(w *wireCall) (*voice.Quality, error) {
	var q voice.Quality
	present := false
	for _, f := range []struct {
		name string
		raw  any
		dst  **float64
	}{
		{"audio_in_mos", w.AudioInMOS, &q.MOS},
		{"audio_rtt_min", w.AudioRTTMin, &q.RTT.Min},
		{"audio_rtt_avg", w.AudioRTTAvg, &q.RTT.Avg},
		{"audio_rtt_max", w.AudioRTTMax, &q.RTT.Max},
		{"audio_out_jitter_min", w.AudioOutJitterMin, &q.JitterOut.Min},
		{"audio_out_jitter_avg", w.AudioOutJitterAvg, &q.JitterOut.Avg},
		{"audio_out_jitter_max", w.AudioOutJitterMax, &q.JitterOut.Max},
		{"audio_out_lost", w.AudioOutLost, &q.PacketsLostOut},
	} {
		v, err := parseNumber(f.name, f.raw)
		if err != nil {
			return nil, err
		}
		if v != nil {
			*f.dst = v
			present = true
		}
	}
	if !present {
		return nil, nil
	}
	return &q, nil
}

// parseSIPResultCode accepts a string, or a number written back as its decimal
// string.
func parseSIPResultCode(v any) (*string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &x, nil
	case json.Number:
		f, err := parseNumber("sip_result_code", x)
		if err != nil {
			return nil, err
		}
		return new(strconv.FormatFloat(*f, 'f', -1, 64)), nil
	}
	return nil, &FieldError{Field: "sip_result_code", Reason: "expected string or number, got " + valueKind(v)}
}

// parseNumber parses a JSON number or a string holding one. It returns nil for a
// missing or null value. Strings must hold a JSON number literal (no spaces,
// signs other than a leading minus, hex, NaN or Inf), and values must be
// finite.
func parseNumber(field string, v any) (*float64, error) {
	var text string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if len(x) > maxNumberLen {
			return nil, &FieldError{Field: field, Reason: fmt.Sprintf("not a number: string of %d bytes", len(x))}
		}
		text = x
	case json.Number:
		if len(x) > maxNumberLen {
			return nil, &FieldError{Field: field, Reason: fmt.Sprintf("number of %d digits", len(x))}
		}
		text = string(x)
	default:
		return nil, &FieldError{Field: field, Reason: "expected number, got " + valueKind(v)}
	}
	if !contract.IsJSONNumber(text) {
		return nil, &FieldError{Field: field, Reason: "not a number: " + quoteValue(text)}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &FieldError{Field: field, Reason: "number out of range: " + quoteValue(text)}
	}
	if f == 0 {
		f = 0 // drop the sign of -0
	}
	return &f, nil
}

// valueKind names the JSON type of a decoded value for an error message.
func valueKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

// quoteValue describes v for an error message by its length only. Values are
// never echoed: an upstream that put a credential or a phone number into a
// date or number field must not get it into errors or logs.
func quoteValue(v string) string {
	return fmt.Sprintf("(%d bytes)", len(v))
}
