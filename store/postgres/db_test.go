package postgres

import (
	"context"
	"testing"

	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// openTest opens a store on a fresh schema.
func openTest(t *testing.T) *DB {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

func openURL(t *testing.T, u string) *DB {
	t.Helper()
	db, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance runs the store contract shared with store/sqlite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return tamperable{openTest(t)} })
}

// tamperable lets the suite alter the audit log behind the store's back.
type tamperable struct{ *DB }

func (d tamperable) TamperAuditDetail(t *testing.T, seq int64, detail string) {
	t.Helper()
	ctx := context.Background()
	// The trigger refuses updates; the table's owner can disable it first.
	for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`, `UPDATE audit_log SET detail = $1 WHERE seq = $2`} {
		var args []any
		if q[0] == 'U' {
			args = []any{detail, seq}
		}
		if _, err := d.pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
