package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.APIKeyStore = (*DB)(nil)

// CreateAPIKey implements sharing.APIKeyStore.
func (db *DB) CreateAPIKey(ctx context.Context, k sharing.APIKey, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys(id, organization, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			k.ID, k.Organization, k.Hash, formatTime(k.CreatedAt), formatTime(k.ExpiresAt)); err != nil {
			return fmt.Errorf("insert api key: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// FindAPIKeys implements sharing.APIKeyStore.
func (db *DB) FindAPIKeys(ctx context.Context, org string) ([]sharing.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, hash, created_at, expires_at FROM api_keys WHERE organization = ? AND revoked_at IS NULL ORDER BY id`, org)
	if err != nil {
		return nil, fmt.Errorf("find api keys: %w", err)
	}
	defer rows.Close()
	out := []sharing.APIKey{}
	for rows.Next() {
		k := sharing.APIKey{Organization: org}
		var created, expires string
		if err := rows.Scan(&k.ID, &k.Hash, &created, &expires); err != nil {
			return nil, fmt.Errorf("scan api key: %w", err)
		}
		if k.CreatedAt, err = parseTime(created); err == nil {
			k.ExpiresAt, err = parseTime(expires)
		}
		if err != nil {
			db.skip("api_keys", k.ID, err) // an unreadable key matches nothing
			continue
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey implements sharing.APIKeyStore.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_keys WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("find api key: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("no api key %s: %w", id, sharing.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, formatTime(at), id); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}
