// Package voice holds the normalized call model served by callwire and the
// sentinel errors shared by its adapters. Of callwire's packages it imports
// only the contract core, for its UUID check.
package voice

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Schema names the JSON shape produced by Call.MarshalJSON.
const Schema = "callwire.call.v1"

// Time layouts of the callwire.call.v1 shape.
const (
	// secondLayout formats call times: RFC 3339, UTC, whole seconds.
	secondLayout = "2006-01-02T15:04:05Z07:00"
	// milliLayout formats retrieved_at: RFC 3339, UTC, exactly 3 fractional digits.
	milliLayout = "2006-01-02T15:04:05.000Z07:00"
)

// Status is the call status as SignalWire reports it. Values outside the
// documented set (such as "initiated") are passed through unchanged.
type Status string

// Documented call statuses.
const (
	StatusQueued     Status = "queued"
	StatusRinging    Status = "ringing"
	StatusInProgress Status = "in-progress"
	StatusCanceled   Status = "canceled"
	StatusCompleted  Status = "completed"
	StatusBusy       Status = "busy"
	StatusFailed     Status = "failed"
	StatusNoAnswer   Status = "no-answer"
)

// Direction is the normalized call direction. SignalWire's detailed values
// ("outbound-api", "outbound-dial") collapse to DirectionOutbound and are kept
// in Call.DirectionDetail.
type Direction string

// Normalized call directions.
const (
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)

// Call is a normalized SignalWire call. Its JSON encoding is the
// callwire.call.v1 shape: every key is always present, with null for absent
// values, except "contract", which is omitted when Contract is nil.
//
// Nil pointers encode as null. Call times are encoded in UTC with second
// precision and RetrievedAt with millisecond precision.
type Call struct {
	SID             string
	AccountSID      string
	ParentCallSID   *string
	PhoneNumberSID  *string
	Direction       *Direction
	DirectionDetail *string // raw upstream direction when it is not exactly "inbound" or "outbound"
	Status          Status
	AnsweredBy      *string
	From            string
	To              string
	FromFormatted   *string
	ToFormatted     *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StartedAt       *time.Time
	EndedAt         *time.Time
	DurationSeconds int64
	Price           *Price
	SIPResultCode   *string
	Quality         *Quality
	URI             string
	RecordingsURI   *string
	APIVersion      string
	Contract        *ContractSummary
	RetrievedAt     time.Time
}

// Duration returns the call duration as a time.Duration.
func (c Call) Duration() time.Duration {
	return time.Duration(c.DurationSeconds) * time.Second
}

// Price is the charge for a call. Amounts keep the sign and the precision
// SignalWire sent (credits are negative).
type Price struct {
	Amount float64 `json:"amount"`
	// Currency is the upper-cased ISO 4217 code, or nil when unknown.
	Currency *string `json:"currency"`
}

// Quality holds the audio quality metrics of a call. Each metric may be nil
// when SignalWire reported some metrics but not that one.
type Quality struct {
	MOS            *float64 `json:"mos"`
	RTT            Stats    `json:"rtt_ms"`
	JitterOut      Stats    `json:"jitter_out_ms"`
	PacketsLostOut *float64 `json:"packets_lost_out"`
}

// Stats is a min/avg/max triple in milliseconds.
type Stats struct {
	Min *float64 `json:"min"`
	Avg *float64 `json:"avg"`
	Max *float64 `json:"max"`
}

// ContractSummary reports whether the upstream response conformed to the
// pinned SignalWire contract and how many findings the check produced.
type ContractSummary struct {
	Conformant bool `json:"conformant"`
	Findings   int  `json:"findings"`
}

