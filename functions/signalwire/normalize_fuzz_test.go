package signalwire

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract/callv1"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/functions/voice"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

// normalizeSeeds are bodies next to the recorded ones: each tolerated drift
// pushed one step further.
var normalizeSeeds = []string{
	`{}`,
	`null`,
	`[]`,
	`"x"`,
	``,
	`{"sid":1}`,
	`{"subresource_uris":"x"}`,
	`{"sid":"a","account_sid":"b","status":"c","from":"","to":"","uri":"","api_version":"",` +
		`"date_created":"Mon, 02 Mar 2026 14:05:07 +0000","date_updated":"Mon, 02 Mar 2026 14:05:07 +0000","duration":"0"}`,
	`{"sid":"a","account_sid":"b","status":"c","from":"","to":"","uri":"","api_version":"",` +
		`"date_created":"Sat, 01 Jan 0000 00:00:00 +0100","date_updated":"Fri, 31 Dec 9999 23:59:59 -2359","duration":1e2,` +
		`"price":"-0.0","price_unit":"usd","sip_result_code":200.5,"audio_in_mos":"4.5","audio_out_lost":-1}`,
	`{"sid":"a","account_sid":"b","status":"c","from":"","to":"","uri":"","api_version":"",` +
		`"date_created":"2 Mar 2026 14:05 GMT","date_updated":"02 Mar 26 14:05:07 EST","duration":9007199254740993,` +
		`"price":"1e400","sip_result_code":"486","direction":"outbound-api"}`,
	`{"sid":"a","account_sid":"b","status":"c","from":"","to":"","uri":"","api_version":"",` +
		`"date_created":"Sat, 01 Jan 0000 00:00:00 +0000","date_updated":"Fri, 31 Dec 9999 23:59:59 +0000","duration":0}`,
	`{"duration":"0x10"}`,
	`{"duration":"` + strings.Repeat("9", 80) + `"}`,
	`{"sid":"` + strings.Repeat("5", 40) + `","date_created":"` + strings.Repeat("1", 40) + `"}`,
}

var fuzzRetrievedAt = time.Date(2026, 3, 2, 14, 8, 0, 123_456_789, time.UTC)

// FuzzNormalize feeds any body to Normalize. It either fails with a
// *FieldError that quotes no long digit run (phone numbers), or returns a
// call whose JSON passes the callwire.call.v1 schema and reads back unchanged.
func FuzzNormalize(f *testing.F) {
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no recordings: %v", err)
	}
	for _, path := range files {
		rec, err := recording.ReadRecording(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec.Exchange().Body)
	}
	for _, s := range normalizeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := Normalize(body, fuzzRetrievedAt)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, voice.ErrContract) {
				t.Fatalf("error %v (%T) is not a *FieldError wrapping voice.ErrContract", err, err)
			}
			if fe.Field == "" {
				t.Errorf("error %q names no field", err)
			}
			msg := err.Error()
			if len(msg) > 256 {
				t.Errorf("error message of %d bytes", len(msg))
			}
			if run := longestDigitRun(strings.ReplaceAll(msg, strconv.Itoa(maxNormalizeBody), "")); run > maxDigitRun {
				t.Errorf("error %q quotes a run of %d digits", msg, run)
			}
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if err := callv1.Validate(out); err != nil {
			t.Fatalf("Normalize(%q) output breaks callwire.call.v1: %v\n%s", body, err, out)
		}
		var back voice.Call
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("output does not read back: %v\n%s", err, out)
		}
		if diff := cmp.Diff(c, back); diff != "" {
			t.Errorf("output does not round-trip (-normalized +read back):\n%s", diff)
		}
	})
}

func longestDigitRun(s string) int {
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
