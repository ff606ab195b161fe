package idempotency

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/testkit/testclock"
)

// TestPossiblyPublishedIsRetriedOnce: a publish with an unknown outcome
// marks the id; the next claim is the last attempt, and once it completes
// the id is done.
func TestPossiblyPublishedIsRetriedOnce(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, _ backend, s *Store, clk *testclock.Clock) {
		first := mustClaim(t, s, id, clk.Now().Add(time.Minute), Claimed)
		if first.Again {
			t.Fatal("a first claim says Again")
		}
		if err := s.MarkPossiblyPublished(t.Context(), first); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Published(t.Context(), []string{id}); err != nil || got[id] {
			t.Fatalf("Published = %v, %v; a possibly published id is not done", got, err)
		}
		last := mustClaim(t, s, id, clk.Now().Add(time.Minute), Claimed)
		if !last.Again {
			t.Fatal("the claim after a possibly-published mark is not a last attempt")
		}
		mustClaim(t, s, id, clk.Now().Add(time.Minute), Busy)
		if err := s.Complete(t.Context(), last); err != nil {
			t.Fatal(err)
		}
		mustClaim(t, s, id, clk.Now().Add(time.Minute), Done)
	})
}

// TestLastAttemptKeepsItsMark: a last attempt whose publish definitely
// failed keeps the mark when released, and one that dies after claiming
// counts as done when its claim lapses.
func TestLastAttemptKeepsItsMark(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, _ backend, s *Store, clk *testclock.Clock) {
		first := mustClaim(t, s, id, clk.Now().Add(time.Minute), Claimed)
		if err := s.MarkPossiblyPublished(t.Context(), first); err != nil {
			t.Fatal(err)
		}
		last := mustClaim(t, s, id, clk.Now().Add(time.Minute), Claimed)
		if err := s.Release(t.Context(), last); err != nil {
			t.Fatal(err)
		}
		crashed := mustClaim(t, s, id, clk.Now().Add(10*time.Second), Claimed)
		if !crashed.Again {
			t.Fatal("a released last attempt lost its mark")
		}
		clk.Add(11 * time.Second)
		mustClaim(t, s, id, clk.Now().Add(time.Minute), Done)
		// The lapsed claimant's late mark changes nothing.
		if err := s.MarkPossiblyPublished(t.Context(), crashed); !errors.Is(err, ErrClaimLost) {
			t.Errorf("late mark: %v, want ErrClaimLost", err)
		}
		mustClaim(t, s, id, clk.Now().Add(time.Minute), Done)
	})
}

// TestHugeIDIsRefusedWithoutEcho: DynamoDB refuses a partition key over
// 2048 bytes; the error names the id without repeating it whole.
func TestHugeIDIsRefusedWithoutEcho(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, _ backend, s *Store, clk *testclock.Clock) {
		huge := "c0c0ca11-0008-4b05-a486-000000000008/" + strings.Repeat("x", 3000)
		_, err := s.Claim(t.Context(), huge, clk.Now().Add(time.Minute))
		if err == nil {
			t.Fatal("a 3037-byte id was claimed")
		}
		if strings.Contains(err.Error(), strings.Repeat("x", 200)) || len(err.Error()) > 1024 {
			t.Errorf("the error echoes the id (%d bytes): %.300s", len(err.Error()), err)
		}
		// 2048 bytes is the limit itself, in UTF-8 bytes.
		edge := strings.Repeat("é", 1024)
		mustClaim(t, s, edge, clk.Now().Add(time.Minute), Claimed)
		if _, err := s.Claim(t.Context(), edge+"x", clk.Now().Add(time.Minute)); err == nil {
			t.Error("a 2049-byte id was claimed")
		}
	})
}
