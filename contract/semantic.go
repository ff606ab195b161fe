package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The semantic checks go beyond JSON Schema: they test what the document's own
// descriptions promise. Their findings are warnings: a client can still read
// the body, but something is off.

var dateFields = []string{"date_created", "date_updated", "start_time", "end_time"}

// alwaysNull lists the properties documented as "Always null", as pointers.
var alwaysNull = []string{"/forwarded_from", "/caller_name", "/annotation", "/group_sid", "/subresource_uris/notifications"}

// durationTolerance is how far duration may be from end_time - start_time.
const durationTolerance = 2 * time.Second

func (c *checker) semanticCall(obj map[string]any, params map[string]string) {
	times := map[string]time.Time{}
	for _, f := range dateFields {
		s, ok := obj[f].(string)
		if !ok {
			continue
		}
		t, err := ParseDate(s)
		if err != nil {
			c.add(RuleDateFormat, SeverityWarning, "/"+f, "RFC 2822 date-time", "unparseable",
				fmt.Sprintf("/%s: %q is not an RFC 2822 date-time", f, Truncate(s, 40)))
			continue
		}
		times[f] = t
	}
	c.timeOrder(times, obj["duration"])

	for _, pair := range [][2]string{{"formatted_to", "to_formatted"}, {"formatted_from", "from_formatted"}} {
		a, aok := obj[pair[0]].(string)
		b, bok := obj[pair[1]].(string)
		if aok && bok && a != b {
			c.add(RuleAliasMismatch, SeverityWarning, "/"+pair[1], "equal to /"+pair[0], "differs",
				fmt.Sprintf("/%s is documented as an alias of /%s but differs from it", pair[1], pair[0]))
		}
	}

	for _, p := range alwaysNull {
		val, ok := lookup(obj, p)
		if ok && val != nil {
			c.add(RuleAlwaysNull, SeverityWarning, p, "null", jsonType(val), p+" is documented as always null")
		}
	}

	sid := params["Sid"]
	account := params["AccountSid"]
	if got, ok := obj["sid"].(string); ok && sid != "" && !strings.EqualFold(got, sid) {
		c.add(RuleIdentity, SeverityWarning, "/sid", "the Sid in the request path", "differs",
			"/sid differs from the call SID in the request path")
	}
	if got, ok := obj["account_sid"].(string); ok && account != "" && !strings.EqualFold(got, account) {
		c.add(RuleIdentity, SeverityWarning, "/account_sid", "the AccountSid in the request path", "differs",
			"/account_sid differs from the account in the request path")
	}
	if uri, ok := obj["uri"].(string); ok && sid != "" && account != "" {
		want := "/Accounts/" + account + "/Calls/" + sid
		if !strings.HasSuffix(strings.ToLower(strings.TrimSuffix(uri, ".json")), strings.ToLower(want)) {
			c.add(RuleIdentity, SeverityWarning, "/uri", "…"+"/Accounts/{AccountSid}/Calls/{Sid} of the request", "differs",
				"/uri does not name the requested account and call")
		}
	}
}

func (c *checker) timeOrder(times map[string]time.Time, duration any) {
	created, okc := times["date_created"]
	updated, oku := times["date_updated"]
	if okc && oku && updated.Before(created) {
		c.add(RuleTimeOrder, SeverityWarning, "/date_updated", "not before date_created", "before",
			"/date_updated is earlier than /date_created")
	}
	start, oks := times["start_time"]
	end, oke := times["end_time"]
	if !oks || !oke {
		return
	}
	if end.Before(start) {
		c.add(RuleTimeOrder, SeverityWarning, "/end_time", "not before start_time", "before",
			"/end_time is earlier than /start_time")
		return
	}
	d, ok := number(duration)
	if !ok {
		return
	}
	span := end.Sub(start).Seconds()
	if math.Abs(d-span) > durationTolerance.Seconds() {
		c.add(RuleTimeOrder, SeverityWarning, "/duration", "end_time - start_time within 2 s",
			fmt.Sprintf("off by %.0f s", math.Abs(d-span)),
			fmt.Sprintf("/duration is %.0f s but end_time - start_time is %.0f s", d, span))
	}
}

func (c *checker) semanticError(obj map[string]any, status int) {
	got, ok := obj["status"]
	if !ok {
		return
	}
	if n, isNum := number(got); !isNum || n != float64(status) {
		c.add(RuleErrorStatus, SeverityWarning, "/status", strconv.Itoa(status), describeValue(got),
			fmt.Sprintf("/status says %s but the HTTP status is %d", describeValue(got), status))
	}
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// lookup follows a simple JSON Pointer (no escapes) through nested objects.
func lookup(obj map[string]any, ptr string) (any, bool) {
	var cur any = obj
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[tok]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}
