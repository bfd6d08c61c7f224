package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// FindTAXIIEntries implements sharing.TAXIIStore with keyset pagination: the
// page starts after the cursor (date_added, seq) on the collection's read
// index, so every page costs the same however deep it is. Positions are
// taken in commit order (stamp.go), so a page never passes an entry that a
// transaction still in flight will commit behind it.
func (db *DB) FindTAXIIEntries(ctx context.Context, q sharing.TAXIIQuery) ([]sharing.TAXIIEntry, bool, error) {
	if q.Limit <= 0 {
		return nil, false, fmt.Errorf("taxii query without a limit: %w", sharing.ErrInvalidArgument)
	}
	var a args
	var from, jsonCol, scope, peer, table string
	if q.Collection == sharing.ChannelIntake {
		table = "taxii_intake"
		from = `taxii_intake e JOIN objects o ON o.organization = e.organization AND o.id = e.object_id AND o.version = e.version`
		jsonCol = "o.json"
		scope = "e.organization = " + a.add(q.Reader)
		peer = "n.organization = e.organization AND n.object_id = e.object_id"
	} else {
		table = "channel_entries"
		from = "channel_entries e JOIN copy_objects j ON j.id = e.json_id"
		jsonCol = "j.json"
		scope = "e.channel = " + a.add(string(q.Collection)) + " AND e.status = 'released'"
		reader := a.add(q.Reader)
		scope += " AND " + visibleTo("e", reader)
		peer = "n.channel = e.channel AND n.object_id = e.object_id AND n.status = 'released' AND " + visibleTo("n", reader)
	}
	if !q.WithJSON {
		jsonCol = "NULL::bytea"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT e.seq, e.object_id, e.version, e.date_added, %s FROM %s WHERE %s", jsonCol, from, scope)
	if !q.AddedAfter.IsZero() {
		b.WriteString(" AND e.date_added > " + a.add(stamp(q.AddedAfter)))
	}
	if q.After != nil {
		op := ">"
		if q.Newest {
			op = "<"
		}
		fmt.Fprintf(&b, " AND (e.date_added, e.seq) %s (%s, %s)", op, a.add(stamp(q.After.DateAdded)), a.add(q.After.Seq))
	}
	if len(q.IDs) > 0 {
		b.WriteString(" AND e.object_id = ANY(" + a.add(q.IDs) + ")")
	}
	if len(q.Types) > 0 {
		// "type--" ≤ id < "type-." selects the ids of one type ('.' follows
		// '-'); object_id is COLLATE "C".
		conds := make([]string, len(q.Types))
		for i, t := range q.Types {
			conds[i] = "(e.object_id >= " + a.add(t+"--") + " AND e.object_id < " + a.add(t+"-.") + ")"
		}
		b.WriteString(" AND (" + strings.Join(conds, " OR ") + ")")
	}
	if q.SpecVersions != nil && !slices.Contains(q.SpecVersions, "2.1") {
		// The hub stores STIX 2.1 only.
		b.WriteString(" AND false")
	}
	b.WriteString(" AND " + versionCondition(&a, table, peer, q.Versions))
	if q.Newest {
		b.WriteString(" ORDER BY e.date_added DESC, e.seq DESC")
	} else {
		b.WriteString(" ORDER BY e.date_added, e.seq")
	}
	b.WriteString(" LIMIT " + a.add(q.Limit+1))

	rows, err := db.pool.Query(ctx, b.String(), a...)
	if err != nil {
		return nil, false, fmt.Errorf("find taxii entries: %w", err)
	}
	defer rows.Close()
	out := make([]sharing.TAXIIEntry, 0, min(q.Limit, 1024))
	for rows.Next() {
		var e sharing.TAXIIEntry
		if err := rows.Scan(&e.Seq, &e.ObjectID, &e.Version, &e.DateAdded, &e.JSON); err != nil {
			return nil, false, fmt.Errorf("scan taxii entry: %w", err)
		}
		e.DateAdded = e.DateAdded.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("find taxii entries: %w", err)
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, nil
}

// versionCondition is match[version] (TAXII 2.1 §3.4.2) over the entries the
// reader sees, as store/sqlite: the latest entry (highest seq) of each
// version stands for it.
func versionCondition(a *args, table, peer string, v sharing.VersionMatch) string {
	exists := func(rel string) string {
		return "NOT EXISTS (SELECT 1 FROM " + table + " n WHERE " + peer + " AND " + rel + ")"
	}
	newer := "(n.version_key > e.version_key OR (n.version_key = e.version_key AND n.seq > e.seq))"
	older := "(n.version_key < e.version_key OR (n.version_key = e.version_key AND n.seq < e.seq))"
	sameLater := "(n.version_key = e.version_key AND n.seq > e.seq)"
	if v.All {
		return exists(sameLater)
	}
	if v.IsZero() {
		v.Last = true
	}
	var conds []string
	if v.Last {
		conds = append(conds, exists(newer))
	}
	if v.First {
		conds = append(conds, exists(older))
	}
	if len(v.Versions) > 0 {
		exact := make([]string, len(v.Versions))
		for i, ts := range v.Versions {
			// Versioned objects match on modified/created; SCOs on date_added.
			exact[i] = "e.version_key = " + a.add(ts.UTC().Format(versionKeyLayout)) + " OR (e.version_key = '' AND e.date_added = " + a.add(stamp(ts)) + ")"
		}
		conds = append(conds, "(("+strings.Join(exact, " OR ")+") AND "+exists(sameLater)+")")
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}
