package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// InsertFloor writes the objects' id, version and JSON into a bare table of
// this database's schema, in one transaction, with nothing else: the
// physical floor of intake that `kakehashi bench --database` compares the
// hub with (INTERFACES.md §7), as store/sqlite's InsertFloor does on SQLite.
// The rows go in one statement of arrays (unnest), the way this store
// writes objects (CreateSubmission): a statement per row would time the
// round trips to the server rather than the database.
func (db *DB) InsertFloor(ctx context.Context, objs []sharing.StoredObject) error {
	if _, err := db.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id text NOT NULL, version text NOT NULL, json bytea NOT NULL, PRIMARY KEY (id, version))`); err != nil {
		return fmt.Errorf("floor table: %w", err)
	}
	ids, versions, bodies := make([]string, len(objs)), make([]string, len(objs)), make([][]byte, len(objs))
	for i, o := range objs {
		ids[i], versions[i], bodies[i] = o.ID, o.Version, o.JSON
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bench_floor(id, version, json) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])`,
			ids, versions, bodies); err != nil {
			return fmt.Errorf("floor insert: %w", translate(err))
		}
		return nil
	})
}
