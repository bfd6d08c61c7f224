package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var (
	_ sharing.AuditAppender  = (*DB)(nil)
	_ sharing.AuditPageStore = (*DB)(nil)
	_ sharing.TokenStore     = (*DB)(nil)
)

// AppendAudit implements sharing.AuditAppender.
func (db *DB) AppendAudit(ctx context.Context, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return db.appendAudit(ctx, tx, ev) })
}

// appendAudit links a new entry to the last one inside tx. Every hub
// appends to the same chain: the transaction advisory lock makes appends
// take turns until each commits, so two hubs never link to the same head
// (the chain cannot fork) and the primary key on seq would refuse it if
// they did. The lock is held to the end of the transaction, so a
// transaction that appends should do so last, after its slow work.
func (db *DB) appendAudit(ctx context.Context, tx pgx.Tx, ev sharing.AuditEvent) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.auditKey); err != nil {
		return fmt.Errorf("lock audit log: %w", err)
	}
	var prev *sharing.AuditEntry
	var last sharing.AuditEntry
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last.Seq, &last.Hash)
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("read audit tail: %w", err)
	}
	e, err := sharing.NewAuditEntry(prev, ev, db.Now())
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

const auditColumns = `seq, at, actor, action, subject, detail, prev_hash, hash`

func scanAuditEntry(row pgx.Row) (sharing.AuditEntry, error) {
	var e sharing.AuditEntry
	err := row.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// VerifyAudit implements sharing.AuditStore, streaming the log in sequence
// order in one snapshot.
func (db *DB) VerifyAudit(ctx context.Context) (int64, *sharing.AuditBreak, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var v sharing.AuditVerifier
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return v.Count(), nil, fmt.Errorf("scan audit entry: %w", err)
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

// FindAuditHead implements sharing.AuditStore.
func (db *DB) FindAuditHead(ctx context.Context) (sharing.AuditEntry, error) {
	e, err := scanAuditEntry(db.pool.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	if err != nil {
		return e, fmt.Errorf("audit head: %w", translate(err))
	}
	return e, nil
}

// FindAuditEntry implements sharing.AuditStore.
func (db *DB) FindAuditEntry(ctx context.Context, seq int64) (sharing.AuditEntry, error) {
	e, err := scanAuditEntry(db.pool.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq = $1`, seq))
	if err != nil {
		return e, fmt.Errorf("audit entry %d: %w", seq, translate(err))
	}
	return e, nil
}

// FindAuditEvents implements sharing.AuditStore.
func (db *DB) FindAuditEvents(ctx context.Context, actions []string) ([]sharing.AuditEntry, error) {
	if len(actions) == 0 {
		return nil, nil
	}
	return db.auditEntries(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE action = ANY($1) ORDER BY seq`, actions)
}

// FindAuditPage implements sharing.AuditPageStore: newest first, by seq.
func (db *DB) FindAuditPage(ctx context.Context, before int64, limit int) ([]sharing.AuditEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	return db.auditEntries(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2`, before, limit)
}

func (db *DB) auditEntries(ctx context.Context, q string, args ...any) ([]sharing.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find audit entries: %w", err)
	}
	defer rows.Close()
	out := []sharing.AuditEntry{}
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find audit entries: %w", err)
	}
	return out, nil
}

// CreateAuditCheckpoint implements sharing.AuditStore.
func (db *DB) CreateAuditCheckpoint(ctx context.Context, cp sharing.AuditCheckpoint) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO audit_checkpoints(head_seq, head_hash, at, signature) VALUES ($1, $2, $3, $4)`,
		cp.HeadSeq, cp.HeadHash, stamp(cp.At), cp.Signature)
	if err != nil {
		return fmt.Errorf("store audit checkpoint: %w", err)
	}
	return nil
}

// FindAuditCheckpoints implements sharing.AuditStore.
func (db *DB) FindAuditCheckpoints(ctx context.Context) ([]sharing.AuditCheckpoint, error) {
	rows, err := db.pool.Query(ctx, `SELECT head_seq, head_hash, at, signature FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []sharing.AuditCheckpoint
	for rows.Next() {
		var cp sharing.AuditCheckpoint
		if err := rows.Scan(&cp.HeadSeq, &cp.HeadHash, &cp.At, &cp.Signature); err != nil {
			return nil, fmt.Errorf("scan audit checkpoint: %w", err)
		}
		cp.At = cp.At.UTC()
		out = append(out, cp)
	}
	return out, rows.Err()
}

// RevokeToken implements sharing.TokenStore.
func (db *DB) RevokeToken(ctx context.Context, jti string, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO revoked_tokens(jti, revoked_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING`, jti, stamp(db.Now())); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// IsTokenRevoked implements sharing.TokenStore.
func (db *DB) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var revoked bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1)`, jti).Scan(&revoked); err != nil {
		return false, fmt.Errorf("check revoked token: %w", err)
	}
	return revoked, nil
}
