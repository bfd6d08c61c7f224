package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

var _ sharing.TAXIIStore = (*DB)(nil)

// taxiiSource is where a collection's entries live and which of them a
// reader sees: channel_entries for the distribution channels, taxii_intake
// (joined to objects for the JSON) for intake.
type taxiiSource struct {
	from  string // FROM clause; the entry is aliased e
	json  string // the column holding the object's JSON
	scope string // WHERE condition over e
	args  []any
	// peer is the condition that n is an entry of the same collection, the
	// same object and visible to the same reader, for the version filters.
	peer     string
	peerArgs []any
}

func sourceFor(q sharing.TAXIIQuery) taxiiSource {
	if q.Collection == sharing.ChannelIntake {
		return taxiiSource{
			from:  `taxii_intake e JOIN objects o ON o.organization = e.organization AND o.id = e.object_id AND o.version = e.version`,
			json:  "o.json",
			scope: "e.organization = ?", args: []any{q.Reader},
			peer: "n.organization = e.organization AND n.object_id = e.object_id",
		}
	}
	vis := func(alias string) string { return strings.ReplaceAll(visibleTo, "channel_entries.", alias+".") }
	return taxiiSource{
		from:  "channel_entries e JOIN copy_objects j ON j.id = e.json_id",
		json:  "j.json",
		scope: "e.channel = ? AND e.status = 'released' AND " + vis("e"), args: []any{string(q.Collection), q.Reader},
		peer:     "n.channel = e.channel AND n.object_id = e.object_id AND n.status = 'released' AND " + vis("n"),
		peerArgs: []any{q.Reader},
	}
}

func (s taxiiSource) table() string {
	if strings.HasPrefix(s.from, "taxii_intake") {
		return "taxii_intake"
	}
	return "channel_entries"
}

