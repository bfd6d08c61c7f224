package sharing

import (
	"fmt"
	"sync"
	"time"
)

// RateLimitedError is a request refused because its key (a client address, a
// credential, an organization) used up its allowance; RetryAfter says when the
// next one is allowed.
type RateLimitedError struct {
	What       string
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many %s; retry after %s", e.What, e.RetryAfter.Round(time.Second))
}

// Limiter counts events per key in fixed windows: at most Max events per key
// in each Window. It keeps no more than a window's keys (older windows are
// dropped as a whole), so memory is bounded by the keys seen in one window.
// A nil *Limiter allows everything.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time
	// MaxKeys caps the keys counted in one window (0: 100,000): past it, a
	// new key is treated as over its allowance, so that a flood of distinct
	// keys cannot grow memory without bound.
	MaxKeys int

	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

// NewLimiter returns a limiter of max events per window; max ≤ 0 is no limit (nil).
func NewLimiter(max int, window time.Duration) *Limiter {
	if max <= 0 || window <= 0 {
		return nil
	}
	return &Limiter{Max: max, Window: window, Now: time.Now}
}

func (l *Limiter) full(key string) bool {
	max := l.MaxKeys
	if max <= 0 {
		max = 100000
	}
	_, seen := l.counts[key]
	return !seen && len(l.counts) >= max
}

func (l *Limiter) roll(now time.Time) {
	if l.counts == nil || now.Sub(l.start) >= l.Window || now.Before(l.start) {
		l.start, l.counts = now.Truncate(l.Window), map[string]int{}
	}
}

// check counts one event of key when count is set and the allowance is not
// used up; it reports how long until the next window and whether the key is
// over its allowance.
func (l *Limiter) check(key string, count bool) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	l.roll(now)
	if l.counts[key] >= l.Max || l.full(key) {
		return l.start.Add(l.Window).Sub(now), true
	}
	if count {
		l.counts[key]++
	}
	return 0, false
}

// Exceeded reports whether key has used up its allowance in this window, and
// how long until the next window, without counting an event.
func (l *Limiter) Exceeded(key string) (time.Duration, bool) { return l.check(key, false) }

// Add counts one event of key (none past the allowance: it is used up anyway).
func (l *Limiter) Add(key string) { l.check(key, true) }

// Take counts one event of key unless its allowance is used up, in which case
// it returns how long until the next window and false.
func (l *Limiter) Take(key string) (time.Duration, bool) {
	wait, over := l.check(key, true)
	return wait, !over
}
