// Package pgtest gives tests a throwaway PostgreSQL schema, as
// net/http/httptest gives them a server: the store's own tests and the
// hub's end-to-end tests over PostgreSQL share it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL returns the URL of a fresh schema of the test database, dropped at
// the end of the test, so that tests run in parallel without sharing rows.
// Without KAKEHASHI_TEST_DATABASE_URL the test is skipped, and fails in CI
// (CI=true), where .ci/run always provides one.
func URL(t testing.TB) string {
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
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
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
