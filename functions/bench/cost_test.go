package main

import (
	"math"
	"testing"
	"time"
)

func TestCostPerMillion(t *testing.T) {
	t.Parallel()
	in := costInputs{
		callbackInvocations: 1.1, callbackBilledMs: 1, callbackMB: 256,
		publishInvocations: 0.1, publishBilledMs: 40, publishMB: 256,
		sweepInvocations: 8e-5, sweepBilledMs: 10000, sweepMB: 512,
		sqsRequests: 1.3, events: 1, dynamoWrites: 2, dynamoReads: 8, secretsRequests: 0.001,
	}
	p := prices{lambdaGBSecond: 0.00001, lambdaRequests: 0.2, sqsRequests: 0.4, eventsPut: 1, dynamoWrite: 0.5, dynamoRead: 0.25, secretsRequests: 5}
	// Worked by hand: GB-s per million calls times the price, plus requests.
	want := map[string]float64{
		"Lambda callback": 1e6*1.1*0.001*0.25*0.00001 + 1.1*0.2,
		"Lambda publish":  1e6*0.1*0.040*0.25*0.00001 + 0.1*0.2,
		"Lambda sweep":    1e6*8e-5*10*0.5*0.00001 + 8e-5*0.2,
		"SQS":             1.3 * 0.4,
		"EventBridge":     1,
		"DynamoDB writes": 1,
		"DynamoDB reads":  2,
		"Secrets Manager": 0.005,
	}
	parts := costPerMillion(in, p)
	if len(parts) != len(want) {
		t.Fatalf("got %d parts, want %d", len(parts), len(want))
	}
	for _, part := range parts {
		w, ok := want[part.name]
		if !ok {
			t.Errorf("unexpected part %q", part.name)
			continue
		}
		if math.Abs(part.usd-w) > 1e-9 {
			t.Errorf("%s = %.9f, want %.9f (%s)", part.name, part.usd, w, part.formula)
		}
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"rate(15 minutes)", 15 * time.Minute, true},
		{"rate(1 hour)", time.Hour, true},
		{"rate(2 days)", 48 * time.Hour, true},
		{"rate(0 minutes)", 0, false},
		{"cron(0 * * * ? *)", 0, false},
	} {
		got, err := parseRate(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseRate(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestReadTemplate(t *testing.T) {
	t.Parallel()
	f, err := readTemplate("../..")
	if err != nil {
		t.Fatal(err)
	}
	if f.callbackMB <= 0 || f.publishMB <= 0 || f.sweepMB <= 0 || f.sweepRuns <= 1 {
		t.Errorf("readTemplate = %+v: every memory size positive and more than one sweep run per call", f)
	}
}

func TestCallSIDRoundTrip(t *testing.T) {
	t.Parallel()
	for _, i := range []int{0, 1, 4095, 1 << 40} {
		got, ok := callIndex(callSID(i))
		if !ok || got != i {
			t.Errorf("callIndex(callSID(%d)) = %d, %v", i, got, ok)
		}
	}
	if _, ok := callIndex("c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"); ok {
		t.Error("a SID the bench did not generate was read as one")
	}
}

func TestLedgerExactlyOnce(t *testing.T) {
	t.Parallel()
	l := &ledger{}
	for i := range 4 {
		l.add(i, i == 3)
	}
	l.event(0, "completed", 1)
	l.event(1, "completed", 1)
	l.event(1, "completed", 2) // a duplicate
	l.event(2, "ringing", 1)   // another status
	l.event(-1, "completed", 1)
	r := l.check()
	if r.ok() || r.missing != 2 || r.duplicated != 1 || r.strays != 2 {
		t.Errorf("check = %+v; want 2 missing (calls 2 and 3), 1 duplicated, 2 strays", r)
	}
	l.event(2, "completed", 3)
	l.event(3, "completed", 3)
	if r := (&ledger{events: []uint8{1, 1}, sent: []int64{1, 1}, lost: []bool{false, false}, firstEv: []int64{2, 2}}).check(); !r.ok() {
		t.Errorf("check of one event each = %+v, want ok", r)
	}
}
