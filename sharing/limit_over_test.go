package sharing

import (
	"context"
	"testing"
	"time"
)

// countingCounter is a shared counter that counts its calls and answers with
// a window of a fixed length left.
type countingCounter struct {
	MemoryRateCounter
	calls int
	left  time.Duration
}

func (c *countingCounter) CountRate(ctx context.Context, key string, window time.Duration, n int) (int, time.Duration, error) {
	c.calls++
	count, _, err := c.MemoryRateCounter.CountRate(ctx, key, window, n)
	return count, c.left, err
}

// TestLimiterRemembersOver: once the shared counter says a key used up its
// allowance, the limiter refuses that key without asking the counter again
// until the window ends (a flood costs the database nothing); other keys are
// still asked, and a key whose window has ended is asked again.
func TestLimiterRemembersOver(t *testing.T) {
	ctx := context.Background()
	c := &countingCounter{left: time.Minute}
	l := NewLimiter(3, time.Minute)
	l.Name, l.Counter = "read", c
	allowed := 0
	for range 10 {
		if _, ok := l.Take(ctx, "carrier-a"); ok {
			allowed++
		}
	}
	if wait, over := l.Exceeded(ctx, "carrier-a"); !over || wait <= 0 || wait > time.Minute {
		t.Errorf("Exceeded after the allowance: %v %v", wait, over)
	}
	if allowed != 3 || c.calls != 3 {
		t.Errorf("10 takes and a check: %d allowed after %d counter calls, want 3 after 3", allowed, c.calls)
	}
	if _, ok := l.Take(ctx, "carrier-b"); !ok || c.calls != 4 {
		t.Errorf("another key: allowed %v after %d calls", ok, c.calls)
	}

	ended := &countingCounter{left: 0} // the window ends as the counter answers
	l2 := NewLimiter(1, time.Minute)
	l2.Name, l2.Counter = "read", ended
	l2.Take(ctx, "carrier-a")
	l2.Take(ctx, "carrier-a")
	if ended.calls != 2 {
		t.Errorf("a key whose window ended was not asked again: %d calls", ended.calls)
	}
}

// TestAnonymousRequestsPerNetwork: callers without credentials are counted
// per address, IPv6 per /64, so that one network cannot take a fresh
// allowance per address.
func TestAnonymousRequestsPerNetwork(t *testing.T) {
	ctx := context.Background()
	a := &Access{Requests: map[string]*Limiter{RequestRead: NewLimiter(2, time.Minute)}}
	for _, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
		if err := a.Request(ctx, nil, addr, RequestRead); err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
	}
	if err := a.Request(ctx, nil, "2001:db8:1:2:aaaa::9", RequestRead); err == nil {
		t.Error("a third address of the same /64 got a fresh allowance")
	}
	if err := a.Request(ctx, nil, "2001:db8:1:3::1", RequestRead); err != nil {
		t.Errorf("another /64: %v", err)
	}
	if err := a.Request(ctx, nil, "192.0.2.1", RequestRead); err != nil {
		t.Errorf("an IPv4 address: %v", err)
	}
}
