package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// testURL returns the URL of a fresh schema of the test database, dropped
// at the end of the test, so that tests run in parallel without sharing
// rows. Without KAKEHASHI_TEST_DATABASE_URL the test is skipped, and fails
// in CI (CI=true), where .ci/run always provides one.
func testURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("KAKEHASHI_TEST_DATABASE_URL")
	if base == "" {
		const msg = "PostgreSQL tests need KAKEHASHI_TEST_DATABASE_URL=postgres://… (a throwaway cluster: eval \"$(.ci/postgres start)\")"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to KAKEHASHI_TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // a runtime parameter of every connection
	q.Set("pool_max_conns", "4") // many tests share one server
	u.RawQuery = q.Encode()
	return u.String()
}

// openTest opens a store on a fresh schema.
func openTest(t *testing.T) *DB {
	t.Helper()
	return openURL(t, testURL(t))
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
