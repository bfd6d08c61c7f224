package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// AppendAudit implements sharing.Store.
func (db *DB) AppendAudit(ctx context.Context, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, ev) })
}

// appendAudit links a new entry to the last one inside tx. The single writer
// connection serializes appends, so the chain cannot fork.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, ev sharing.AuditEvent) error {
	var prev *sharing.AuditEntry
	var last sharing.AuditEntry
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last.Seq, &last.Hash)
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("read audit tail: %w", err)
	}
	e, err := sharing.NewAuditEntry(prev, ev, db.Now())
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, formatTime(e.At), e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// VerifyAudit implements sharing.Store, streaming the log in sequence order.
func (db *DB) VerifyAudit(ctx context.Context) (int64, *sharing.AuditBreak, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var v sharing.AuditVerifier
	for rows.Next() {
		var e sharing.AuditEntry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return v.Count(), nil, fmt.Errorf("scan audit entry: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return v.Count(), &sharing.AuditBreak{Seq: e.Seq, Reason: "unreadable time: " + err.Error()}, nil
		}
		if b := v.Check(e); b != nil {
			return v.Count(), b, nil
		}
	}
	if err := rows.Err(); err != nil {
		return v.Count(), nil, fmt.Errorf("read audit log: %w", err)
	}
	return v.Count(), nil, nil
}

// RevokeToken implements sharing.Store.
func (db *DB) RevokeToken(ctx context.Context, jti string, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO revoked_tokens(jti, revoked_at) VALUES (?, ?) ON CONFLICT(jti) DO NOTHING`, jti, formatTime(db.Now())); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// IsTokenRevoked implements sharing.Store.
func (db *DB) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM revoked_tokens WHERE jti = ?`, jti).Scan(&n); err != nil {
		return false, fmt.Errorf("check revoked token: %w", err)
	}
	return n > 0, nil
}
