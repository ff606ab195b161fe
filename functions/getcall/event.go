package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// errInvalidRequest marks an event getcall cannot serve.
var errInvalidRequest = errors.New("invalid request")

// maxPathLen bounds the HTTP path getcall looks at; /calls/{uuid} is 43 bytes.
const maxPathLen = 256

// request is what an event asks for.
type request struct {
	kind   eventKind
	sid    string
	method string // HTTP events only
	path   string // HTTP events only
}

type eventKind int

const (
	kindDirect eventKind = iota
	kindEventBridge
	kindHTTP
)

// probe holds the members that tell the accepted event shapes apart.
type probe struct {
	CallSID        *string         `json:"call_sid"`
	Detail         json.RawMessage `json:"detail"`
	DetailType     *string         `json:"detail-type"`
	RawPath        *string         `json:"rawPath"`
	RequestContext struct {
		Stage string `json:"stage"`
		HTTP  struct {
			Method string `json:"method"`
			Path   string `json:"path"`
		} `json:"http"`
	} `json:"requestContext"`
}

const expectedShapes = `expected {"call_sid": "<uuid>"}, an EventBridge event with detail.call_sid, or an HTTP API / Function URL GET /calls/{sid}`

// decodeEvent recognises a direct invoke, an EventBridge event or an HTTP
// (API Gateway HTTP API v2, Function URL) event. The SID is not validated here.
func decodeEvent(payload []byte) (request, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || payload[0] != '{' {
		return request{}, fmt.Errorf("%w: event is not a JSON object; %s", errInvalidRequest, expectedShapes)
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return request{}, fmt.Errorf("%w: event does not decode; %s", errInvalidRequest, expectedShapes)
	}
	switch {
	case p.RequestContext.HTTP.Method != "":
		path := p.RequestContext.HTTP.Path
		if p.RawPath != nil {
			path = *p.RawPath
		}
		if st := p.RequestContext.Stage; st != "" && st != "$default" {
			path = strings.TrimPrefix(path, "/"+st)
		}
		return request{kind: kindHTTP, method: p.RequestContext.HTTP.Method, path: path}, nil
	case p.DetailType != nil || p.Detail != nil:
		var d struct {
			CallSID  *string `json:"call_sid"`
			CallSid2 *string `json:"CallSid"`
		}
		if len(p.Detail) == 0 || json.Unmarshal(p.Detail, &d) != nil {
			return request{}, fmt.Errorf("%w: EventBridge detail must be an object with call_sid", errInvalidRequest)
		}
		switch {
		case d.CallSID != nil:
			return request{kind: kindEventBridge, sid: *d.CallSID}, nil
		case d.CallSid2 != nil:
			return request{kind: kindEventBridge, sid: *d.CallSid2}, nil
		}
		return request{}, fmt.Errorf("%w: EventBridge detail has no call_sid (or CallSid)", errInvalidRequest)
	case p.CallSID != nil:
		return request{kind: kindDirect, sid: *p.CallSID}, nil
	}
	return request{}, fmt.Errorf("%w: %s", errInvalidRequest, expectedShapes)
}

// route matches an HTTP path to GET /calls/{sid}. It returns the status to
// answer when the path is not served (404) or the method is not GET (405).
func route(method, path string) (sid string, status int) {
	if len(path) > maxPathLen {
		return "", 404
	}
	rest, ok := strings.CutPrefix(path, "/calls/")
	if !ok || rest == "" || strings.ContainsAny(rest, "/\\%") {
		return "", 404
	}
	// Only unreserved characters reach the SID parser; it accepts a UUID alone.
	if _, err := url.PathUnescape(rest); err != nil {
		return "", 404
	}
	if method != "GET" {
		return "", 405
	}
	return rest, 0
}
