package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// TestLeaderTakeover: of two hubs over one database one leads; the other
// does not while it lives, and takes over once the leader is closed (its
// session, and with it the advisory lock, gone).
func TestLeaderTakeover(t *testing.T) {
	u := pgtest.URL(t)
	ctx := context.Background()
	a, b := openURL(t, u), openURL(t, u)
	if ok, err := a.Lead(ctx); err != nil || !ok {
		t.Fatalf("first hub: Lead = %v, %v; want the lead", ok, err)
	}
	for range 2 {
		if ok, err := a.Lead(ctx); err != nil || !ok {
			t.Fatalf("leader asked again: Lead = %v, %v; want it kept", ok, err)
		}
		if ok, err := b.Lead(ctx); err != nil || ok {
			t.Fatalf("second hub while the first leads: Lead = %v, %v; want false", ok, err)
		}
	}
	// Another schema is another deployment: its hubs elect their own leader.
	other := openTest(t)
	if ok, err := other.Lead(ctx); err != nil || !ok {
		t.Fatalf("hub of another schema: Lead = %v, %v; want the lead", ok, err)
	}
	a.Close()
	if ok, err := a.Lead(ctx); err != nil || ok {
		t.Fatalf("closed hub: Lead = %v, %v; want false", ok, err)
	}
	if ok, err := b.Lead(ctx); err != nil || !ok {
		t.Fatalf("second hub after the leader closed: Lead = %v, %v; want the lead", ok, err)
	}
}

// TestLeaderConnectionLost: when the leader's session ends under it (the
// server terminates it, as when the connection breaks), its next Lead says
// so and another hub takes the lead.
func TestLeaderConnectionLost(t *testing.T) {
	u := pgtest.URL(t)
	ctx := context.Background()
	a, b := openURL(t, u), openURL(t, u)
	if ok, err := a.Lead(ctx); err != nil || !ok {
		t.Fatalf("Lead = %v, %v", ok, err)
	}
	a.leadMu.Lock()
	pid := a.leader.PgConn().PID()
	a.leadMu.Unlock()
	if _, err := b.pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	// The backend exits asynchronously: wait until it is gone.
	for i := 0; ; i++ {
		var n int
		if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, pid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if i > 500 {
			t.Fatal("terminated backend still listed after 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ok, _ := a.Lead(ctx); ok {
		t.Fatal("leader whose session was terminated still leads")
	}
	if ok, err := b.Lead(ctx); err != nil || !ok {
		t.Fatalf("second hub after the leader's session ended: Lead = %v, %v", ok, err)
	}
}
