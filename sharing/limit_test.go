package sharing

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 7, 10, 0, 0, 30, 0, time.UTC)
	l := NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if _, ok := l.Take("a"); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	wait, ok := l.Take("a")
	if ok || wait != 30*time.Second {
		t.Errorf("fourth take: %v %v, want refused for 30s (to the next window)", ok, wait)
	}
	if _, ok := l.Take("b"); !ok {
		t.Error("another key is limited too")
	}
	if _, over := l.Exceeded("a"); !over {
		t.Error("Exceeded does not see the used-up key")
	}
	now = now.Add(31 * time.Second)
	if _, ok := l.Take("a"); !ok {
		t.Error("the next window still refuses")
	}
	var none *Limiter
	if _, ok := none.Take("a"); !ok {
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
		if err := a.Admit("10.0.0.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		err := a.Failed(ctx, "10.0.0."+string(rune('1'+i)), "basic", "carrier-a", errors.New("no matching api key"))
		if (i < 2) != (err == nil) || (i == 2 && !errors.As(err, &rl)) {
			t.Errorf("failure %d of carrier-a: %v", i, err)
		}
	}
	if err := a.Admit("10.0.0.1"); err != nil {
		t.Errorf("10.0.0.1 failed once: %v", err)
	}
	_ = a.Failed(ctx, "10.0.0.1", "bearer", "", errors.New("bad token"))
	if err := a.Admit("10.0.0.1"); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
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
	if err := b.Request(org, "10.0.0.1", RequestIntake); err != nil {
		t.Fatal(err)
	}
	if err := b.Request(org, "10.0.0.2", RequestIntake); !errors.As(err, &rl) {
		t.Errorf("second intake of the organization from another address: %v", err)
	}
	if err := b.Request(nil, "10.0.0.1", RequestRead); err != nil {
		t.Errorf("first anonymous read: %v", err)
	}
	if err := b.Request(nil, "10.0.0.1", RequestRead); !errors.As(err, &rl) {
		t.Errorf("second anonymous read from the address: %v", err)
	}
}

func TestLimiterMaxKeys(t *testing.T) {
	l := NewLimiter(5, time.Minute)
	l.MaxKeys = 2
	l.Take("a")
	l.Take("b")
	if _, ok := l.Take("c"); ok {
		t.Error("a third key was counted past MaxKeys")
	}
	if _, ok := l.Take("a"); !ok {
		t.Error("a known key was refused")
	}
}
