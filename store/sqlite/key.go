package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// FindOrganizationKey implements sharing.KeyStore.
func (db *DB) FindOrganizationKey(ctx context.Context, org string) (string, error) {
	var armored string
	err := db.read.QueryRowContext(ctx, `SELECT armored FROM organization_keys WHERE organization = ?`, org).Scan(&armored)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("uploaded key of %s: %w", org, sharing.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("find key of %s: %w", org, err)
	}
	return armored, nil
}

// SaveOrganizationKey implements sharing.KeyStore: the key and its audit
// entry in one transaction.
func (db *DB) SaveOrganizationKey(ctx context.Context, org, armored, fingerprint string, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organization_keys(organization, armored, fingerprint, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(organization) DO UPDATE SET armored = excluded.armored, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
			org, armored, fingerprint, formatTime(db.Now())); err != nil {
			return fmt.Errorf("save key of %s: %w", org, err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}
