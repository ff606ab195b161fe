package testclock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/functions/internal/testkit/testclock"
)

func TestClockMovesOnlyWhenTold(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 14, 7, 41, 0, time.UTC)
	c := testclock.New(start)
	if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { c.Add(time.Second); _ = c.Now() })
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(100*time.Second); !got.Equal(want) {
		t.Errorf("after 100 concurrent Add(1s): %v, want %v", got, want)
	}
}
