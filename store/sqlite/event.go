package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.EventStore = (*DB)(nil)

// SaveEvent implements sharing.EventStore: one row per event, replaced by
// each later version.
func (db *DB) SaveEvent(ctx context.Context, ev outage.Event) error {
	raw, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO sector_events(id, status, opened_at, updated_at, json) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, json = excluded.json`,
		ev.ID, string(ev.Status), formatTime(ev.OpenedAt), formatTime(ev.UpdatedAt), raw)
	if err != nil {
		return fmt.Errorf("save event %s: %w", ev.ID, translate(err))
	}
	return nil
}

// FindEvents implements sharing.EventStore, most recently opened first.
func (db *DB) FindEvents(ctx context.Context, f sharing.EventFilter) ([]outage.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = sharing.DefaultEventLimit
	}
	q := `SELECT id, json FROM sector_events`
	var args []any
	if f.Status != "" {
		q += ` WHERE status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY opened_at DESC, id LIMIT ?`
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	out := []outage.Event{}
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		var ev outage.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			db.skip("sector_events", id, err)
			continue
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// FindEventByID implements sharing.EventStore.
func (db *DB) FindEventByID(ctx context.Context, id string) (outage.Event, error) {
	var raw []byte
	err := db.read.QueryRowContext(ctx, `SELECT json FROM sector_events WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return outage.Event{}, fmt.Errorf("event %s: %w", id, sharing.ErrNotFound)
	}
	if err != nil {
		return outage.Event{}, fmt.Errorf("find event %s: %w", id, err)
	}
	var ev outage.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return outage.Event{}, fmt.Errorf("decode event %s: %w", id, err)
	}
	return ev, nil
}
