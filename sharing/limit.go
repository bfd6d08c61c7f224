package sharing

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
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

// RateCounter counts events per key in fixed windows: consecutive intervals of
// a given length on the counter's own clock. One
// counter may serve several processes (store/postgres keeps the counts in the
// database, so that every hub of a deployment counts against one allowance);
// MemoryRateCounter serves one.
type RateCounter interface {
	// CountRate adds n (n ≥ 0; 0 only reads) to key's count in the current
	// window of the given length, and returns the count after the addition
	// and how long the window has left. Adds from any number of callers at
	// once are all counted. An error means nothing is known about the count
	// (the database did not answer); the caller decides what to allow.
	CountRate(ctx context.Context, key string, window time.Duration, n int) (count int, left time.Duration, err error)
}

// Limiter counts events per key in fixed windows: at most Max events per key
// in each Window. The counts are kept by Counter (shared by every hub of a
// deployment over PostgreSQL) or, without one, in this process's memory.
// A nil *Limiter allows everything.
//
// When Counter fails (the database is unreachable or slow), the Limiter
// counts that event in this process's memory instead and logs it (at most
// once a minute): neither failing open, which would let guessing through
// while the database struggles, nor failing closed, which would lock everyone
// out. While Counter fails, each hub also counts in its own memory, which
// starts from zero: a client spreading its requests over N hubs, or whose
// requests alternate between a failing and an answering Counter, gets at most
// (N + 1) × Max in a window.
//
// A key a shared Counter has answered to be over its allowance is remembered
// in this process until its window ends: further requests with it are
// refused without a round trip to the database, so a flood costs the
// database nothing and holds no lock on the key's row.
type Limiter struct {
	Max    int
	Window time.Duration
	// Name tells this limiter's keys from other limiters' in a shared
	// Counter ("auth-failures", "intake", …).
	Name string
	// Counter keeps the counts; nil: this process's memory.
	Counter RateCounter
	// Timeout bounds one call of Counter before falling back to memory
	// (0: 2 s).
	Timeout time.Duration
	// Log receives Counter failures; nil: slog.Default().
	Log *slog.Logger
	// Now is the clock of the in-memory counts (nil: time.Now); a shared
	// Counter uses its own (the database's).
	Now func() time.Time
	// MaxKeys caps the keys counted in memory in one window (0: 100,000).
	MaxKeys int

	memOnce  sync.Once
	mem      *MemoryRateCounter
	lastWarn atomic.Int64 // Unix seconds of the last logged Counter failure

	overMu sync.Mutex
	over   map[string]time.Time // keys the Counter found over their allowance, until their window ends
}

// maxOverKeys bounds the keys remembered over their allowance; past it, a
// key is asked of the Counter again (correct, only slower).
const maxOverKeys = 10000

// knownOver reports whether key is remembered over its allowance, and until when.
func (l *Limiter) knownOver(key string, now time.Time) (time.Time, bool) {
	l.overMu.Lock()
	defer l.overMu.Unlock()
	until, ok := l.over[key]
	return until, ok && now.Before(until)
}

func (l *Limiter) rememberOver(key string, until, now time.Time) {
	l.overMu.Lock()
	defer l.overMu.Unlock()
	if l.over == nil {
		l.over = map[string]time.Time{}
	}
	if len(l.over) >= maxOverKeys {
		for k, t := range l.over {
			if !now.Before(t) {
				delete(l.over, k)
			}
		}
		if len(l.over) >= maxOverKeys {
			return
		}
	}
	l.over[key] = until
}

// NewLimiter returns a limiter of max events per window; max ≤ 0 is no limit (nil).
func NewLimiter(max int, window time.Duration) *Limiter {
	if max <= 0 || window <= 0 {
		return nil
	}
	return &Limiter{Max: max, Window: window, Now: time.Now}
}

