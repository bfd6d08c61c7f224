package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ reporting.Store = (*DB)(nil)

// obligationColumns are an obligation's columns in the order obligationRow
// binds and scans them.
const obligationColumns = `id, incident_id, organization, kind, recipient, form, urgency, due_raw, due, status,
	subsumed_by, reason, met_reference, met_at, created_at, updated_at`

// obligationRow is an obligation as stored: one column per field (the issue
// asks that domain values are not stored as their API encoding).
type obligationRow struct {
	ID, IncidentID, Organization, Kind, Recipient string
	Form                                          pgtype.Text
	Urgency                                       string
	DueRaw, Due                                   pgtype.Date
	Status, SubsumedBy, Reason, MetReference      string
	MetAt                                         pgtype.Timestamptz
	CreatedAt, UpdatedAt                          time.Time
}

func toRow(o reporting.Obligation) obligationRow {
	r := obligationRow{ID: o.ID, IncidentID: o.IncidentID, Organization: o.Organization, Kind: string(o.Kind), Recipient: o.Recipient,
		Urgency: string(o.Urgency), DueRaw: pgDate(o.DueRaw), Due: pgDate(o.Due), Status: string(o.Status), SubsumedBy: string(o.SubsumedBy),
		Reason: o.Reason, MetReference: o.MetReference, CreatedAt: stamp(o.CreatedAt), UpdatedAt: stamp(o.UpdatedAt)}
	if o.Form != nil {
		r.Form = pgtype.Text{String: *o.Form, Valid: true}
	}
	if o.MetAt != nil {
		r.MetAt = pgtype.Timestamptz{Time: stamp(*o.MetAt), Valid: true}
	}
	return r
}

func (r obligationRow) args() []any {
	return []any{r.ID, r.IncidentID, r.Organization, r.Kind, r.Recipient, r.Form, r.Urgency, r.DueRaw, r.Due, r.Status,
		r.SubsumedBy, r.Reason, r.MetReference, r.MetAt, r.CreatedAt, r.UpdatedAt}
}

func scanObligation(row pgx.Row) (reporting.Obligation, error) {
	var r obligationRow
	if err := row.Scan(&r.ID, &r.IncidentID, &r.Organization, &r.Kind, &r.Recipient, &r.Form, &r.Urgency, &r.DueRaw, &r.Due, &r.Status,
		&r.SubsumedBy, &r.Reason, &r.MetReference, &r.MetAt, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return reporting.Obligation{}, err
	}
	o := reporting.Obligation{ID: r.ID, IncidentID: r.IncidentID, Organization: r.Organization, Kind: reporting.Kind(r.Kind),
		Recipient: r.Recipient, Urgency: reporting.Urgency(r.Urgency), DueRaw: domainDate(r.DueRaw), Due: domainDate(r.Due),
		Status: reporting.Status(r.Status), SubsumedBy: reporting.Kind(r.SubsumedBy), Reason: r.Reason, MetReference: r.MetReference,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Form.Valid {
		o.Form = &r.Form.String
	}
	if r.MetAt.Valid {
		t := r.MetAt.Time.UTC()
		o.MetAt = &t
	}
	return o, nil
}

// pgDate stores a legal date (a calendar day in Japan) as a date, without
// a zone.
func pgDate(d *reporting.Date) pgtype.Date {
	if d == nil || d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

func domainDate(d pgtype.Date) *reporting.Date {
	if !d.Valid {
		return nil
	}
	x := reporting.NewDate(d.Time.Year(), d.Time.Month(), d.Time.Day())
	return &x
}

// FindObligationByID implements reporting.Store.
func (db *DB) FindObligationByID(ctx context.Context, id string) (reporting.Obligation, error) {
	o, err := scanObligation(db.pool.QueryRow(ctx, `SELECT `+obligationColumns+` FROM obligations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return reporting.Obligation{}, fmt.Errorf("obligation %s: %w", id, reporting.ErrNotFound)
	}
	if err != nil {
		return reporting.Obligation{}, fmt.Errorf("find obligation %s: %w", id, err)
	}
	return o, nil
}

// FindObligations implements reporting.Store: ordered by due date (undated
// first), then id.
func (db *DB) FindObligations(ctx context.Context, f reporting.ObligationFilter) ([]reporting.Obligation, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ID != nil {
		add("id = $%d", *f.ID)
	}
	if f.IncidentID != nil {
		add("incident_id = $%d", *f.IncidentID)
	}
	if f.Organization != nil {
		add("organization = $%d", *f.Organization)
	}
	if f.Kind != nil {
		add("kind = $%d", string(*f.Kind))
	}
	if f.Status != nil {
		add("status = $%d", string(*f.Status))
	}
	if f.DueBefore != nil {
		add("due <= $%d", pgDate(f.DueBefore))
	}
	q := `SELECT ` + obligationColumns + ` FROM obligations`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY due IS NOT NULL, due, id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)+1, len(args)+2)
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find obligations: %w", err)
	}
	defer rows.Close()
	out := []reporting.Obligation{}
	for rows.Next() {
		o, err := scanObligation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan obligation: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find obligations: %w", err)
	}
	return out, nil
}

// CreateObligations implements reporting.Store: all of the batch or none.
func (db *DB) CreateObligations(ctx context.Context, obls []reporting.Obligation) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
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
	var out reporting.Obligation
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if err := updateObligation(ctx, tx, o); err != nil {
			return err
		}
		var err error
		out, err = scanObligation(tx.QueryRow(ctx, `SELECT `+obligationColumns+` FROM obligations WHERE id = $1`, o.ID))
		return err
	})
	if err != nil {
		return reporting.Obligation{}, err
	}
	return out, nil
}

func insertObligation(ctx context.Context, tx pgx.Tx, o reporting.Obligation) error {
	_, err := tx.Exec(ctx, `INSERT INTO obligations(`+obligationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, toRow(o).args()...)
	if err != nil {
		if errors.Is(translate(err), sharing.ErrConflict) {
			return fmt.Errorf("obligation %s exists: %w", o.ID, reporting.ErrConflict)
		}
		return fmt.Errorf("insert obligation %s: %w", o.ID, err)
	}
	return nil
}

// updateObligation replaces the mutable fields (reporting.Store.UpdateObligation).
func updateObligation(ctx context.Context, tx pgx.Tx, o reporting.Obligation) error {
	r := toRow(o)
	tag, err := tx.Exec(ctx, `UPDATE obligations SET status = $1, subsumed_by = $2, reason = $3, due_raw = $4, due = $5,
		met_reference = $6, met_at = $7, updated_at = $8 WHERE id = $9`,
		r.Status, r.SubsumedBy, r.Reason, r.DueRaw, r.Due, r.MetReference, r.MetAt, r.UpdatedAt, r.ID)
	if err != nil {
		return fmt.Errorf("update obligation %s: %w", o.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("obligation %s: %w", o.ID, reporting.ErrNotFound)
	}
	return nil
}
