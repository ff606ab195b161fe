package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// input is what one run sweeps. The schedule sends {} (or nothing): the
// window ends now and is SWEEP_WINDOW long. A manual invoke may name another
// window, to backfill a period the schedule missed:
// {"window_end": "2026-03-02T16:00:00Z", "window": "6h"}.
type input struct {
	end    time.Time
	window time.Duration
}

// inputShape is the message of every malformed input.
const inputShape = `input must be {"window_end": "<RFC 3339>", "window": "<duration>"}, both optional, each at most once`

// decodeInput reads the run's input strictly: an object with only the
// members window_end and window (exact spelling, each at most once, string
// values), nothing after it. The window must start before it ends, end at
// most maxFutureEnd after now, be at most the idempotency TTL long (a
// longer one would queue calls whose record expired, to be published again)
// and start no earlier than the Unix epoch.
func decodeInput(payload []byte, cfg config, now time.Time) (input, error) {
	in := input{end: now.UTC().Truncate(time.Second), window: cfg.window}
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || bytes.Equal(payload, []byte("null")) {
		return in, checkWindow(in, cfg, now)
	}
	members, err := strictObject(payload)
	if err != nil {
		return input{}, fmt.Errorf("%w: %w; %s", errInvalidRequest, err, inputShape)
	}
	if v, ok := members["window_end"]; ok {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return input{}, fmt.Errorf("%w: window_end must be an RFC 3339 time", errInvalidRequest)
		}
		in.end = t.UTC()
	}
	if v, ok := members["window"]; ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < minWindow || d > maxWindow {
			return input{}, fmt.Errorf("%w: window must be a duration from %v to %v", errInvalidRequest, minWindow, maxWindow)
		}
		in.window = d
	}
	return in, checkWindow(in, cfg, now)
}

// checkWindow applies the rules every window follows, the configured one
// included.
func checkWindow(in input, cfg config, now time.Time) error {
	start := in.end.Add(-in.window)
	switch {
	case in.window <= 0 || !start.Before(in.end):
		return fmt.Errorf("%w: the window must start before it ends", errInvalidRequest)
	case in.end.After(now.Add(maxFutureEnd)):
		return fmt.Errorf("%w: window_end is more than %v in the future", errInvalidRequest, maxFutureEnd)
	case in.window > cfg.ttl:
		return fmt.Errorf("%w: window %v is longer than the idempotency TTL %v: calls whose record expired would be published again", errInvalidRequest, in.window, cfg.ttl)
	case start.Before(time.Unix(0, 0)):
		// Expirations are Unix seconds, and no call ended before 1970: a
		// window there (year 0001) is a mistake.
		return fmt.Errorf("%w: the window starts before 1970-01-01T00:00:00Z", errInvalidRequest)
	}
	return nil
}

var (
	errNotObject   = errors.New("not a JSON object")
	errTrailing    = errors.New("data after the object")
	errNotString   = errors.New("member values must be strings")
	errMalformed   = errors.New("malformed JSON")
	errUnknownName = errors.New("unknown member")
	errRepeated    = errors.New("member repeated")
)

// strictObject decodes payload as one JSON object of string members named
// exactly window_end or window, each at most once, with nothing after it.
// encoding/json alone would match names case-insensitively, keep the last
// of a repeated member and ignore what follows the value.
func strictObject(payload []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	members := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errMalformed
		}
		name, _ := tok.(string)
		if name != "window_end" && name != "window" {
			return nil, errUnknownName
		}
		if _, dup := members[name]; dup {
			return nil, fmt.Errorf("%w: %s", errRepeated, name)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errMalformed
		}
		var v string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
			return nil, fmt.Errorf("%w: %s", errNotString, name)
		}
		members[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errMalformed
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errTrailing
	}
	return members, nil
}
