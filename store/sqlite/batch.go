package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batchRows is how many rows one INSERT carries. Each statement execution is
// a cgo call and a trip through SQLite's VM; a 1,000-object submission writes
// several thousand rows, so they go in multi-row statements (SQLite's limit of
// 32,766 bound parameters is far above 100 rows of 10 columns).
const batchRows = 100

// batchInsert writes rows with multi-row INSERTs: head is the statement up to
// VALUES (e.g. "INSERT INTO t(a, b)"), cols the number of columns, row(i)
// the i-th row's values. Full batches share one prepared statement.
func batchInsert(ctx context.Context, tx *sql.Tx, head string, cols, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	stmtFor := func(rows int) string {
		return head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
	}
	var full *sql.Stmt
	if n >= batchRows {
		var err error
		if full, err = tx.PrepareContext(ctx, stmtFor(batchRows)); err != nil {
			return fmt.Errorf("prepare %s: %w", head, err)
		}
		defer full.Close()
	}
	args := make([]any, 0, batchRows*cols)
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		var err error
		if end-start == batchRows {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmtFor(end-start), args...)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", head, translate(err))
		}
	}
	return nil
}

// inChunk is how many values one IN (…) list binds.
const inChunk = 500

// inChunks calls fn for the values in chunks of at most inChunk, with the
// chunk's placeholders ("?,?,…") and arguments, so that a lookup of any
// number of ids stays within SQLite's cap on bound parameters.
func inChunks(values []string, fn func(placeholders string, args []any) error) error {
	for start := 0; start < len(values); start += inChunk {
		part := values[start:min(start+inChunk, len(values))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v
		}
		if err := fn("?"+strings.Repeat(",?", len(part)-1), args); err != nil {
			return err
		}
	}
	return nil
}
