package sqlite

import (
	"context"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.AuditPageStore = (*DB)(nil)

// FindAuditPage implements sharing.AuditPageStore: a page of the log, newest
// first, by its primary key.
func (db *DB) FindAuditPage(ctx context.Context, before int64, limit int) ([]sharing.AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("find audit page: %w", err)
	}
	defer rows.Close()
	out := []sharing.AuditEntry{}
	for rows.Next() {
		e, err := scanAuditEntry(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
