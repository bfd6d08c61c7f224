package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.APIKeyStore = (*DB)(nil)

// CreateAPIKey implements sharing.APIKeyStore.
func (db *DB) CreateAPIKey(ctx context.Context, k sharing.APIKey, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO api_keys(id, organization, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.Organization, k.Hash, stamp(k.CreatedAt), stamp(k.ExpiresAt)); err != nil {
			return fmt.Errorf("insert api key: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// FindAPIKeys implements sharing.APIKeyStore.
func (db *DB) FindAPIKeys(ctx context.Context, org string) ([]sharing.APIKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, hash, created_at, expires_at FROM api_keys WHERE organization = $1 AND revoked_at IS NULL ORDER BY id`, org)
	if err != nil {
		return nil, fmt.Errorf("find api keys: %w", err)
	}
	defer rows.Close()
	out := []sharing.APIKey{}
	for rows.Next() {
		k := sharing.APIKey{Organization: org}
		if err := rows.Scan(&k.ID, &k.Hash, &k.CreatedAt, &k.ExpiresAt); err != nil {
			return nil, fmt.Errorf("scan api key: %w", err)
		}
		k.CreatedAt, k.ExpiresAt = k.CreatedAt.UTC(), k.ExpiresAt.UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey implements sharing.APIKeyStore.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = $1)`, id).Scan(&exists); err != nil {
			return fmt.Errorf("find api key: %w", err)
		}
		if !exists {
			return fmt.Errorf("no api key %s: %w", id, sharing.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, stamp(at), id); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}
