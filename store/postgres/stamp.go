package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Positions in TAXII collections: every channel entry and every intake entry
// gets a date_added of its own, strictly later than every one before, and a
// seq from its table's identity. Both are taken under the audit advisory
// lock (lockPositions), which is held until the transaction ends, so commit
// order is position order on every hub: a reader that sees a position has
// seen every lower one, and keyset paging by (date_added, seq) alternating
// between hubs neither skips nor repeats (docs/deployment.md). The stamps
// come from the database's clock, so clock skew between hub machines does
// not matter.

// lockPositions takes the transaction advisory lock that orders positions
// and audit appends; it is re-entrant, appendAudit takes it again.
func (db *DB) lockPositions(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.auditKey); err != nil {
		return fmt.Errorf("lock positions: %w", err)
	}
	return nil
}

// stamps reserves n consecutive stamps (n > 0), one microsecond apart, and
// returns the first: now, or one microsecond after the last stamp when the
// clock has not moved on. The caller holds lockPositions.
func (db *DB) stamps(ctx context.Context, tx pgx.Tx, n int) (time.Time, error) {
	var first time.Time
	err := tx.QueryRow(ctx, `UPDATE taxii_clock SET last = greatest(clock_timestamp(), last + interval '1 microsecond') + ($1::int - 1) * interval '1 microsecond'
		RETURNING last - ($1::int - 1) * interval '1 microsecond'`, n).Scan(&first)
	if err != nil {
		return time.Time{}, fmt.Errorf("take stamps: %w", err)
	}
	return first.UTC(), nil
}
