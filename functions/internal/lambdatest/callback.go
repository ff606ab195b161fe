package lambdatest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/webhook"
)

// Sample status callbacks: the call, the Function URL they arrive at, and
// the path SignalWire is configured to post to.
const (
	// DemoCallSID is a call that testdata/recordings holds as conformant,
	// so a sample callback leads to a call the replay server can return.
	DemoCallSID = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	// DemoCallbackDomain is the Function URL domain of the samples.
	DemoCallbackDomain = "cw5ampl3callbackurl0000000000000.lambda-url.us-east-1.on.aws"
	// DemoCallbackPath is the path of the samples' callback URL.
	DemoCallbackPath = "/status"
)

// CallbackFields returns the fields SignalWire posts for call sid reaching
// status, numbered seq: every documented field, with the media statistics
// and the duration on completed only, as SignalWire sends them.
func CallbackFields(sid, status string, seq int) []webhook.Field {
	f := []webhook.Field{
		{Name: "AccountSid", Value: DemoProjectID},
		{Name: "ApiVersion", Value: "2010-04-01"},
		{Name: "CallbackSource", Value: "call-progress-events"},
		{Name: "CallSid", Value: sid},
		{Name: "CallStatus", Value: status},
		{Name: "Direction", Value: "outbound-api"},
		{Name: "From", Value: "+15550100001"},
		{Name: "SequenceNumber", Value: strconv.Itoa(seq)},
		{Name: "Timestamp", Value: time.Date(2026, 3, 2, 14, 7, 41+seq, 0, time.UTC).Format(time.RFC1123Z)},
		{Name: "To", Value: "+15550100002"},
	}
	if status == "completed" {
		f = append(f,
			webhook.Field{Name: "AudioInAveragePtime", Value: "20"},
			webhook.Field{Name: "AudioInDtmfPacketCount", Value: "0"},
			webhook.Field{Name: "AudioInFlushPacketCount", Value: "2"},
			webhook.Field{Name: "AudioInJitterMaxVariance", Value: "8"},
			webhook.Field{Name: "AudioInJitterMinVariance", Value: "1"},
			webhook.Field{Name: "AudioInLargestJbSize", Value: "4"},
			webhook.Field{Name: "AudioInMediaPacketCount", Value: "1842"},
			webhook.Field{Name: "AudioInMos", Value: "4.3"},
			webhook.Field{Name: "AudioInSkipPacketCount", Value: "1"},
			webhook.Field{Name: "AudioOutDtmfPacketCount", Value: "0"},
			webhook.Field{Name: "AudioOutMediaPacketCount", Value: "1840"},
			webhook.Field{Name: "CallDuration", Value: "94"},
			webhook.Field{Name: "SipResultCode", Value: "200"},
		)
	}
	return f
}

// CallbackEvent returns the Function URL event of a POST status callback
// carrying fields, signed with key in the form scheme for
// https://DemoCallbackDomain + DemoCallbackPath, as SignalWire signs it.
func CallbackEvent(fields []webhook.Field, key string) events.LambdaFunctionURLRequest {
	url := "https://" + DemoCallbackDomain + DemoCallbackPath
	return events.LambdaFunctionURLRequest{
		Version: "2.0",
		RawPath: DemoCallbackPath,
		Headers: map[string]string{
			"content-type":           "application/x-www-form-urlencoded",
			"host":                   DemoCallbackDomain,
			"user-agent":             "SignalWire-Callback/1.0",
			webhook.HeaderSignalWire: webhook.SignForm(key, url, fields),
		},
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    "anonymous",
			RequestID:    "5ad4a3e2-0b1c-4d6e-9f00-0000000000c1",
			APIID:        "cw5ampl3callbackurl0000000000000",
			DomainName:   DemoCallbackDomain,
			DomainPrefix: "cw5ampl3callbackurl0000000000000",
			Time:         "02/Mar/2026:14:07:42 +0000",
			TimeEpoch:    1772460462000,
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method:    http.MethodPost,
				Path:      DemoCallbackPath,
				Protocol:  "HTTP/1.1",
				SourceIP:  "203.0.113.10",
				UserAgent: "SignalWire-Callback/1.0",
			},
		},
		Body: webhook.EncodeForm(fields),
	}
}
