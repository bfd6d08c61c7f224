package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

var _ sharing.AuditStore = (*DB)(nil)

func scanAuditEntry(scan func(...any) error) (sharing.AuditEntry, error) {
	var e sharing.AuditEntry
	var at string
	if err := scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	var err error
	e.At, err = parseTime(at)
	return e, err
}

const auditColumns = `seq, at, actor, action, subject, detail, prev_hash, hash`

const checkpointColumns = `head_seq, head_hash, at, signature`

func scanAuditCheckpoint(scan func(...any) error) (sharing.AuditCheckpoint, error) {
	var cp sharing.AuditCheckpoint
	var at string
	if err := scan(&cp.HeadSeq, &cp.HeadHash, &at, &cp.Signature); err != nil {
		return cp, err
	}
	var err error
	cp.At, err = parseTime(at)
	return cp, err
}

// FindAuditHead implements sharing.AuditStore.
func (db *DB) FindAuditHead(ctx context.Context) (sharing.AuditEntry, error) {
	e, err := scanAuditEntry(db.read.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan)
	if err != nil {
		return e, fmt.Errorf("audit head: %w", translate(err))
	}
	return e, nil
}

// FindAuditEntry implements sharing.AuditStore.
func (db *DB) FindAuditEntry(ctx context.Context, seq int64) (sharing.AuditEntry, error) {
	e, err := scanAuditEntry(db.read.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq = ?`, seq).Scan)
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
	args := make([]any, len(actions))
	for i, a := range actions {
		args[i] = a
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE action IN (?`+strings.Repeat(",?", len(actions)-1)+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("find audit events: %w", err)
	}
	defer rows.Close()
	var out []sharing.AuditEntry
	for rows.Next() {
		e, err := scanAuditEntry(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CreateAuditCheckpoint implements sharing.AuditStore.
func (db *DB) CreateAuditCheckpoint(ctx context.Context, cp sharing.AuditCheckpoint) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO audit_checkpoints(head_seq, head_hash, at, signature) VALUES (?, ?, ?, ?)`,
		cp.HeadSeq, cp.HeadHash, formatTime(cp.At), cp.Signature)
	if err != nil {
		return fmt.Errorf("store audit checkpoint: %w", err)
	}
	return nil
}

// FindAuditCheckpoints implements sharing.AuditStore.
func (db *DB) FindAuditCheckpoints(ctx context.Context) ([]sharing.AuditCheckpoint, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []sharing.AuditCheckpoint
	for rows.Next() {
		cp, err := scanAuditCheckpoint(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan audit checkpoint: %w", err)
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// EachChannelEntry implements sharing.AuditStore, streaming the table.
func (db *DB) EachChannelEntry(ctx context.Context, fn func(sharing.ChannelEntryKey) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT e.seq, e.submission_id, e.channel, e.object_id, e.recipients, e.status, j.json
		FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id ORDER BY e.seq`)
	if err != nil {
		return fmt.Errorf("read channel entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k sharing.ChannelEntryKey
		var ch, status string
		var rec sql.NullString
		if err := rows.Scan(&k.Seq, &k.SubmissionID, &ch, &k.ObjectID, &rec, &status, &k.JSON); err != nil {
			return fmt.Errorf("scan channel entry: %w", err)
		}
		k.Channel, k.Status = sharing.Channel(ch), sharing.ReleaseStatus(status)
		if rec.Valid {
			if err := json.Unmarshal([]byte(rec.String), &k.Recipients); err != nil {
				return fmt.Errorf("channel entry %d recipients: %w", k.Seq, err)
			}
			if k.Recipients == nil {
				k.Recipients = []string{}
			}
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return rows.Err()
}
