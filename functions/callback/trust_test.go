package callback

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/webhook"
)

// otherSID is a call the attacker wants an event for.
const otherSID = "c0c0ca11-0bad-4bad-8bad-0000000000ff"

// formCallback is a POST form callback for sid, signed with the demo key.
func formCallback(fields []webhook.Field) events.LambdaFunctionURLRequest {
	return lambdatest.CallbackEvent(fields, testKey)
}

// getCallback is a GET callback whose query holds fields, signed with the
// form scheme over the URL alone, as SignalWire signs StatusCallbackMethod=GET.
func getCallback(fields []webhook.Field) events.LambdaFunctionURLRequest {
	e := lambdatest.CallbackEvent(fields, testKey)
	e.RequestContext.HTTP.Method = http.MethodGet
	e.RawQueryString, e.Body = webhook.EncodeForm(fields), ""
	delete(e.Headers, "content-type")
	e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
	return e
}

// rawBodyCallback is a POST JSON callback signed with the raw-body scheme.
func rawBodyCallback(body string) events.LambdaFunctionURLRequest {
	e := lambdatest.CallbackEvent(nil, testKey)
	e.Body = body
	e.Headers["content-type"] = "application/json"
	e.Headers[webhook.HeaderSignalWire] = webhook.SignRawBody(testKey, demoURL, []byte(body))
	return e
}

// sha256Callback is a POST JSON callback signed with bodySHA256, the
// parameter spelled param.
func sha256Callback(param, body string) events.LambdaFunctionURLRequest {
	sum := sha256.Sum256([]byte(body))
	e := lambdatest.CallbackEvent(nil, testKey)
	e.Body = body
	e.RawQueryString = param + "=" + hex.EncodeToString(sum[:])
	e.Headers["content-type"] = "application/json"
	e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
	return e
}

