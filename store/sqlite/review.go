package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.ReviewStore = (*DB)(nil)

// FindHeldCopies implements sharing.ReviewStore: copies waiting for their
// submitter's release, newest first, without their content.
func (db *DB) FindHeldCopies(ctx context.Context, limit int) ([]sharing.HeldCopy, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.submission_id, s.organization, s.received_at, c.route
		FROM submission_copies c JOIN submissions s ON s.id = c.submission_id
		WHERE c.status = 'held' ORDER BY s.received_at DESC, c.submission_id, c.idx LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("find held copies: %w", err)
	}
	defer rows.Close()
	out := []sharing.HeldCopy{}
	for rows.Next() {
		var (
			h               sharing.HeldCopy
			received, route string
		)
		if err := rows.Scan(&h.SubmissionID, &h.Organization, &received, &route); err != nil {
			return nil, fmt.Errorf("scan held copy: %w", err)
		}
		var r sharing.Route
		if h.ReceivedAt, err = parseTime(received); err == nil {
			err = json.Unmarshal([]byte(route), &r)
		}
		if err != nil {
			db.skip("submission_copies", h.SubmissionID, err)
			continue
		}
		h.Channel = r.Channel
		out = append(out, h)
	}
	return out, rows.Err()
}
