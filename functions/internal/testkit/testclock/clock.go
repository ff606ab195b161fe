// Package testclock is the settable clock tests hand to code that takes a
// time source (func() time.Time): TTLs, backoffs, visibility timeouts and
// claim deadlines stepped through without sleeping. It imports nothing of
// ours, so any package's tests can use it. Only tests import it.
package testclock

import (
	"sync"
	"time"
)

// Clock is a time that moves only when told to. It is safe for concurrent
// use; the zero value reads the zero time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock reading start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time; pass c.Now as a time source.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
