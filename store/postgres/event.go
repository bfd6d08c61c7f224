package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.EventStore = (*DB)(nil)

// SaveEvent implements sharing.EventStore: one row per event, replaced by
// each later version. The body is the Go encoding of outage.Event (it has
// no API form of its own; the views are made from it per caller).
func (db *DB) SaveEvent(ctx context.Context, ev outage.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO sector_events(id, status, opened_at, updated_at, body) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, body = excluded.body`,
		ev.ID, string(ev.Status), stamp(ev.OpenedAt), stamp(ev.UpdatedAt), body)
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
	rows, err := db.pool.Query(ctx, `SELECT id, body FROM sector_events WHERE $1 = '' OR status = $1 ORDER BY opened_at DESC, id LIMIT $2`,
		string(f.Status), limit)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	out := []outage.Event{}
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		var ev outage.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			db.skip("sector_events", id, err)
			continue
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// FindEventByID implements sharing.EventStore.
func (db *DB) FindEventByID(ctx context.Context, id string) (outage.Event, error) {
	var body []byte
	err := db.pool.QueryRow(ctx, `SELECT body FROM sector_events WHERE id = $1`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return outage.Event{}, fmt.Errorf("event %s: %w", id, sharing.ErrNotFound)
	}
	if err != nil {
		return outage.Event{}, fmt.Errorf("find event %s: %w", id, err)
	}
	var ev outage.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return outage.Event{}, fmt.Errorf("decode event %s: %w", id, err)
	}
	return ev, nil
}
