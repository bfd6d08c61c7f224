package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestInsertFloor: the bench's floor stores each object version once, in a
// table of its own.
func TestInsertFloor(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "floor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM bench_floor`).Scan(&n); err != nil || n != 2 {
		t.Errorf("floor holds %d rows (%v), want 2", n, err)
	}
}
