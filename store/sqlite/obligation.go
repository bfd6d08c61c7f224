package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/internal/rowjson"
)

var _ reporting.Store = (*DB)(nil)

// FindObligationByID implements reporting.Store.
func (db *DB) FindObligationByID(ctx context.Context, id string) (reporting.Obligation, error) {
	var raw []byte
	err := db.read.QueryRowContext(ctx, `SELECT json FROM obligations WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return reporting.Obligation{}, fmt.Errorf("obligation %s: %w", id, reporting.ErrNotFound)
	}
	if err != nil {
		return reporting.Obligation{}, fmt.Errorf("find obligation %s: %w", id, err)
	}
	return rowjson.DecodeObligation(raw)
}

// FindObligations implements reporting.Store: ordered by due date (undated
// first), then id.
func (db *DB) FindObligations(ctx context.Context, f reporting.ObligationFilter) ([]reporting.Obligation, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.ID != nil {
		add("id = ?", *f.ID)
	}
	if f.IncidentID != nil {
		add("incident_id = ?", *f.IncidentID)
	}
	if f.Organization != nil {
		add("organization = ?", *f.Organization)
	}
	if f.Kind != nil {
		add("kind = ?", string(*f.Kind))
	}
	if f.Status != nil {
		add("status = ?", string(*f.Status))
	}
	if f.DueBefore != nil {
		add("due IS NOT NULL AND due <= ?", f.DueBefore.String())
	}
	q := "SELECT id, json FROM obligations"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY due IS NOT NULL, due, id"
	if f.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find obligations: %w", err)
	}
	defer rows.Close()
	out := []reporting.Obligation{}
	for rows.Next() {
		var (
			id  string
			raw []byte
		)
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("scan obligation: %w", err)
		}
		o, err := rowjson.DecodeObligation(raw)
		if err != nil {
			db.skip("obligations", id, err)
			continue
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find obligations: %w", err)
	}
	return out, nil
}

// CreateObligations implements reporting.Store.
func (db *DB) CreateObligations(ctx context.Context, obls []reporting.Obligation) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, o := range obls {
			if err := insertObligation(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateObligation implements reporting.Store.
func (db *DB) UpdateObligation(ctx context.Context, o reporting.Obligation) (reporting.Obligation, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error { return updateObligation(ctx, tx, o) })
	if err != nil {
		return reporting.Obligation{}, err
	}
	return db.FindObligationByID(ctx, o.ID)
}

func insertObligation(ctx context.Context, tx *sql.Tx, o reporting.Obligation) error {
	raw, err := rowjson.EncodeObligation(o)
	if err != nil {
		return fmt.Errorf("encode obligation %s: %w", o.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO obligations(id, incident_id, organization, kind, status, due, created_at, updated_at, json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.IncidentID, o.Organization, string(o.Kind), string(o.Status), dueColumn(o),
		formatTime(o.CreatedAt), formatTime(o.UpdatedAt), raw)
	if err != nil {
		err = translate(err)
		if errors.Is(err, sharing.ErrConflict) {
			return fmt.Errorf("obligation %s exists: %w", o.ID, reporting.ErrConflict)
		}
		return fmt.Errorf("insert obligation %s: %w", o.ID, err)
	}
	return nil
}

func updateObligation(ctx context.Context, tx *sql.Tx, o reporting.Obligation) error {
	raw, err := rowjson.EncodeObligation(o)
	if err != nil {
		return fmt.Errorf("encode obligation %s: %w", o.ID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE obligations SET status = ?, due = ?, updated_at = ?, json = ? WHERE id = ?`,
		string(o.Status), dueColumn(o), formatTime(o.UpdatedAt), raw, o.ID)
	if err != nil {
		return fmt.Errorf("update obligation %s: %w", o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("obligation %s: %w", o.ID, reporting.ErrNotFound)
	}
	return nil
}

// upsertObligations writes the merged obligations of a classification inside
// the intake transaction.
func upsertObligations(ctx context.Context, tx *sql.Tx, obls []reporting.Obligation) error {
	for _, o := range obls {
		err := updateObligation(ctx, tx, o)
		if errors.Is(err, reporting.ErrNotFound) {
			err = insertObligation(ctx, tx, o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func dueColumn(o reporting.Obligation) any {
	if o.Due == nil || o.Due.IsZero() {
		return nil
	}
	return o.Due.String()
}
