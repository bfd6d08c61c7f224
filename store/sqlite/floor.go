package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// FloorRow is one object of the bench's floor: its id, version and JSON.
type FloorRow struct {
	ID, Version string
	JSON        []byte
}

// InsertFloor writes rows into a bare table of this database, in one
// transaction, one row per statement, with nothing else: the physical floor
// of intake that `kakehashi bench` compares the hub with (INTERFACES.md §7).
// It lives in the store so that the bench writes no SQL and the same floor
// can be measured on another store.
func (db *DB) InsertFloor(ctx context.Context, rows []FloorRow) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id TEXT NOT NULL, version TEXT NOT NULL, json BLOB NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID`); err != nil {
		return fmt.Errorf("floor table: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bench_floor(id, version, json) VALUES (?, ?, ?)`, r.ID, r.Version, r.JSON); err != nil {
				return fmt.Errorf("floor insert: %w", translate(err))
			}
		}
		return nil
	})
}
