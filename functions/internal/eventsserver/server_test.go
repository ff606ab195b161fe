package eventsserver_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/callwire/callwire/functions/internal/eventsserver"
)

func setup(t *testing.T) (*eventsserver.Server, *eventbridge.Client, string) {
	t.Helper()
	srv := eventsserver.New()
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c := eventbridge.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		BaseEndpoint:     aws.String(u),
		RetryMaxAttempts: 1,
	})
	return srv, c, u
}

func entry(bus, detail string) types.PutEventsRequestEntry {
	return types.PutEventsRequestEntry{
		EventBusName: aws.String(bus), Source: aws.String("callwire"), DetailType: aws.String("Call Retrieved"), Detail: aws.String(detail),
	}
}

func TestPutEventsRecordsAndFailsEntries(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	ctx := t.Context()
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("calls")}); err != nil {
		t.Fatal(err)
	}
	srv.FailEntries(1, "ThrottlingException")
	at := time.Date(2026, 3, 2, 14, 8, 0, 0, time.UTC)
	withTime := entry("calls", `{"n":3}`)
	withTime.Time = aws.Time(at)
	withTime.Resources = []string{"r1"}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("calls", `{"n":1}`), entry("calls", `{"n":2}`), withTime, entry("calls", `[1]`), entry("calls", `{`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range out.Entries {
		codes = append(codes, aws.ToString(e.ErrorCode))
	}
	if diff := cmp.Diff([]string{"ThrottlingException", "", "", "MalformedDetail", "MalformedDetail"}, codes); diff != "" {
		t.Errorf("entry error codes (-want +got):\n%s", diff)
	}
	if out.FailedEntryCount != 3 {
		t.Errorf("FailedEntryCount = %d, want 3", out.FailedEntryCount)
	}
	got := srv.Events("calls")
	want := []eventsserver.Event{
		{Bus: "calls", Source: "callwire", DetailType: "Call Retrieved", Detail: `{"n":2}`},
		{Bus: "calls", Source: "callwire", DetailType: "Call Retrieved", Detail: `{"n":3}`, Resources: []string{"r1"}, Time: at},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(eventsserver.Event{}, "ID"), cmpopts.IgnoreFields(eventsserver.Event{}, "Time")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(got) == 2 && (!got[1].Time.Equal(at) || got[0].ID != aws.ToString(out.Entries[1].EventId)) {
		t.Errorf("event time %v, id %s; want %v and the id PutEvents returned", got[1].Time, got[0].ID, at)
	}
	if len(srv.Events(eventsserver.DefaultBus)) != 0 {
		t.Error("events leaked onto the default bus")
	}
}

func TestPutEventsRefusals(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	eleven := make([]types.PutEventsRequestEntry, 11)
	for i := range eleven {
		eleven[i] = entry("default", `{}`)
	}
	big := `{"x":"` + strings.Repeat("a", eventsserver.MaxRequestSize/2) + `"}`
	tests := []struct {
		name    string
		entries []types.PutEventsRequestEntry
		want    string
	}{
		{"eleven entries", eleven, "ValidationException"},
		{"over 256 KiB in total", []types.PutEventsRequestEntry{entry("default", big), entry("default", big)}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: tt.entries})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.want {
				t.Errorf("PutEvents = %v, want %s", err, tt.want)
			}
		})
	}
	// One big entry alone fits.
	if _, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("default", big)}}); err != nil {
		t.Errorf("one entry under the limit: %v", err)
	}
	if n := len(srv.Events("default")); n != 1 {
		t.Errorf("%d events on the default bus, want 1", n)
	}
}

func TestFaultsAndUnsignedRequests(t *testing.T) {
	t.Parallel()
	srv, c, u := setup(t)
	srv.SetFault(eventsserver.Unavailable)
	_, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("default", `{}`)}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalException" {
		t.Errorf("PutEvents under a fault = %v", err)
	}
	srv.SetFault(eventsserver.None)
	wait := srv.Accepted()
	if _, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("default", `{}`)}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wait:
	default:
		t.Error("Accepted was not closed after an event was accepted")
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, u+"/", strings.NewReader(`{"Entries":[]}`))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || srv.Rejected() != 1 {
		t.Errorf("unsigned request: status %d, rejected %d; want 400 and 1", resp.StatusCode, srv.Rejected())
	}
	if srv.Requests(eventsserver.OpPutEvents) != 3 {
		t.Errorf("PutEvents requests = %d, want 3", srv.Requests(eventsserver.OpPutEvents))
	}
}

func TestEntrySize(t *testing.T) {
	t.Parallel()
	if got := eventsserver.EntrySize(true, "callwire", "Call Retrieved", `{"a":"é"}`, []string{"r"}); got != 14+8+14+10+1 {
		t.Errorf("EntrySize = %d, want %d", got, 14+8+14+10+1)
	}
}