// TestSchemePicksParser runs requests over method x Content-Type x scheme x
// covered or not: only a payload the signature covers, read by the parser
// its scheme allows, is queued, and only for the call it names.
func TestSchemePicksParser(t *testing.T) {
	t.Parallel()
	mine := lambdatest.CallbackFields(sid, "completed", 4)
	theirs := lambdatest.CallbackFields(otherSID, "completed", 999999999)
	theirsJSON := webhook.EncodeJSON(theirs)
	mineJSON := webhook.EncodeJSON(mine)
	sumOf := func(s string) string { x := sha256.Sum256([]byte(s)); return hex.EncodeToString(x[:]) }
	// A caller-influenced value (a SIP header, a caller name) holding what
	// would be fields if its boundaries moved.
	injected := "x&CallSid=" + otherSID + "&CallStatus=completed&"
	withInjected := setField(mine, "From", injected)

	tests := []struct {
		name   string
		event  events.LambdaFunctionURLRequest
		status int
		queued string // the CallSid queued, or "" for nothing
	}{
		// Covered: each scheme with its own parser.
		{"POST form, form scheme", formCallback(mine), http.StatusNoContent, sid},
		{"GET, form scheme over the URL and query", getCallback(mine), http.StatusNoContent, sid},
		{"POST JSON, raw-body scheme", rawBodyCallback(mineJSON), http.StatusNoContent, sid},
		{"POST JSON, bodySHA256", sha256Callback("bodySHA256", mineJSON), http.StatusNoContent, sid},
		{"POST JSON, body%53HA256 is bodySHA256", sha256Callback("body%53HA256", mineJSON), http.StatusNoContent, sid},
		{"POST form, a signed field holding field syntax", formCallback(withInjected), http.StatusNoContent, sid},

		// Not covered: a GET's URL-only signature replayed as a POST.
		{"GET signature, POST JSON body of one's own", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.HTTP.Method, e.Body = http.MethodPost, theirsJSON
			e.Headers["content-type"] = "application/json"
		}), http.StatusForbidden, ""},
		{"GET signature, POST form body of one's own", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.HTTP.Method, e.Body = http.MethodPost, webhook.EncodeForm(theirs)
			e.Headers["content-type"] = "application/x-www-form-urlencoded"
		}), http.StatusForbidden, ""},
		{"GET signature, POST text/plain body", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.HTTP.Method, e.Body = http.MethodPost, theirsJSON
			e.Headers["content-type"] = "text/plain"
		}), http.StatusForbidden, ""},
		{"GET signature, POST body without Content-Type", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.HTTP.Method, e.Body = http.MethodPost, theirsJSON
		}), http.StatusForbidden, ""},
		{"GET signature, POST base64 JSON body", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.RequestContext.HTTP.Method = http.MethodPost
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(theirsJSON)), true
			e.Headers["content-type"] = "application/json"
		}), http.StatusForbidden, ""},
		{"GET with a body", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.Body = theirsJSON
			e.Headers["content-type"] = "application/json"
		}), http.StatusForbidden, ""},
		{"GET with a hex signature", modified(getCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.Headers[webhook.HeaderSignalWire] = webhook.SignRawBody(testKey, demoURL+"?"+e.RawQueryString, nil)
		}), http.StatusForbidden, ""},

		// Not covered: body%53HA256 and other spellings are bodySHA256.
		{"body%53HA256 URL, another JSON body", modified(sha256Callback("body%53HA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Body = theirsJSON
		}), http.StatusForbidden, ""},
		{"%62odySHA256 URL, another JSON body", modified(sha256Callback("%62odySHA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Body = theirsJSON
		}), http.StatusForbidden, ""},
		{"bodySHA256 twice, the body matching one", modified(sha256Callback("bodySHA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.RawQueryString += "&bodySHA256=" + sumOf(theirsJSON)
			e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
		}), http.StatusForbidden, ""},
		{"bodySHA256 not 64 hex digits", modified(sha256Callback("bodySHA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.RawQueryString += "0"
			e.Headers[webhook.HeaderSignalWire] = webhook.SignForm(testKey, demoURL+"?"+e.RawQueryString, nil)
		}), http.StatusForbidden, ""},
		{"bodySHA256 with a hex signature", modified(sha256Callback("bodySHA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Headers[webhook.HeaderSignalWire] = webhook.SignRawBody(testKey, demoURL+"?"+e.RawQueryString, []byte(mineJSON))
		}), http.StatusForbidden, ""},
		{"bodySHA256 JSON body resent as a form", modified(sha256Callback("bodySHA256", mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Headers["content-type"] = "application/x-www-form-urlencoded"
		}), http.StatusForbidden, ""},

		// Not covered: the raw-body scheme is JSON only.
		{"signed JSON body resent as a form", modified(rawBodyCallback(mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Headers["content-type"] = "application/x-www-form-urlencoded"
		}), http.StatusForbidden, ""},
		{"signed JSON body resent as text/plain", modified(rawBodyCallback(mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Headers["content-type"] = "text/plain"
		}), http.StatusForbidden, ""},
		{"signed form body resent as JSON", modified(formCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.Headers["content-type"] = "application/json"
		}), http.StatusForbidden, ""},
		{"signed JSON body, another JSON body", modified(rawBodyCallback(mineJSON), func(e *events.LambdaFunctionURLRequest) {
			e.Body = theirsJSON
		}), http.StatusForbidden, ""},
		{"signed field's content sent as fields", modified(formCallback(withInjected), func(e *events.LambdaFunctionURLRequest) {
			e.Body = strings.Replace(e.Body, webhook.EncodeForm([]webhook.Field{{Name: "From", Value: injected}}), "From="+injected, 1)
		}), http.StatusForbidden, ""},
		{"form body that does not parse", modified(formCallback(mine), func(e *events.LambdaFunctionURLRequest) {
			e.Body += "&Pad=%zz"
		}), http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, secretJSON(testKey, ""))
			resp := env.invoke(t, tt.event)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			q := env.queued(t)
			switch {
			case tt.queued == "" && len(q) != 0:
				t.Fatalf("queued %v, want nothing", q)
			case tt.queued != "" && (len(q) != 1 || q[0].CallSID != tt.queued):
				t.Fatalf("queued %v, want one hint for %s", q, tt.queued)
			}
		})
	}
}