func (l *Limiter) memory() *MemoryRateCounter {
	l.memOnce.Do(func() { l.mem = &MemoryRateCounter{Now: l.Now, MaxKeys: l.MaxKeys} })
	return l.mem
}

// count adds n events of key and returns its count and the time left in
// the window, from Counter or, when it fails or is nil, from memory.
func (l *Limiter) count(ctx context.Context, key string, n int) (int, time.Duration) {
	if l.Counter != nil {
		now := time.Now()
		if until, over := l.knownOver(key, now); over {
			return l.Max + n, until.Sub(now) // counts only grow within a window
		}
		timeout := l.Timeout
		if timeout <= 0 {
			timeout = 2 * time.Second
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		c, left, err := l.Counter.CountRate(cctx, l.Name+"\x00"+key, l.Window, n)
		cancel()
		if err == nil {
			if c >= l.Max {
				l.rememberOver(key, now.Add(left), now)
			}
			return c, left
		}
		if ctx.Err() == nil { // not a client that went away
			l.warn(err)
		}
	}
	c, left, _ := l.memory().CountRate(ctx, key, l.Window, n)
	return c, left
}

func (l *Limiter) warn(err error) {
	now := time.Now().Unix()
	last := l.lastWarn.Load()
	if now-last < 60 || !l.lastWarn.CompareAndSwap(last, now) {
		return
	}
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.Error("rate limit counter failed: counting in this hub's memory until it answers (each hub then limits on its own)",
		"limit", l.Name, "err", err)
}

// Exceeded reports whether key has used up its allowance in this window, and
// how long until the next window, without counting an event.
func (l *Limiter) Exceeded(ctx context.Context, key string) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	c, left := l.count(ctx, key, 0)
	return left, c >= l.Max
}

// Add counts one event of key.
func (l *Limiter) Add(ctx context.Context, key string) {
	if l != nil {
		l.count(ctx, key, 1)
	}
}

// Take counts one event of key and reports whether it was within the
// allowance; when not, it also returns how long until the next window.
func (l *Limiter) Take(ctx context.Context, key string) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	c, left := l.count(ctx, key, 1)
	if c > l.Max {
		return left, false
	}
	return 0, true
}

// MemoryRateCounter is a RateCounter in this process's memory: the counts of
// a hub alone on its data (SQLite), and a Limiter's fallback. It keeps only
// the current window of each window length (older windows are dropped as a
// whole), so memory is bounded by the keys seen in one window.
type MemoryRateCounter struct {
	// Now is its clock; nil: time.Now.
	Now func() time.Time
	// MaxKeys caps the keys counted in one window (0: 100,000): past it, a
	// new key counts as math.MaxInt32 (over any allowance), so that a flood
	// of distinct keys cannot grow memory without bound.
	MaxKeys int

	mu      sync.Mutex
	windows map[time.Duration]*memoryWindow
}

type memoryWindow struct {
	start  time.Time
	counts map[string]int
}

var _ RateCounter = (*MemoryRateCounter)(nil)

// CountRate implements RateCounter; it never fails.
func (m *MemoryRateCounter) CountRate(_ context.Context, key string, window time.Duration, n int) (int, time.Duration, error) {
	if window <= 0 || n < 0 {
		return 0, 0, fmt.Errorf("count rate: window %s must be positive and n %d not negative", window, n)
	}
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.windows == nil {
		m.windows = map[time.Duration]*memoryWindow{}
	}
	w := m.windows[window]
	if w == nil || now.Sub(w.start) >= window || now.Before(w.start) {
		w = &memoryWindow{start: now.Truncate(window), counts: map[string]int{}}
		m.windows[window] = w
	}
	left := w.start.Add(window).Sub(now)
	c, seen := w.counts[key]
	max := m.MaxKeys
	if max <= 0 {
		max = 100000
	}
	if !seen && len(w.counts) >= max {
		return math.MaxInt32, left, nil
	}
	if n > 0 {
		c += n
		w.counts[key] = c
	}
	return c, left, nil
}
