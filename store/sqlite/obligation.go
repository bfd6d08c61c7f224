package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
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
	return decodeObligation(raw)
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
		o, err := decodeObligation(raw)
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

// obligationRow is how the store keeps an obligation in obligations.json:
// the store's own row type, so that a change to the API's encoding of
// reporting.Obligation (INTERFACES.md §5) never changes what is stored or
// makes stored rows unreadable. Its field names are those rows were first
// written with (the API's, before this type), so every stored row reads.
type obligationRow struct {
	ID           string     `json:"id,omitempty"`
	IncidentID   string     `json:"incident_id,omitempty"`
	Organization string     `json:"organization,omitempty"`
	Kind         string     `json:"kind"`
	Recipient    string     `json:"recipient"`
	Form         *string    `json:"form"`
	Urgency      string     `json:"urgency,omitempty"`
	DueRaw       string     `json:"due_raw,omitempty"` // YYYY-MM-DD; empty when undated
	Due          string     `json:"due,omitempty"`
	Status       string     `json:"status"`
	SubsumedBy   string     `json:"subsumed_by,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	MetReference string     `json:"met_reference,omitempty"`
	MetAt        *time.Time `json:"met_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at,omitzero"`
	UpdatedAt    time.Time  `json:"updated_at,omitzero"`
}

func obligationRowOf(o reporting.Obligation) obligationRow {
	return obligationRow{ID: o.ID, IncidentID: o.IncidentID, Organization: o.Organization, Kind: string(o.Kind),
		Recipient: o.Recipient, Form: o.Form, Urgency: string(o.Urgency), DueRaw: dateColumn(o.DueRaw), Due: dateColumn(o.Due),
		Status: string(o.Status), SubsumedBy: string(o.SubsumedBy), Reason: o.Reason, MetReference: o.MetReference,
		MetAt: o.MetAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func (r obligationRow) obligation() (reporting.Obligation, error) {
	o := reporting.Obligation{ID: r.ID, IncidentID: r.IncidentID, Organization: r.Organization, Kind: reporting.Kind(r.Kind),
		Recipient: r.Recipient, Form: r.Form, Urgency: reporting.Urgency(r.Urgency), Status: reporting.Status(r.Status),
		SubsumedBy: reporting.Kind(r.SubsumedBy), Reason: r.Reason, MetReference: r.MetReference, MetAt: r.MetAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	var err error
	if o.DueRaw, err = parseDateColumn(r.DueRaw); err != nil {
		return o, fmt.Errorf("due_raw: %w", err)
	}
	if o.Due, err = parseDateColumn(r.Due); err != nil {
		return o, fmt.Errorf("due: %w", err)
	}
	return o, nil
}

func encodeObligation(o reporting.Obligation) ([]byte, error) {
	return json.Marshal(obligationRowOf(o))
}

func insertObligation(ctx context.Context, tx *sql.Tx, o reporting.Obligation) error {
	raw, err := encodeObligation(o)
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
	raw, err := encodeObligation(o)
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

func decodeObligation(raw []byte) (reporting.Obligation, error) {
	var r obligationRow
	if err := json.Unmarshal(raw, &r); err != nil {
		return reporting.Obligation{}, fmt.Errorf("decode stored obligation: %w", err)
	}
	o, err := r.obligation()
	if err != nil {
		return o, fmt.Errorf("decode stored obligation %s: %w", r.ID, err)
	}
	return o, nil
}

// dateColumn writes a date of a row as YYYY-MM-DD, "" when there is none.
func dateColumn(d *reporting.Date) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDateColumn(s string) (*reporting.Date, error) {
	if s == "" {
		return nil, nil
	}
	d, err := reporting.ParseDate(s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
