package interpreter

import (
	"context"
	"sync"
	"time"
)

// Clock is the time source of an execution: Wait states and Retry intervals
// sleep on it, and timestamps in the context object and history come from it.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

// TimerClock is a Clock that also runs timers. The timeouts and heartbeats
// of Task states (TimeoutSeconds, HeartbeatSeconds), which bound the time
// a task's resolver runs, use AfterFunc when the execution's clock has it
// and real time otherwise: a VirtualClock does not move while a task runs
// (see the package documentation), so it has no timers.
type TimerClock interface {
	Clock
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer of a TimerClock; *time.Timer is one.
type Timer interface {
	Stop() bool
	Reset(d time.Duration) bool
}

// RealClock is wall-clock time. It is the default.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// VirtualClock is simulated time for tests and dry runs: Sleep returns at
// once, moving the clock forward by d. It records every sleep. Concurrent
// sleepers (Parallel branches, Map items) each advance the same clock, so
// their waits add up rather than overlap.
type VirtualClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewVirtualClock returns a virtual clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the virtual time by d.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// Sleeps returns the durations slept so far, in order.
func (c *VirtualClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
