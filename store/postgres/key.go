package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.KeyStore = (*DB)(nil)

// FindOrganizationKey implements sharing.KeyStore.
func (db *DB) FindOrganizationKey(ctx context.Context, org string) (string, error) {
	var armored string
	err := db.pool.QueryRow(ctx, `SELECT armored FROM organization_keys WHERE organization = $1`, org).Scan(&armored)
	if errors.Is(err, pgx.ErrNoRows) {
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
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO organization_keys(organization, armored, fingerprint, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (organization) DO UPDATE SET armored = excluded.armored, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
			ch.Organization, armored, ch.Fingerprint, stamp(ch.At)); err != nil {
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
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if dropUploaded {
			if _, err := tx.Exec(ctx, `DELETE FROM organization_keys WHERE organization = $1`, ch.Organization); err != nil {
				return fmt.Errorf("drop uploaded key of %s: %w", ch.Organization, err)
			}
		}
		if err := insertKeyChange(ctx, tx, ch); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

func insertKeyChange(ctx context.Context, tx pgx.Tx, ch sharing.KeyChange) error {
	if _, err := tx.Exec(ctx, `INSERT INTO key_changes(organization, at, fingerprint, source, actor) VALUES ($1, $2, $3, $4, $5)`,
		ch.Organization, stamp(ch.At), ch.Fingerprint, ch.Source, ch.Actor); err != nil {
		return fmt.Errorf("record key change of %s: %w", ch.Organization, err)
	}
	return nil
}

// FindKeyChanges implements sharing.KeyStore.
func (db *DB) FindKeyChanges(ctx context.Context, org string) ([]sharing.KeyChange, error) {
	rows, err := db.pool.Query(ctx, `SELECT organization, at, fingerprint, source, actor FROM key_changes WHERE organization = $1 ORDER BY seq`, org)
	if err != nil {
		return nil, fmt.Errorf("find key changes of %s: %w", org, err)
	}
	defer rows.Close()
	out := []sharing.KeyChange{}
	for rows.Next() {
		var ch sharing.KeyChange
		if err := rows.Scan(&ch.Organization, &ch.At, &ch.Fingerprint, &ch.Source, &ch.Actor); err != nil {
			return nil, fmt.Errorf("scan key change: %w", err)
		}
		ch.At = ch.At.UTC()
		out = append(out, ch)
	}
	return out, rows.Err()
}
