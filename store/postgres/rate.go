package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.RateCounter = (*DB)(nil)

// windowSQL is the start of the current window of length $2 on the
// database's clock (date_bin, PostgreSQL 14): every hub counts in the same
// window however far apart their own clocks are.
const windowSQL = `(SELECT date_bin($2::interval, now(), timestamptz 'epoch') AS s) w`

// CountRate implements sharing.RateCounter with one row per key and window
// in rate_counters: one statement, so one round trip, and an upsert, so that
// concurrent adds from any number of hubs are all counted. Only the SHA-256
// of the window's length and the key is stored: keys name client addresses
// and usernames.
func (db *DB) CountRate(ctx context.Context, key string, window time.Duration, n int) (int, time.Duration, error) {
	if window < time.Microsecond || n < 0 {
		return 0, 0, fmt.Errorf("count rate: window %s must be at least 1µs and n %d not negative", window, n)
	}
	// Windows of different lengths can start at the same instant: the
	// length is part of what is hashed.
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s", window.Microseconds(), key))
	var count int
	var left time.Duration
	var err error
	if n == 0 {
		err = db.pool.QueryRow(ctx, `SELECT coalesce(r.count, 0), w.s + $2::interval - now() FROM `+windowSQL+`
			LEFT JOIN rate_counters r ON r.key = $1 AND r.window_start = w.s`, sum[:], window).Scan(&count, &left)
	} else {
		err = db.pool.QueryRow(ctx, `INSERT INTO rate_counters AS r (key, window_start, expires_at, count)
			SELECT $1, w.s, w.s + $2::interval, $3 FROM `+windowSQL+`
			ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + EXCLUDED.count
			RETURNING r.count, r.expires_at - now()`, sum[:], window, n).Scan(&count, &left)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("count rate: %w", err)
	}
	db.pruneRates(ctx)
	return count, left, nil
}

// Pruning of rate_counters: at most once a minute per hub, a bounded DELETE
// of expired rows rides on a CountRate call (an extra round trip for that
// one request). A batch that hit the bound is followed by another at the
// next call, so that a flood of distinct keys (addresses) is cleared as fast
// as it comes without one request paying for all of it.
const (
	pruneEvery = time.Minute
	pruneBatch = 5000
)

func (db *DB) pruneRates(ctx context.Context) {
	now := time.Now().UnixNano()
	next := db.nextPrune.Load()
	if now < next || !db.nextPrune.CompareAndSwap(next, now+int64(pruneEvery)) {
		return
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM rate_counters WHERE ctid = ANY(ARRAY(
		SELECT ctid FROM rate_counters WHERE expires_at < now() LIMIT $1))`, pruneBatch)
	if err != nil {
		db.logger().Warn("prune rate counters", "err", err)
		return
	}
	if tag.RowsAffected() == pruneBatch {
		db.nextPrune.Store(0)
	}
}
