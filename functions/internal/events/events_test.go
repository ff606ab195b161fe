package events

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/eventsserver"
)

func newBus(t *testing.T) (*Bus, *eventsserver.Server) {
	t.Helper()
	srv := eventsserver.New()
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.CreateBus("callwire")
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDCALLWIRETEST", "callwire-test-secret", ""),
		BaseEndpoint:     aws.String(u),
		RetryMaxAttempts: 1,
	}
	return New(cfg, "callwire", "callwire.specwatch"), srv
}

// TestPutMoto puts an event on a bus of moto, an independent EventBridge
// implementation, when CI runs one (CALLWIRE_MOTO_URL).
func TestPutMoto(t *testing.T) {
	t.Parallel()
	moto := os.Getenv("CALLWIRE_MOTO_URL")
	if moto == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set; the moto case needs a moto_server")
	}
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDCALLWIRETEST", "callwire-test-secret", ""),
		BaseEndpoint:     aws.String(moto),
		RetryMaxAttempts: 1,
	}
	name := fmt.Sprintf("callwire-events-%d", time.Now().UnixNano())
	client := eventbridge.NewFromConfig(cfg)
	if _, err := client.CreateEventBus(t.Context(), &eventbridge.CreateEventBusInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteEventBus(context.Background(), &eventbridge.DeleteEventBusInput{Name: aws.String(name)})
	})
	b := New(cfg, name, "callwire.specwatch")
	if id, err := b.Put(t.Context(), "Spec Changed", `{"a":1}`); err != nil || id == "" {
		t.Fatalf("Put = %q, %v", id, err)
	}
	if _, err := b.Put(t.Context(), "Spec Changed", `{"a":"`+strings.Repeat("x", MaxPutSize)+`"}`); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put of an entry that cannot fit = %v, want ErrTooLarge", err)
	}
}

func TestPut(t *testing.T) {
	t.Parallel()
	b, srv := newBus(t)
	id, err := b.Put(t.Context(), "Spec Changed", `{"a":1}`)
	if err != nil || id == "" {
		t.Fatalf("Put = %q, %v", id, err)
	}
	evs := srv.Events("callwire")
	if len(evs) != 1 || evs[0].DetailType != "Spec Changed" || evs[0].Source != "callwire.specwatch" {
		t.Fatalf("events = %+v, want the one put", evs)
	}
}

func TestPutTooLarge(t *testing.T) {
	t.Parallel()
	b, srv := newBus(t)
	detail := `{"a":"` + strings.Repeat("x", MaxPutSize) + `"}`
	if _, err := b.Put(t.Context(), "Spec Changed", detail); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put = %v, want ErrTooLarge", err)
	}
	if n := srv.Requests("PutEvents"); n != 0 {
		t.Errorf("%d PutEvents requests for an entry that cannot fit, want 0", n)
	}
	// The largest detail that fits is sent.
	fit := `{"a":"` + strings.Repeat("x", MaxPutSize-b.Size("Spec Changed", `{"a":""}`)) + `"}`
	if _, err := b.Put(t.Context(), "Spec Changed", fit); err != nil {
		t.Fatalf("Put of a detail that fits: %v", err)
	}
}

func TestPutRejected(t *testing.T) {
	t.Parallel()
	b, srv := newBus(t)
	srv.FailEntries(1, "InternalFailure")
	_, err := b.Put(t.Context(), "Spec Changed", `{"a":1}`)
	var rej *Rejected
	if !errors.As(err, &rej) || rej.Code != "InternalFailure" {
		t.Fatalf("Put = %v, want a *Rejected with InternalFailure", err)
	}
}

func TestChunks(t *testing.T) {
	t.Parallel()
	big := MaxPutSize / 2
	tests := []struct {
		name  string
		sizes []int
		want  [][]int
	}{
		{"none", nil, nil},
		{"ten small", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}},
		{"eleven small", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10}}},
		{"by size", []int{big, big, 1, big}, [][]int{{0, 1}, {2, 3}}},
		{"one at the limit", []int{1, MaxPutSize, 1}, [][]int{{0}, {1}, {2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, chunks(tt.sizes)); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPutAll puts 23 entries, one of which cannot fit, and EventBridge
// refuses every fitting entry once and the first twice: they go in as few
// requests as the limits allow, refused ones are put once more, and every
// entry gets its own result.
func TestPutAll(t *testing.T) {
	t.Parallel()
	b, srv := newBus(t)
	entries := make([]Entry, 23)
	for i := range entries {
		entries[i] = Entry{DetailType: "Call Retrieved", Detail: fmt.Sprintf(`{"n":%d}`, i)}
	}
	entries[5].Detail = `{"a":"` + strings.Repeat("x", MaxPutSize) + `"}`
	srv.FailEntries(23, "InternalFailure") // the 22 that fit, then entry 0 again
	results, requests := b.PutAll(t.Context(), entries)
	if requests != 6 {
		t.Errorf("%d PutEvents requests, want 6 (three for the 22 that fit, three for the 22 refused)", requests)
	}
	for i, r := range results {
		switch i {
		case 0:
			var rej *Rejected
			if !errors.As(r.Err, &rej) || r.Unknown {
				t.Errorf("entry 0 refused twice: %+v, want a *Rejected", r)
			}
		case 5:
			if !errors.Is(r.Err, ErrTooLarge) || r.Unknown {
				t.Errorf("entry 5 too large: %+v, want ErrTooLarge", r)
			}
		default:
			if r.Err != nil || r.EventID == "" {
				t.Errorf("entry %d: %+v, want an event id", i, r)
			}
		}
	}
	if n := len(srv.Events("callwire")); n != 21 {
		t.Errorf("%d events on the bus, want 21", n)
	}
}
