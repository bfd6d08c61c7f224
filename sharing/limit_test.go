package sharing

import (
	"context"
	"errors"
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

// TestAccessFailures: failures count per address and per credential, the
// next attempt is refused whatever it carries, and every failure is audited
// without its secret.
func TestAccessFailures(t *testing.T) {
	log := &auditLog{}
	a := &Access{Failures: NewLimiter(2, time.Minute), Audit: log}
	ctx := context.Background()
	for range 2 {
		if err := a.Admit("10.0.0.1", "carrier-a"); err != nil {
			t.Fatal(err)
		}
		if err := a.Failed(ctx, "10.0.0.1", "basic", "carrier-a", errors.New("no matching api key")); err != nil {
			t.Fatal(err)
		}
	}
	var rl *RateLimitedError
	if err := a.Admit("10.0.0.1", ""); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Errorf("the address after 2 failures: %v", err)
	}
	if err := a.Admit("10.0.0.2", "carrier-a"); !errors.As(err, &rl) {
		t.Errorf("the credential from another address: %v", err)
	}
	if err := a.Admit("10.0.0.2", "carrier-b"); err != nil {
		t.Errorf("another address and credential: %v", err)
	}
	if len(log.events) != 2 || log.events[0].Action != AuditAuthFailed || log.events[0].Detail["address"] != "10.0.0.1" {
		t.Errorf("audit = %+v", log.events)
	}
	b := &Access{Requests: map[string]*Limiter{RequestIntake: NewLimiter(1, time.Minute)}}
	org := &Organization{ID: "carrier-a"}
	if err := b.Request(org, RequestIntake); err != nil {
		t.Fatal(err)
	}
	if err := b.Request(org, RequestIntake); !errors.As(err, &rl) {
		t.Errorf("second intake: %v", err)
	}
	if err := b.Request(org, RequestRead); err != nil {
		t.Errorf("reads have no limiter here: %v", err)
	}
}
