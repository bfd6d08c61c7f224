package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// CreateTAXIIStatus implements sharing.TAXIIStore.
func (db *DB) CreateTAXIIStatus(ctx context.Context, st *sharing.TAXIIStatus) error {
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM taxii_status WHERE created_at < $1`, stamp(st.CreatedAt.Add(-sharing.StatusRetention))); err != nil {
			return fmt.Errorf("expire statuses: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO taxii_status(id, organization, created_at, body) VALUES ($1, $2, $3, $4)`,
			st.ID, st.Organization, stamp(st.CreatedAt), body); err != nil {
			return fmt.Errorf("insert status: %w", err)
		}
		return nil
	})
}

// FindTAXIIStatusByID implements sharing.TAXIIStore.
func (db *DB) FindTAXIIStatusByID(ctx context.Context, id string) (*sharing.TAXIIStatus, error) {
	var (
		org     string
		created time.Time
		body    []byte
	)
	err := db.pool.QueryRow(ctx, `SELECT organization, created_at, body FROM taxii_status WHERE id = $1`, id).Scan(&org, &created, &body)
	if err != nil {
		return nil, fmt.Errorf("find status %s: %w", id, translate(err))
	}
	st := &sharing.TAXIIStatus{}
	if err := json.Unmarshal(body, st); err != nil {
		return nil, fmt.Errorf("decode status %s: %w", id, err)
	}
	st.Organization, st.CreatedAt = org, created.UTC()
	if db.Now().Sub(st.CreatedAt) > sharing.StatusRetention {
		return nil, fmt.Errorf("status %s expired: %w", id, sharing.ErrNotFound)
	}
	return st, nil
}
