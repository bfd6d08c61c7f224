package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// InsertFloor writes the objects' id, version and JSON into a bare table of
// this database, in one transaction, one row per statement, with nothing
// else: the physical floor of intake that `kakehashi bench` compares the hub
// with (INTERFACES.md §7). It lives in the store so that the bench writes no
// SQL; store/postgres has its own, so the same floor is measured there.
func (db *DB) InsertFloor(ctx context.Context, objs []sharing.StoredObject) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id TEXT NOT NULL, version TEXT NOT NULL, json BLOB NOT NULL, PRIMARY KEY (id, version)) WITHOUT ROWID`); err != nil {
		return fmt.Errorf("floor table: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, o := range objs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bench_floor(id, version, json) VALUES (?, ?, ?)`, o.ID, o.Version, o.JSON); err != nil {
				return fmt.Errorf("floor insert: %w", translate(err))
			}
		}
		return nil
	})
}