// callJSON is the callwire.call.v1 encoding of Call. Field order is the
// documented key order.
type callJSON struct {
	Schema          string           `json:"schema"`
	SID             string           `json:"sid"`
	AccountSID      string           `json:"account_sid"`
	ParentCallSID   *string          `json:"parent_call_sid"`
	PhoneNumberSID  *string          `json:"phone_number_sid"`
	Direction       *Direction       `json:"direction"`
	DirectionDetail *string          `json:"direction_detail"`
	Status          Status           `json:"status"`
	AnsweredBy      *string          `json:"answered_by"`
	From            string           `json:"from"`
	To              string           `json:"to"`
	FromFormatted   *string          `json:"from_formatted"`
	ToFormatted     *string          `json:"to_formatted"`
	CreatedAt       string           `json:"created_at"`
	UpdatedAt       string           `json:"updated_at"`
	StartedAt       *string          `json:"started_at"`
	EndedAt         *string          `json:"ended_at"`
	DurationSeconds int64            `json:"duration_seconds"`
	Price           *Price           `json:"price"`
	SIPResultCode   *string          `json:"sip_result_code"`
	Quality         *Quality         `json:"quality"`
	URI             string           `json:"uri"`
	RecordingsURI   *string          `json:"recordings_uri"`
	APIVersion      string           `json:"api_version"`
	Contract        *ContractSummary `json:"contract,omitempty"`
	RetrievedAt     string           `json:"retrieved_at"`
}

// MarshalJSON encodes c in the callwire.call.v1 shape.
func (c Call) MarshalJSON() ([]byte, error) {
	return json.Marshal(callJSON{
		Schema:          Schema,
		SID:             c.SID,
		AccountSID:      c.AccountSID,
		ParentCallSID:   c.ParentCallSID,
		PhoneNumberSID:  c.PhoneNumberSID,
		Direction:       c.Direction,
		DirectionDetail: c.DirectionDetail,
		Status:          c.Status,
		AnsweredBy:      c.AnsweredBy,
		From:            c.From,
		To:              c.To,
		FromFormatted:   c.FromFormatted,
		ToFormatted:     c.ToFormatted,
		CreatedAt:       formatSecond(c.CreatedAt),
		UpdatedAt:       formatSecond(c.UpdatedAt),
		StartedAt:       formatSecondPtr(c.StartedAt),
		EndedAt:         formatSecondPtr(c.EndedAt),
		DurationSeconds: c.DurationSeconds,
		Price:           c.Price,
		SIPResultCode:   c.SIPResultCode,
		Quality:         c.Quality,
		URI:             c.URI,
		RecordingsURI:   c.RecordingsURI,
		APIVersion:      c.APIVersion,
		Contract:        c.Contract,
		RetrievedAt:     c.RetrievedAt.UTC().Format(milliLayout),
	})
}

// UnmarshalJSON decodes the callwire.call.v1 shape, so that stored outputs
// (golden files, cached responses) read back into the Call they came from.
func (c *Call) UnmarshalJSON(b []byte) error {
	var v callJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("voice: decode call: %w", err)
	}
	if v.Schema != Schema {
		return fmt.Errorf("voice: decode call: schema %q, want %q", clip(v.Schema), Schema)
	}
	var errs []error
	parse := func(name, s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: not an RFC 3339 date-time", name, clip(s)))
		}
		return t.UTC()
	}
	parsePtr := func(name string, s *string) *time.Time {
		if s == nil {
			return nil
		}
		t := parse(name, *s)
		return &t
	}
	*c = Call{
		SID:             v.SID,
		AccountSID:      v.AccountSID,
		ParentCallSID:   v.ParentCallSID,
		PhoneNumberSID:  v.PhoneNumberSID,
		Direction:       v.Direction,
		DirectionDetail: v.DirectionDetail,
		Status:          v.Status,
		AnsweredBy:      v.AnsweredBy,
		From:            v.From,
		To:              v.To,
		FromFormatted:   v.FromFormatted,
		ToFormatted:     v.ToFormatted,
		CreatedAt:       parse("created_at", v.CreatedAt),
		UpdatedAt:       parse("updated_at", v.UpdatedAt),
		StartedAt:       parsePtr("started_at", v.StartedAt),
		EndedAt:         parsePtr("ended_at", v.EndedAt),
		DurationSeconds: v.DurationSeconds,
		Price:           v.Price,
		SIPResultCode:   v.SIPResultCode,
		Quality:         v.Quality,
		URI:             v.URI,
		RecordingsURI:   v.RecordingsURI,
		APIVersion:      v.APIVersion,
		Contract:        v.Contract,
		RetrievedAt:     parse("retrieved_at", v.RetrievedAt),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("voice: decode call: %w", err)
	}
	return nil
}

func formatSecond(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(secondLayout)
}

func formatSecondPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatSecond(*t)
	return &s
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
