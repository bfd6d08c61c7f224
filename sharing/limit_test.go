package sharing

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 7, 10, 0, 0, 30, 0, time.UTC)
	l := NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if _, ok := l.Take(ctx, "a"); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	wait, ok := l.Take(ctx, "a")
	if ok || wait != 30*time.Second {
		t.Errorf("fourth take: %v %v, want refused for 30s (to the next window)", ok, wait)
	}
	if _, ok := l.Take(ctx, "b"); !ok {
		t.Error("another key is limited too")
	}
	if _, over := l.Exceeded(ctx, "a"); !over {
		t.Error("Exceeded does not see the used-up key")
	}
	now = now.Add(31 * time.Second)
	if _, ok := l.Take(ctx, "a"); !ok {
		t.Error("the next window still refuses")
	}
	var none *Limiter
	if _, ok := none.Take(ctx, "a"); !ok {
		t.Error("a nil limiter refuses")
	}
	if NewLimiter(0, time.Minute) != nil {
		t.Error("a zero limit is not 'no limit'")
	}
}

type auditLog struct{ events []AuditEvent }

func (a *auditLog) AppendAudit(_ context.Context, ev AuditEvent) error {
	a.events = append(a.events, ev)
	return nil
}

// TestAccessFailures: failures count per address and per credential; an
// address over its limit is refused before its credentials are checked, a
// credential over its limit gets 429 instead of 401 for its failures (the
// right secret still works), and every failure is audited without its secret.
func TestAccessFailures(t *testing.T) {
	log := &auditLog{}
	a := &Access{Failures: NewLimiter(2, time.Minute), Audit: log}
	ctx := context.Background()
	var rl *RateLimitedError
	for i := range 3 {
		if err := a.Admit(ctx, "10.0.0.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		err := a.Failed(ctx, "10.0.0."+string(rune('1'+i)), "basic", "carrier-a", errors.New("no matching api key"))
		if (i < 2) != (err == nil) || (i == 2 && !errors.As(err, &rl)) {
			t.Errorf("failure %d of carrier-a: %v", i, err)
		}
	}
	if err := a.Admit(ctx, "10.0.0.1"); err != nil {
		t.Errorf("10.0.0.1 failed once: %v", err)
	}
	_ = a.Failed(ctx, "10.0.0.1", "bearer", "", errors.New("bad token"))
	if err := a.Admit(ctx, "10.0.0.1"); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Errorf("the address after 2 failures: %v", err)
	}
	if len(log.events) != 4 || log.events[0].Action != AuditAuthFailed || log.events[0].Detail["address"] != "10.0.0.1" {
		t.Errorf("audit = %+v", log.events)
	}
	long := strings.Repeat("x", 5000)
	_ = a.Failed(ctx, "10.0.0.9", "basic", long, errors.New("unknown"))
	if got := log.events[len(log.events)-1].Subject; len(got) != 64 {
		t.Errorf("audit subject of a 5,000-byte user: %d bytes", len(got))
	}
	b := &Access{Requests: map[string]*Limiter{RequestIntake: NewLimiter(1, time.Minute), RequestRead: NewLimiter(1, time.Minute)}}
	org := &Organization{ID: "carrier-a"}
	if err := b.Request(ctx, org, "10.0.0.1", RequestIntake); err != nil {
		t.Fatal(err)
	}
	if err := b.Request(ctx, org, "10.0.0.2", RequestIntake); !errors.As(err, &rl) {
		t.Errorf("second intake of the organization from another address: %v", err)
	}
	if err := b.Request(ctx, nil, "10.0.0.1", RequestRead); err != nil {
		t.Errorf("first anonymous read: %v", err)
	}
	if err := b.Request(ctx, nil, "10.0.0.1", RequestRead); !errors.As(err, &rl) {
		t.Errorf("second anonymous read from the address: %v", err)
	}
}

func TestLimiterMaxKeys(t *testing.T) {
	ctx := context.Background()
	l := NewLimiter(5, time.Minute)
	l.MaxKeys = 2
	l.Add(ctx, "a")
	l.Add(ctx, "b")
	if _, ok := l.Take(ctx, "c"); ok {
		t.Error("a third key was counted past MaxKeys")
	}
	if _, ok := l.Take(ctx, "a"); !ok {
		t.Error("a known key was refused")
	}
}

// failingCounter is a shared counter whose database does not answer.
type failingCounter struct{ calls int }

func (f *failingCounter) CountRate(context.Context, string, time.Duration, int) (int, time.Duration, error) {
	f.calls++
	return 0, 0, errors.New("connection refused")
}

// TestLimiterFallsBackToMemory: when the shared counter fails, the limiter
// neither lets everything through nor refuses everything: it counts in
// memory, so the limit still holds in this process, and says so in the log
// (once, not per request).
func TestLimiterFallsBackToMemory(t *testing.T) {
	ctx := context.Background()
	var logged strings.Builder
	f := &failingCounter{}
	l := NewLimiter(3, time.Minute)
	l.Name, l.Counter, l.Log = "intake", f, slog.New(slog.NewTextHandler(&logged, nil))
	var allowed int
	for range 5 {
		if _, ok := l.Take(ctx, "carrier-a"); ok {
			allowed++
		}
	}
	if allowed != 3 || f.calls != 5 {
		t.Errorf("5 takes with a failing counter: %d allowed after %d counter calls, want 3 after 5", allowed, f.calls)
	}
	if wait, over := l.Exceeded(ctx, "carrier-a"); !over || wait <= 0 {
		t.Errorf("Exceeded with a failing counter: %v %v", wait, over)
	}
	if n := strings.Count(logged.String(), "rate limit counter failed"); n != 1 || !strings.Contains(logged.String(), "connection refused") {
		t.Errorf("log after 6 failures (%d reports): %s", n, logged.String())
	}
}

// TestLimitersShareACounter: limiters of different names keep apart counts
// of the same key in one counter, and each sees the others' events of its
// own name (as hubs sharing a database do).
func TestLimitersShareACounter(t *testing.T) {
	ctx := context.Background()
	shared := &MemoryRateCounter{}
	hubA, hubB := NewLimiter(2, time.Minute), NewLimiter(2, time.Minute)
	reads := NewLimiter(2, time.Minute)
	for _, l := range []*Limiter{hubA, hubB} {
		l.Name, l.Counter = "intake", shared
	}
	reads.Name, reads.Counter = "read", shared
	hubA.Take(ctx, "carrier-a")
	hubB.Take(ctx, "carrier-a")
	if _, ok := hubA.Take(ctx, "carrier-a"); ok {
		t.Error("the third intake over two limiters of one counter was allowed")
	}
	if _, ok := reads.Take(ctx, "carrier-a"); !ok {
		t.Error("another limiter's events count against the read limit")
	}
}

func BenchmarkLimiterMemory(b *testing.B) {
	ctx := context.Background()
	l := NewLimiter(1<<30, time.Minute)
	for b.Loop() {
		l.Take(ctx, "carrier-a")
	}
}
