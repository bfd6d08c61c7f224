package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestTouchSessionNeverBack: a hub whose clock lags another's touches a
// session with an earlier time; last_seen keeps the later one, so the idle
// timeout is not shortened by whichever hub saw the last request.
func TestTouchSessionNeverBack(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateUser(ctx, sharing.User{Username: "yamada", Organization: "carrier-a", Role: sharing.UserViewer, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}, sharing.AuditEvent{}); err != nil {
		t.Fatal(err)
	}
	s := sharing.Session{ID: "s1", Username: "yamada", Organization: "carrier-a", CSRF: "c", CreatedAt: t0, LastSeen: t0}
	if err := db.CreateSession(ctx, s, sharing.AuditEvent{Actor: "carrier-a/yamada", Action: sharing.AuditSignIn, Subject: "yamada"}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{t0.Add(2 * time.Minute), t0.Add(time.Minute)} {
		if err := db.TouchSession(ctx, "s1", at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FindSessionByID(ctx, "s1")
	if err != nil || !got.LastSeen.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("last_seen after touches at +2 min then +1 min = %v, %v; want +2 min", got.LastSeen, err)
	}
	// A hub whose clock runs an hour ahead of the database's.
	if err := db.TouchSession(ctx, "s1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = db.FindSessionByID(ctx, "s1")
	if err != nil || got.LastSeen.After(time.Now().Add(time.Minute)) {
		t.Errorf("last_seen after a touch from a clock an hour ahead = %v, %v; want the database's now", got.LastSeen, err)
	}
}
