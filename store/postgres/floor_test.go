package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// TestScratchSchemaAndFloor: the bench's schema is its own — a store opened
// on its URL migrates and writes there — the floor stores each object
// version once, and Drop leaves nothing behind.
func TestScratchSchemaAndFloor(t *testing.T) {
	ctx := context.Background()
	base := pgtest.URL(t)
	if _, err := CreateScratchSchema(ctx, base, "Bad-Prefix"); err == nil {
		t.Error("a prefix that is not a lowercase identifier was accepted")
	}
	s, err := CreateScratchSchema(ctx, base, "kakehashi_bench")
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil || schema != s.Name {
		t.Errorf("a store on the scratch URL works in schema %q (%v), want %q", schema, err, s.Name)
	}
	objs := []sharing.StoredObject{
		{ID: "indicator--1", Version: "2026-07-10T01:10:00.000Z", JSON: []byte(`{"id":"indicator--1"}`)},
		{ID: "indicator--1", Version: "2026-07-11T01:10:00.000Z", JSON: []byte(`{"id":"indicator--1","v":2}`)},
	}
	if err := db.InsertFloor(ctx, objs); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertFloor(ctx, objs[:1]); !errors.Is(err, sharing.ErrConflict) {
		t.Errorf("the same version again: %v, want ErrConflict", err)
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM `+s.Name+`.bench_floor`).Scan(&n); err != nil || n != 2 {
		t.Errorf("floor holds %d rows (%v), want 2", n, err)
	}
	db.Close()
	if err := s.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	probe := openURL(t, base)
	var left bool
	if err := probe.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.Name).Scan(&left); err != nil || left {
		t.Errorf("schema %s still there after Drop (%v)", s.Name, err)
	}
}

// TestAnalyze: Analyze refreshes the statistics of this schema's tables only.
func TestAnalyze(t *testing.T) {
	ctx := context.Background()
	db, other := openTest(t), openTest(t)
	for _, d := range []*DB{db, other} {
		if err := d.InsertFloor(ctx, []sharing.StoredObject{{ID: "indicator--1", Version: "v", JSON: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(d *DB) (analyzed, all int) {
		t.Helper()
		if err := d.pool.QueryRow(ctx, `SELECT count(last_analyze), count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema()`).Scan(&analyzed, &all); err != nil {
			t.Fatal(err)
		}
		return analyzed, all
	}
	if analyzed, all := count(db); all < 10 || analyzed != all {
		t.Errorf("Analyze: %d of the schema's %d tables analyzed, want all", analyzed, all)
	}
	if analyzed, _ := count(other); analyzed != 0 {
		t.Errorf("Analyze touched %d tables of another schema", analyzed)
	}
}
