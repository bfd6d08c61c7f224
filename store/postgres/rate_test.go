package postgres

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// TestRateCounterConformance runs the counter contract that sharing's
// in-memory counter runs too.
func TestRateCounterConformance(t *testing.T) {
	storetest.RunRateCounter(t, func(t *testing.T) sharing.RateCounter { return openTest(t) })
}

// TestRateLimitAcrossHubs: limiters of two hubs over one database share one
// allowance per key, and the table keeps no key in clear.
func TestRateLimitAcrossHubs(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	a, b := openURL(t, u), openURL(t, u)
	limit := func(db *DB) *sharing.Limiter {
		l := sharing.NewLimiter(4, time.Hour)
		l.Name, l.Counter = "auth-failures", db
		return l
	}
	la, lb := limit(a), limit(b)
	key := "user yamada@example.jp 10.0.0.1"
	var allowed []bool
	for i := range 6 {
		l := la
		if i%2 == 1 {
			l = lb
		}
		_, ok := l.Take(ctx, key)
		allowed = append(allowed, ok)
	}
	if want := []bool{true, true, true, true, false, false}; !slices.Equal(allowed, want) {
		t.Errorf("6 takes alternating between two hubs with a limit of 4: %v, want %v", allowed, want)
	}
	if wait, over := la.Exceeded(ctx, key); !over || wait <= 0 || wait > time.Hour {
		t.Errorf("Exceeded on hub A after hub B's take: %v %v", wait, over)
	}
	var clear bool
	if err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rate_counters WHERE position($1::bytea IN key) > 0)`, []byte("yamada")).Scan(&clear); err != nil || clear {
		t.Errorf("rate_counters holds the key in clear (%v)", err)
	}
}

// TestLimiterWhenDatabaseFails: with the database gone, a limiter over it
// still limits, in the process's memory, and logs the failure.
func TestLimiterWhenDatabaseFails(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	l := sharing.NewLimiter(2, time.Minute)
	l.Name, l.Counter, l.Log = "read", db, slog.New(slog.NewTextHandler(&logged, nil))
	if _, ok := l.Take(ctx, "carrier-a"); !ok {
		t.Fatal("first take refused")
	}
	db.Close()
	var allowed int
	for range 4 {
		if _, ok := l.Take(ctx, "carrier-a"); ok {
			allowed++
		}
	}
	if allowed != 2 || !strings.Contains(logged.String(), "rate limit counter failed") {
		t.Errorf("4 takes on a closed database: %d allowed, want 2 (counted in memory); log: %s", allowed, logged.String())
	}
}

// TestRateCountersPruned: expired windows are deleted, current ones kept.
func TestRateCountersPruned(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, k := range []string{"a", "b", "c"} {
		if _, _, err := db.CountRate(ctx, k, time.Hour, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO rate_counters(key, window_start, expires_at, count)
		SELECT decode(md5(g::text), 'hex'), now() - interval '2 minutes', now() - interval '1 minute', 1 FROM generate_series(1, $1) g`, pruneBatch+10); err != nil {
		t.Fatal(err)
	}
	rows := func() (n int) {
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM rate_counters`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The first count above pruned (nothing had expired yet) and put the
	// next prune a minute off: make it due now; a full batch then makes
	// the next call prune again.
	db.nextPrune.Store(0)
	db.CountRate(ctx, "a", time.Hour, 0)
	if got := rows(); got != 3+10 {
		t.Errorf("after one prune: %d rows, want 13 (a batch of %d deleted)", got, pruneBatch)
	}
	db.CountRate(ctx, "a", time.Hour, 0)
	if got := rows(); got != 3 {
		t.Errorf("after the second prune: %d rows, want the 3 current", got)
	}
	db.CountRate(ctx, "a", time.Hour, 1)
	if next := db.nextPrune.Load(); next < time.Now().Add(30*time.Second).UnixNano() {
		t.Error("a prune that found less than a batch did not wait a minute")
	}
}

// BenchmarkLimiterPostgres is one Limiter.Take (an upsert) and one
// Limiter.Exceeded (a read) over the database, one round trip each;
// BenchmarkLimiterMemory in sharing is Take in memory.
func BenchmarkLimiterPostgres(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l := sharing.NewLimiter(1<<30, time.Minute)
	l.Name, l.Counter = "read", db
	b.Run("take", func(b *testing.B) {
		for b.Loop() {
			l.Take(ctx, "carrier-a")
		}
	})
	b.Run("exceeded", func(b *testing.B) {
		for b.Loop() {
			l.Exceeded(ctx, "addr 10.0.0.1")
		}
	})
}
