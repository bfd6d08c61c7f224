package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.UserStore = (*DB)(nil)

// CreateUser implements sharing.UserStore.
func (db *DB) CreateUser(ctx context.Context, u sharing.User, ev sharing.AuditEvent) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO users(username, organization, role, password_hash, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.Username, u.Organization, string(u.Role), u.PasswordHash, u.Disabled, stamp(u.CreatedAt), stamp(u.UpdatedAt)); err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
	if errors.Is(err, sharing.ErrConflict) {
		return fmt.Errorf("user %s exists: %w", u.Username, sharing.ErrConflict)
	}
	return err
}

const userColumns = `username, organization, role, password_hash, disabled, created_at, updated_at`

func scanUser(row pgx.Row) (sharing.User, error) {
	var u sharing.User
	var role string
	err := row.Scan(&u.Username, &u.Organization, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
	u.Role, u.CreatedAt, u.UpdatedAt = sharing.UserRole(role), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// FindUserByName implements sharing.UserStore.
func (db *DB) FindUserByName(ctx context.Context, username string) (sharing.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("user %s: %w", username, sharing.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUsers implements sharing.UserStore.
func (db *DB) FindUsers(ctx context.Context, organization string) ([]sharing.User, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE $1 = '' OR organization = $1 ORDER BY username`, organization)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	out := []sharing.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser implements sharing.UserStore.
func (db *DB) UpdateUser(ctx context.Context, u sharing.User, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET role = $1, password_hash = $2, disabled = $3, updated_at = $4 WHERE username = $5`,
			string(u.Role), u.PasswordHash, u.Disabled, stamp(u.UpdatedAt), u.Username)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %s: %w", u.Username, sharing.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE username = $1`, u.Username); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// CreateSession implements sharing.UserStore.
func (db *DB) CreateSession(ctx context.Context, s sharing.Session, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sessions(id, username, organization, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.ID, s.Username, s.Organization, s.CSRF, stamp(s.CreatedAt), stamp(s.LastSeen)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// FindSessionByID implements sharing.UserStore. Sessions are rows, so a
// browser signed in through one hub is signed in on every hub.
func (db *DB) FindSessionByID(ctx context.Context, id string) (sharing.Session, error) {
	s := sharing.Session{ID: id}
	err := db.pool.QueryRow(ctx, `SELECT username, organization, csrf, created_at, last_seen FROM sessions WHERE id = $1`, id).
		Scan(&s.Username, &s.Organization, &s.CSRF, &s.CreatedAt, &s.LastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("session: %w", sharing.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("find session: %w", err)
	}
	s.CreatedAt, s.LastSeen = s.CreatedAt.UTC(), s.LastSeen.UTC()
	return s, nil
}

// TouchSession implements sharing.UserStore. Every hub touches the one row,
// so the idle timeout runs from the last use on any hub; a hub whose clock
// lags another's never moves last_seen back, and one whose clock runs ahead
// of the database's cannot move it into the future (which would lengthen
// the idle timeout on every hub).
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen = greatest(last_seen, least($1, now())) WHERE id = $2`, stamp(at), id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession implements sharing.UserStore.
func (db *DB) DeleteSession(ctx context.Context, id string, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if ev.Action == "" {
			return nil
		}
		return db.appendAudit(ctx, tx, ev)
	})
}