// FindTAXIIEntries implements sharing.TAXIIStore with keyset pagination: the
// page starts after the cursor (date_added, seq) on the collection's read
// index, so every page costs the same however deep it is — no OFFSET.
func (db *DB) FindTAXIIEntries(ctx context.Context, q sharing.TAXIIQuery) ([]sharing.TAXIIEntry, bool, error) {
	if q.Limit <= 0 {
		return nil, false, fmt.Errorf("taxii query without a limit: %w", sharing.ErrInvalidArgument)
	}
	src := sourceFor(q)
	jsonCol := "NULL"
	if q.WithJSON {
		jsonCol = src.json
	}
	var b strings.Builder
	args := slices.Clone(src.args)
	fmt.Fprintf(&b, "SELECT e.seq, e.object_id, e.version, e.date_added, %s FROM %s WHERE %s", jsonCol, src.from, src.scope)
	if !q.AddedAfter.IsZero() {
		b.WriteString(" AND e.date_added > ?")
		args = append(args, formatTime(q.AddedAfter))
	}
	if q.After != nil {
		// A row value: SQLite seeks the index straight to (date_added, seq).
		if q.Newest {
			b.WriteString(" AND (e.date_added, e.seq) < (?, ?)")
		} else {
			b.WriteString(" AND (e.date_added, e.seq) > (?, ?)")
		}
		args = append(args, formatTime(q.After.DateAdded), q.After.Seq)
	}
	if len(q.IDs) > 0 {
		b.WriteString(" AND e.object_id IN (" + placeholders(len(q.IDs)) + ")")
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	if len(q.Types) > 0 {
		// "type--" ≤ id < "type-." selects the ids of one type ('.' follows '-').
		conds := make([]string, len(q.Types))
		for i, t := range q.Types {
			conds[i] = "(e.object_id >= ? AND e.object_id < ?)"
			args = append(args, t+"--", t+"-.")
		}
		b.WriteString(" AND (" + strings.Join(conds, " OR ") + ")")
	}
	if q.SpecVersions != nil && !slices.Contains(q.SpecVersions, "2.1") {
		// The hub stores STIX 2.1 only (stix.Validate refuses anything else),
		// so asking for other spec versions matches nothing.
		b.WriteString(" AND 0")
	}
	cond, vargs := versionCondition(src, q.Versions)
	b.WriteString(" AND " + cond)
	args = append(args, vargs...)
	if q.Newest {
		// The same index read backwards.
		b.WriteString(" ORDER BY e.date_added DESC, e.seq DESC LIMIT ?")
	} else {
		b.WriteString(" ORDER BY e.date_added, e.seq LIMIT ?")
	}
	args = append(args, q.Limit+1)

	rows, err := db.read.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, false, fmt.Errorf("find taxii entries: %w", err)
	}
	defer rows.Close()
	out := make([]sharing.TAXIIEntry, 0, min(q.Limit, 1024))
	for rows.Next() {
		var e sharing.TAXIIEntry
		var added string
		if err := rows.Scan(&e.Seq, &e.ObjectID, &e.Version, &added, &e.JSON); err != nil {
			return nil, false, fmt.Errorf("scan taxii entry: %w", err)
		}
		if e.DateAdded, err = parseTime(added); err != nil {
			db.skip("taxii entries", fmt.Sprint(e.Seq), err)
			continue
		}
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
// reader sees. An object version may be in a channel more than once (a
// shared copy and a named copy, or re-released); the latest entry (highest
// seq) of each version stands for it, as FindChannelEntries does.
func versionCondition(src taxiiSource, v sharing.VersionMatch) (string, []any) {
	t := src.table()
	exists := func(rel string) (string, []any) {
		return "NOT EXISTS (SELECT 1 FROM " + t + " n WHERE " + src.peer + " AND " + rel + ")", slices.Clone(src.peerArgs)
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
	var args []any
	add := func(c string, a []any) { conds = append(conds, c); args = append(args, a...) }
	if v.Last {
		add(exists(newer))
	}
	if v.First {
		add(exists(older))
	}
	if len(v.Versions) > 0 {
		exact := make([]string, len(v.Versions))
		var eargs []any
		for i, ts := range v.Versions {
			// Versioned objects match on modified/created; SCOs on date_added.
			exact[i] = "e.version_key = ? OR (e.version_key = '' AND e.date_added = ?)"
			eargs = append(eargs, ts.UTC().Format("2006-01-02T15:04:05.000000000Z"), formatTime(ts))
		}
		dedup, dargs := exists(sameLater)
		add("(("+strings.Join(exact, " OR ")+") AND "+dedup+")", append(eargs, dargs...))
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// CreateTAXIIStatus implements sharing.TAXIIStore.
func (db *DB) CreateTAXIIStatus(ctx context.Context, st *sharing.TAXIIStatus) error {
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM taxii_status WHERE created_at < ?`, formatTime(st.CreatedAt.Add(-sharing.StatusRetention))); err != nil {
			return fmt.Errorf("expire statuses: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO taxii_status(id, organization, created_at, body) VALUES (?, ?, ?, ?)`,
			st.ID, st.Organization, formatTime(st.CreatedAt), string(body)); err != nil {
			return fmt.Errorf("insert status: %w", err)
		}
		return nil
	})
}

// FindTAXIIStatusByID implements sharing.TAXIIStore.
func (db *DB) FindTAXIIStatusByID(ctx context.Context, id string) (*sharing.TAXIIStatus, error) {
	var org, created, body string
	err := db.read.QueryRowContext(ctx, `SELECT organization, created_at, body FROM taxii_status WHERE id = ?`, id).Scan(&org, &created, &body)
	if err != nil {
		return nil, fmt.Errorf("find status %s: %w", id, translate(err))
	}
	st := &sharing.TAXIIStatus{}
	if err := json.Unmarshal([]byte(body), st); err != nil {
		return nil, fmt.Errorf("decode status %s: %w", id, err)
	}
	st.Organization = org
	if st.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if db.Now().Sub(st.CreatedAt) > sharing.StatusRetention {
		return nil, fmt.Errorf("status %s expired: %w", id, sharing.ErrNotFound)
	}
	return st, nil
}
