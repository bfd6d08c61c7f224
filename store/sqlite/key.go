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

// SaveOrganizationKey implements sharing.KeyStore: the key, the change and
// its audit entry in one transaction.
func (db *DB) SaveOrganizationKey(ctx context.Context, armored string, ch sharing.KeyChange, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organization_keys(organization, armored, fingerprint, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(organization) DO UPDATE SET armored = excluded.armored, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
			ch.Organization, armored, ch.Fingerprint, formatTime(ch.At)); err != nil {
			return fmt.Errorf("save key of %s: %w", ch.Organization, err)
		}
		if err := insertKeyChange(ctx, tx, ch); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// RecordRegistryKey implements sharing.KeyStore.
func (db *DB) RecordRegistryKey(ctx context.Context, ch sharing.KeyChange, dropUploaded bool, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if dropUploaded {
			if _, err := tx.ExecContext(ctx, `DELETE FROM organization_keys WHERE organization = ?`, ch.Organization); err != nil {
				return fmt.Errorf("drop uploaded key of %s: %w", ch.Organization, err)
			}
		}
		if err := insertKeyChange(ctx, tx, ch); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

func insertKeyChange(ctx context.Context, tx *sql.Tx, ch sharing.KeyChange) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO key_changes(organization, at, fingerprint, source, actor) VALUES (?, ?, ?, ?, ?)`,
		ch.Organization, formatTime(ch.At), ch.Fingerprint, ch.Source, ch.Actor); err != nil {
		return fmt.Errorf("record key change of %s: %w", ch.Organization, err)
	}
	return nil
}

// FindKeyChanges implements sharing.KeyStore.
func (db *DB) FindKeyChanges(ctx context.Context, org string) ([]sharing.KeyChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT organization, at, fingerprint, source, actor FROM key_changes WHERE organization = ? ORDER BY seq`, org)
	if err != nil {
		return nil, fmt.Errorf("find key changes of %s: %w", org, err)
	}
	defer rows.Close()
	out := []sharing.KeyChange{}
	for rows.Next() {
		var (
			ch sharing.KeyChange
			at string
		)
		if err := rows.Scan(&ch.Organization, &at, &ch.Fingerprint, &ch.Source, &ch.Actor); err != nil {
			return nil, fmt.Errorf("scan key change: %w", err)
		}
		if ch.At, err = parseTime(at); err != nil {
			db.skip("key_changes", ch.Organization, err)
			continue
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}
