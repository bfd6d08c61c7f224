package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stamps: every channel entry and every intake entry gets a date_added of its
// own, strictly later than every one before it (TAXII 2.1 §3.4.1: a client may
// page by added_after alone). Stamps are taken inside the write transaction,
// and the store has one writer, so they increase in commit order, also across
// concurrent submissions: a reader that has seen a stamp has seen every entry
// with an earlier one.

// stamp returns the next date_added: now, or one microsecond after the last
// stamp when the clock has not moved on (or went back). Only the writer calls
// it, inside a transaction.
func (db *DB) stamp() time.Time { return db.stamps(1) }

// stamps takes n consecutive stamps, one microsecond apart, and returns the
// first: as n calls of stamp would when the clock does not move on between
// them. Intake stamps a run of channel entries so, which lets the store
// compute each entry's stamp from its position (insertEntries).
func (db *DB) stamps(n int) time.Time {
	db.stampMu.Lock()
	defer db.stampMu.Unlock()
	t := db.Now().UTC().Truncate(time.Microsecond)
	if !t.After(db.lastStamp) {
		t = db.lastStamp.Add(time.Microsecond)
	}
	db.lastStamp = t.Add(time.Duration(n-1) * time.Microsecond)
	return t
}

// loadLastStamp starts the stamps after the latest date_added stored.
func (db *DB) loadLastStamp(ctx context.Context) error {
	for _, table := range []string{"channel_entries", "taxii_intake"} {
		var last sql.NullString
		if err := db.write.QueryRowContext(ctx, "SELECT max(date_added) FROM "+table).Scan(&last); err != nil {
			return fmt.Errorf("latest date_added of %s: %w", table, err)
		}
		if !last.Valid {
			continue
		}
		t, err := parseTime(last.String)
		if err != nil {
			return err
		}
		if t.After(db.lastStamp) {
			db.lastStamp = t
		}
	}
	return nil
}

// restamp gives rows stored before migration 0008 distinct stamps, once: in
// each table, in (date_added, seq) order, every row gets max(its own time,
// the previous row's + 1µs). Order is kept; a row only ever moves later, so
// a client that had read past it may read it again, never miss it.
func (db *DB) restamp(ctx context.Context) error {
	var pending int
	if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM restamp_pending").Scan(&pending); err != nil {
		return fmt.Errorf("check restamp: %w", err)
	}
	if pending == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"channel_entries", "taxii_intake"} {
			rows, err := tx.QueryContext(ctx, "SELECT seq, date_added FROM "+table+" ORDER BY date_added, seq")
			if err != nil {
				return fmt.Errorf("restamp %s: %w", table, err)
			}
			type row struct {
				seq int64
				at  time.Time
			}
			var all []row
			for rows.Next() {
				var r row
				var at string
				if err := rows.Scan(&r.seq, &at); err != nil {
					rows.Close()
					return err
				}
				if r.at, err = parseTime(at); err != nil {
					rows.Close()
					return err
				}
				all = append(all, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			upd, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET date_added = ? WHERE seq = ?")
			if err != nil {
				return err
			}
			var prev time.Time
			for _, r := range all {
				at := r.at
				if !at.After(prev) {
					at = prev.Add(time.Microsecond)
				}
				prev = at
				if at.Equal(r.at) {
					continue
				}
				if _, err := upd.ExecContext(ctx, formatTime(at), r.seq); err != nil {
					upd.Close()
					return fmt.Errorf("restamp %s %d: %w", table, r.seq, err)
				}
			}
			upd.Close()
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM restamp_pending")
		return err
	})
}
