package publish

import (
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/contract/callevent"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/pipeline"
	"github.com/callwire/callwire/functions/voice"
)

func testCall(from string) voice.Call {
	t := time.Date(2026, 3, 2, 14, 5, 7, 0, time.UTC)
	return voice.Call{
		SID: sidCompleted, AccountSID: "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Status: voice.StatusCompleted,
		From: from, To: "+14155550123", CreatedAt: t, UpdatedAt: t, URI: "/x", APIVersion: "2010-04-01", RetrievedAt: t,
	}
}

func TestEntryOmitsTheCallOverTheLimit(t *testing.T) {
	t.Parallel()
	hint := pipeline.Hint{CallSID: sidCompleted, Status: "completed", Source: pipeline.SourceSweep}
	tests := []struct {
		name        string
		from        string
		wantOmitted bool
	}{
		{"small", "+16465550142", false},
		{"just under", strings.Repeat("9", events.MaxPutSize-events.EnvelopeAllowance-1200), false},
		{"over", strings.Repeat("9", events.MaxPutSize), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := newEntry(defaultSource, newDetail(sidCompleted, testCall(tt.from), hint))
			if err != nil {
				t.Fatal(err)
			}
			detail := e.Detail
			if err := callevent.Validate([]byte(detail)); err != nil {
				t.Fatalf("detail: %v", err)
			}
			if e.omitted != tt.wantOmitted || strings.Contains(detail, `"call_omitted":"too_large"`) != tt.wantOmitted {
				t.Errorf("omitted = %v, want %v", e.omitted, tt.wantOmitted)
			}
			counted := eventsserver.EntrySize(false, defaultSource, DetailType, detail, nil)
			if size := events.Size(defaultSource, DetailType, detail); size != counted+events.EnvelopeAllowance || size > events.MaxPutSize {
				t.Errorf("size %d, counted %d: want counted + %d and at most %d", size, counted, events.EnvelopeAllowance, events.MaxPutSize)
			}
		})
	}
}
