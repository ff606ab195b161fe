package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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

func decodeInput(payload []byte, cfg config, now time.Time) (input, error) {
	in := input{end: now.UTC().Truncate(time.Second), window: cfg.window}
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || bytes.Equal(payload, []byte("null")) {
		return in, nil
	}
	var raw struct {
		WindowEnd *string `json:"window_end"`
		Window    *string `json:"window"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return input{}, fmt.Errorf(`%w: input must be {"window_end": "<RFC 3339>", "window": "<duration>"}, both optional`, errInvalidRequest)
	}
	if raw.WindowEnd != nil {
		t, err := time.Parse(time.RFC3339, *raw.WindowEnd)
		if err != nil {
			return input{}, fmt.Errorf("%w: window_end must be an RFC 3339 time", errInvalidRequest)
		}
		if t.After(now) {
			return input{}, fmt.Errorf("%w: window_end is in the future", errInvalidRequest)
		}
		in.end = t.UTC()
	}
	if raw.Window != nil {
		d, err := time.ParseDuration(*raw.Window)
		if err != nil || d < minWindow || d > maxWindow {
			return input{}, fmt.Errorf("%w: window must be a duration from %v to %v", errInvalidRequest, minWindow, maxWindow)
		}
		in.window = d
	}
	return in, nil
}
