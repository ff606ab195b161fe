package getcall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/internal/fail"
)

// errInvalidRequest marks an event getcall cannot serve.
var errInvalidRequest = fail.ErrInvalidRequest

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

// httpContext is the part of an HTTP API (payload 2.0) or Function URL
// event's requestContext that getcall reads. Members are kept raw so that
// a null or a number is told apart from a string (json.Unmarshal leaves a
// string untouched on null).
type httpContext struct {
	Stage json.RawMessage `json:"stage"`
	HTTP  struct {
		Method json.RawMessage `json:"method"`
		Path   json.RawMessage `json:"path"`
	} `json:"http"`
}

const expectedShapes = `expected {"call_sid": "<uuid>"}, an EventBridge event with detail.call_sid, or an HTTP API / Function URL GET /calls/{sid}`

// decodeEvent tells the accepted event shapes apart by their exact
// top-level members: call_sid (direct), detail (EventBridge, as the stack's
// rule sends it), requestContext.http (HTTP). An event that matches more than
// one shape, or repeats a member, is ambiguous and refused: serving one of
// two SIDs silently would answer a question nobody asked.
func decodeEvent(payload []byte) (request, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || payload[0] != '{' {
		return request{}, fmt.Errorf("%w: event is not a JSON object; %s", errInvalidRequest, expectedShapes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return request{}, fmt.Errorf("%w: event does not decode (malformed, or nested too deep); %s", errInvalidRequest, expectedShapes)
	}
	if key, ok := repeatedKey(payload); ok {
		return request{}, fmt.Errorf("%w: ambiguous event: member %q appears more than once", errInvalidRequest, contract.Truncate(key, 40))
	}
	rawSID, direct := top["call_sid"]
	detail, eventBridge := top["detail"]
	var rc struct {
		HTTP json.RawMessage `json:"http"`
	}
	rawRC, hasRC := top["requestContext"]
	isHTTP := hasRC && json.Unmarshal(rawRC, &rc) == nil && len(rc.HTTP) > 0 && !bytes.Equal(rc.HTTP, []byte("null"))
	if n := count(direct, eventBridge, isHTTP); n > 1 {
		return request{}, fmt.Errorf("%w: ambiguous event: it has more than one of call_sid, detail and requestContext.http", errInvalidRequest)
	}
	switch {
	case isHTTP:
		var ctx httpContext
		if json.Unmarshal(rawRC, &ctx) != nil {
			return request{}, fmt.Errorf("%w: HTTP event: requestContext does not decode", errInvalidRequest)
		}
		method, ok := jsonString(ctx.HTTP.Method)
		if !ok || method == "" {
			return request{}, fmt.Errorf("%w: HTTP event without requestContext.http.method", errInvalidRequest)
		}
		path, ok := jsonString(ctx.HTTP.Path)
		if !ok {
			return request{}, fmt.Errorf("%w: requestContext.http.path is not a string", errInvalidRequest)
		}
		if rp, present := top["rawPath"]; present {
			if path, ok = jsonString(rp); !ok {
				return request{}, fmt.Errorf("%w: rawPath is not a string", errInvalidRequest)
			}
		}
		stage := ""
		if ctx.Stage != nil {
			if stage, ok = jsonString(ctx.Stage); !ok {
				return request{}, fmt.Errorf("%w: requestContext.stage is not a string", errInvalidRequest)
			}
		}
		if stage != "" && stage != "$default" {
			path = strings.TrimPrefix(path, "/"+stage)
		}
		return request{kind: kindHTTP, method: method, path: path}, nil
	case eventBridge:
		var d map[string]json.RawMessage
		if json.Unmarshal(detail, &d) != nil || d == nil {
			return request{}, fmt.Errorf("%w: EventBridge detail must be an object with call_sid", errInvalidRequest)
		}
		raw, ok := d["call_sid"]
		if !ok {
			return request{}, fmt.Errorf("%w: EventBridge detail has no call_sid", errInvalidRequest)
		}
		sid, err := sidString(raw)
		if err != nil {
			return request{}, err
		}
		return request{kind: kindEventBridge, sid: sid}, nil
	case direct:
		sid, err := sidString(rawSID)
		if err != nil {
			return request{}, err
		}
		return request{kind: kindDirect, sid: sid}, nil
	}
	return request{}, fmt.Errorf("%w: %s", errInvalidRequest, expectedShapes)
}

// sidString reads a call_sid member, which must be a JSON string: null, a
// number or anything else is an InvalidRequest, while a string that is not a
// UUID is left to the SID parser (InvalidCallSid).
func sidString(raw json.RawMessage) (string, error) {
	sid, ok := jsonString(raw)
	if !ok {
		return "", fmt.Errorf("%w: call_sid must be a string", errInvalidRequest)
	}
	return sid, nil
}

// jsonString decodes raw when it is a JSON string, and only then.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// repeatedKey reports the first member name that appears twice in one object,
// anywhere in the (valid) JSON document b.
func repeatedKey(b []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool // the next token in an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // EOF, or invalid input already refused by the caller
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:top]
				if top > 0 && stack[top-1].object {
					stack[top-1].expect = true
				}
				continue
			}
			key, _ := tok.(string)
			if stack[top].keys[key] {
				return key, true
			}
			stack[top].keys[key] = true
			stack[top].expect = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, object: true, expect: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim(']'):
			stack = stack[:top]
			top--
		}
		if top >= 0 && stack[top].object {
			stack[top].expect = true // a value ended: a key or '}' comes next
		}
	}
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
