package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.UserStore = (*DB)(nil)

// CreateUser implements sharing.UserStore.
func (db *DB) CreateUser(ctx context.Context, u sharing.User, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users(username, organization, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.Organization, string(u.Role), u.PasswordHash, u.Disabled, formatTime(u.CreatedAt), formatTime(u.UpdatedAt))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return fmt.Errorf("user %s exists: %w", u.Username, sharing.ErrConflict)
			}
			return fmt.Errorf("insert user: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

const userColumns = `username, organization, role, password_hash, disabled, created_at, updated_at`

func scanUser(scan func(...any) error) (sharing.User, error) {
	var u sharing.User
	var role, created, updated string
	if err := scan(&u.Username, &u.Organization, &role, &u.PasswordHash, &u.Disabled, &created, &updated); err != nil {
		return u, err
	}
	u.Role = sharing.UserRole(role)
	var err error
	if u.CreatedAt, err = parseTime(created); err == nil {
		u.UpdatedAt, err = parseTime(updated)
	}
	return u, err
}

// FindUserByName implements sharing.UserStore.
func (db *DB) FindUserByName(ctx context.Context, username string) (sharing.User, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username)
	u, err := scanUser(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user %s: %w", username, sharing.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUsers implements sharing.UserStore.
func (db *DB) FindUsers(ctx context.Context, organization string) ([]sharing.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE ? = '' OR organization = ? ORDER BY username`, organization, organization)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	out := []sharing.User{}
	for rows.Next() {
		u, err := scanUser(rows.Scan)
		if err != nil {
			db.skip("users", u.Username, err)
			continue
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser implements sharing.UserStore.
func (db *DB) UpdateUser(ctx context.Context, u sharing.User, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, disabled = ?, updated_at = ? WHERE username = ?`,
			string(u.Role), u.PasswordHash, u.Disabled, formatTime(u.UpdatedAt), u.Username)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", u.Username, sharing.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = ?`, u.Username); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// CreateSession implements sharing.UserStore.
func (db *DB) CreateSession(ctx context.Context, s sharing.Session, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions(id, username, organization, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
			s.ID, s.Username, s.Organization, s.CSRF, formatTime(s.CreatedAt), formatTime(s.LastSeen)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return db.appendAudit(ctx, tx, ev)
	})
}

// FindSessionByID implements sharing.UserStore.
func (db *DB) FindSessionByID(ctx context.Context, id string) (sharing.Session, error) {
	s := sharing.Session{ID: id}
	var created, seen string
	err := db.read.QueryRowContext(ctx, `SELECT username, organization, csrf, created_at, last_seen FROM sessions WHERE id = ?`, id).
		Scan(&s.Username, &s.Organization, &s.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("session: %w", sharing.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("find session: %w", err)
	}
	if s.CreatedAt, err = parseTime(created); err == nil {
		s.LastSeen, err = parseTime(seen)
	}
	if err != nil {
		// An unreadable session signs nobody in.
		db.skip("sessions", id[:min(len(id), 12)], err)
		return s, fmt.Errorf("session: %w", sharing.ErrNotFound)
	}
	return s, nil
}

// TouchSession implements sharing.UserStore.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, formatTime(at), id); err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession implements sharing.UserStore.
func (db *DB) DeleteSession(ctx context.Context, id string, ev sharing.AuditEvent) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if ev.Action == "" {
			return nil
		}
		return db.appendAudit(ctx, tx, ev)
	})
}