// TestHintFieldsAreStrict: a signed callback whose hint fields are not what
// SignalWire documents is refused with 400 and queues nothing, since field
// boundaries inside the form scheme are not signed.
func TestHintFieldsAreStrict(t *testing.T) {
	t.Parallel()
	tests := map[string][]webhook.Field{
		"CallStatus Completed":             setField(lambdatest.CallbackFields(sid, "completed", 4), "CallStatus", "Completed"),
		"CallStatus with a no-break space": setField(lambdatest.CallbackFields(sid, "completed", 4), "CallStatus", "completed\u00a0"),
		"CallStatus undocumented":          setField(lambdatest.CallbackFields(sid, "completed", 4), "CallStatus", "completedDirection"),
		"SequenceNumber a word":            setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "four"),
		"SequenceNumber negative":          setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "-1"),
		"SequenceNumber with a sign":       setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "+4"),
		"SequenceNumber an exponent":       setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "1e3"),
		"SequenceNumber over int64":        setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "99999999999999999999"),
		"SequenceNumber and text":          setField(lambdatest.CallbackFields(sid, "completed", 4), "SequenceNumber", "4Timestamp"),
		"Timestamp not a date":             setField(lambdatest.CallbackFields(sid, "completed", 4), "Timestamp", "attacker-chosen <script>"),
		"Timestamp over 64 bytes":          setField(lambdatest.CallbackFields(sid, "completed", 4), "Timestamp", "Mon, 02 Mar 2026 14:07:45 +0000"+strings.Repeat(" ", 40)),
		"CallSid not a UUID":               setField(lambdatest.CallbackFields(sid, "completed", 4), "CallSid", "CA1234567890ABCDE"),
		"CallSid twice": append(lambdatest.CallbackFields(sid, "completed", 4),
			webhook.Field{Name: "CallSid", Value: otherSID}),
		"AccountSid not a UUID": setField(lambdatest.CallbackFields(sid, "completed", 4), "AccountSid", "AC123"),
		"AccountSid missing":    dropField(lambdatest.CallbackFields(sid, "completed", 4), "AccountSid"),
	}
	for name, fields := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := setup(t, secretJSON(testKey, ""))
			resp := env.invoke(t, formCallback(fields))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, resultInvalidCallback) {
				t.Fatalf("status %d %s, want 400 %s", resp.StatusCode, resp.Body, resultInvalidCallback)
			}
			if q := env.queued(t); len(q) != 0 {
				t.Fatalf("queued %v", q)
			}
			for _, leak := range []string{"attacker", "<script>", "CA1234567890ABCDE"} {
				if strings.Contains(resp.Body, leak) || strings.Contains(env.logs.String(), leak) {
					t.Errorf("response or log quotes the value %q", leak)
				}
			}
		})
	}
}

// TestForeignAccount: a callback signed with the project's key whose
// AccountSid names another project is refused, not queued, and counted.
func TestForeignAccount(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	fields := setField(lambdatest.CallbackFields(sid, "completed", 4), "AccountSid", "0a0b0c0d-1111-4222-8333-444455556666")
	resp := env.invoke(t, formCallback(fields))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, resultWrongAccount) {
		t.Fatalf("status %d %s, want 400 %s", resp.StatusCode, resp.Body, resultWrongAccount)
	}
	if q := env.queued(t); len(q) != 0 {
		t.Fatalf("queued %v", q)
	}
	if !strings.Contains(env.metrics.String(), `"CallbacksForeignAccount":1`) || !strings.Contains(env.metrics.String(), `"CallbacksRejected":1`) {
		t.Errorf("not counted: %s", env.metrics.String())
	}
	// The same callback for the project, in another case, is queued.
	fields = setField(fields, "AccountSid", strings.ToUpper(lambdatest.DemoProjectID))
	if resp := env.invoke(t, formCallback(fields)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the project's own callback: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestRepeatedJSONMember: a JSON callback reports a repeated member as a
// form reports a repeated field (the first value counts), and a repeated
// hint field is refused.
func TestRepeatedJSONMember(t *testing.T) {
	t.Parallel()
	env := setup(t, secretJSON(testKey, ""))
	fields := append(lambdatest.CallbackFields(sid, "completed", 4), webhook.Field{Name: "Direction", Value: "inbound"})
	if resp := env.invoke(t, rawBodyCallback(webhook.EncodeJSON(fields))); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
	}
	if !strings.Contains(env.logs.String(), `"rule":"form.repeated","pointer":"/Direction"`) {
		t.Errorf("repeated member not reported: %s", env.logs.String())
	}
	fields = append(lambdatest.CallbackFields(sid, "completed", 4), webhook.Field{Name: "CallSid", Value: otherSID})
	if resp := env.invoke(t, rawBodyCallback(webhook.EncodeJSON(fields))); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("repeated CallSid: status %d %s", resp.StatusCode, resp.Body)
	}
	if q := env.queued(t); len(q) != 1 || q[0].CallSID != sid {
		t.Fatalf("queued %v", q)
	}
}
