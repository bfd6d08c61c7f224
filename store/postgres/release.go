package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// copyObjects numbers the distinct objects of one submission's copies:
// identical JSON gets one row of copy_objects. Objects are numbered locally
// first (0, 1, …) and given their ids from the table's identity when
// inserted.
type copyObjects struct {
	local map[string]int
	order [][]byte
	ids   []int64 // ids[local], once inserted
}

func (c *copyObjects) local_(js []byte) int {
	if i, ok := c.local[string(js)]; ok {
		return i
	}
	i := len(c.order)
	c.local[string(js)] = i
	c.order = append(c.order, js)
	return i
}

// insertCopies writes the copies of the plan and the JSON of their
// objects and their entries; positions are not taken here.
func (db *DB) insertCopies(ctx context.Context, tx pgx.Tx, rec *sharing.IntakeRecord) (*copyObjects, error) {
	bodies := &copyObjects{local: map[string]int{}}
	lists := make([][]int, len(rec.Copies))
	for i, c := range rec.Copies {
		if c.BundleID == "" {
			continue
		}
		lists[i] = make([]int, len(c.Objects))
		for j, o := range c.Objects {
			lists[i][j] = bodies.local_(o)
		}
	}
	for i := range rec.Entries {
		bodies.local_(rec.Entries[i].JSON)
	}
	if len(bodies.order) > 0 {
		rows, err := tx.Query(ctx, `INSERT INTO copy_objects(json) SELECT j FROM unnest($1::bytea[]) WITH ORDINALITY AS u(j, n) ORDER BY n RETURNING id`, bodies.order)
		if err != nil {
			return nil, fmt.Errorf("insert copy objects: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("insert copy objects: %w", err)
		}
		if len(ids) != len(bodies.order) {
			return nil, fmt.Errorf("insert copy objects: %d ids for %d objects", len(ids), len(bodies.order))
		}
		// Identity values are handed out in insertion order.
		slices.Sort(ids)
		bodies.ids = ids
	}
	for i, c := range rec.Copies {
		route, err := json.Marshal(c.Route)
		if err != nil {
			return nil, fmt.Errorf("encode route: %w", err)
		}
		hits, err := json.Marshal(nonNilHits(c))
		if err != nil {
			return nil, fmt.Errorf("encode hits: %w", err)
		}
		var bundleID, objects any // NULL: withheld, no bundle
		if c.BundleID != "" {
			ids := make([]int64, len(lists[i]))
			for j, l := range lists[i] {
				ids[j] = bodies.ids[l]
			}
			bundleID, objects = c.BundleID, ids
		}
		if _, err := tx.Exec(ctx, `INSERT INTO submission_copies(submission_id, idx, route, status, hits, notice, bundle_id, objects) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			rec.Submission.ID, c.Index, route, string(c.Status), hits, c.Notice, bundleID, objects); err != nil {
			return nil, fmt.Errorf("insert copy: %w", translate(err))
		}
	}
	return bodies, nil
}

// insertEntries writes the channel entries with their stamps, and the
// revocations. The caller holds lockPositions.
func (db *DB) insertEntries(ctx context.Context, tx pgx.Tx, rec *sharing.IntakeRecord, bodies *copyObjects, vkeys versionKeys) error {
	if n := len(rec.Entries); n > 0 {
		first, err := db.stamps(ctx, tx, n)
		if err != nil {
			return err
		}
		var (
			channels, objectIDs, versions, keys, subs, orgs, statuses = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			recipients                                                = make([]string, n) // text[] literals; arrays of arrays must be rectangular
			hasRecipients                                             = make([]bool, n)
			added                                                     = make([]time.Time, n)
			jsonIDs                                                   = make([]int64, n)
		)
		for i := range rec.Entries {
			e := &rec.Entries[i]
			e.DateAdded = first.Add(time.Duration(i) * time.Microsecond)
			channels[i], objectIDs[i], versions[i], keys[i], subs[i], orgs[i], statuses[i] = string(e.Channel), e.ObjectID, e.Version, vkeys.of(e.Version), e.SubmissionID, e.Organization, string(e.Status)
			added[i], jsonIDs[i] = e.DateAdded, bodies.ids[bodies.local_(e.JSON)]
			if e.Recipients != nil {
				b, err := json.Marshal(e.Recipients)
				if err != nil {
					return err
				}
				recipients[i], hasRecipients[i] = string(b), true
			}
		}
		// Rows in entry order, so that seq follows the stamps.
		if _, err := tx.Exec(ctx, `INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
			SELECT c, o, v, k, s, g, CASE WHEN h THEN ARRAY(SELECT jsonb_array_elements_text(r::jsonb)) END, st, a, j
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::timestamptz[], $11::bigint[])
			     WITH ORDINALITY AS u(c, o, v, k, s, g, r, h, st, a, j, n)
			ORDER BY n`, channels, objectIDs, versions, keys, subs, orgs, recipients, hasRecipients, statuses, added, jsonIDs); err != nil {
			return fmt.Errorf("insert channel entries: %w", translate(err))
		}
	}
	if len(rec.Revoked) > 0 {
		seqs := make([]int64, len(rec.Revoked))
		for i, e := range rec.Revoked {
			seqs[i] = e.Seq
		}
		if _, err := tx.Exec(ctx, `UPDATE channel_entries SET status = 'revoked' WHERE seq = ANY($1)`, seqs); err != nil {
			return fmt.Errorf("revoke channel entries: %w", err)
		}
	}
	return nil
}

func nonNilHits(c sharing.StoredCopy) any {
	if c.Hits == nil {
		return []any{}
	}
	return c.Hits
}

// FindCopies implements sharing.ReleaseStore: each copy's bundle is
// assembled from its objects in copy_objects, as it was released.
func (db *DB) FindCopies(ctx context.Context, submissionID string) ([]sharing.StoredCopy, error) {
	rows, err := db.pool.Query(ctx, `SELECT idx, route, status, hits, notice, bundle_id, objects FROM submission_copies WHERE submission_id = $1 ORDER BY idx`, submissionID)
	if err != nil {
		return nil, fmt.Errorf("find copies: %w", err)
	}
	defer rows.Close()
	var (
		out   []sharing.StoredCopy
		lists = map[int][]int64{}
		want  []int64
	)
	for rows.Next() {
		c := sharing.StoredCopy{SubmissionID: submissionID}
		var (
			route, hits []byte
			status      string
			bundleID    *string
			objects     []int64
		)
		if err := rows.Scan(&c.Index, &route, &status, &hits, &c.Notice, &bundleID, &objects); err != nil {
			return nil, fmt.Errorf("scan copy: %w", err)
		}
		c.Status = sharing.ReleaseStatus(status)
		if err := json.Unmarshal(route, &c.Route); err != nil {
			return nil, fmt.Errorf("decode route: %w", err)
		}
		if err := json.Unmarshal(hits, &c.Hits); err != nil {
			return nil, fmt.Errorf("decode hits: %w", err)
		}
		if bundleID != nil {
			c.BundleID = *bundleID
			lists[len(out)] = objects
			want = append(want, objects...)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(lists) == 0 {
		return out, nil
	}
	slices.Sort(want)
	want = slices.Compact(want)
	brows, err := db.pool.Query(ctx, `SELECT id, json FROM copy_objects WHERE id = ANY($1)`, want)
	if err != nil {
		return nil, fmt.Errorf("find copy objects: %w", err)
	}
	bodies := make(map[int64][]byte, len(want))
	for brows.Next() {
		var (
			id int64
			js []byte
		)
		if err := brows.Scan(&id, &js); err != nil {
			brows.Close()
			return nil, fmt.Errorf("scan copy object: %w", err)
		}
		bodies[id] = js
	}
	brows.Close()
	if err := brows.Err(); err != nil {
		return nil, fmt.Errorf("find copy objects: %w", err)
	}
	for i, ids := range lists {
		c := &out[i]
		c.Objects = make([][]byte, len(ids))
		for j, id := range ids {
			js, ok := bodies[id]
			if !ok {
				return nil, fmt.Errorf("copy %d of %s: object %d is missing from copy_objects", c.Index, submissionID, id)
			}
			c.Objects[j] = js
		}
		if c.Bundle, err = sharing.RawBundle(c.BundleID, c.Objects); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReleaseHeld implements sharing.ReleaseStore: each released entry becomes
// readable now with a stamp of its own, taken under the position lock.
func (db *DB) ReleaseHeld(ctx context.Context, submissionID string, ev sharing.AuditEvent) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE submission_copies SET status = 'released' WHERE submission_id = $1 AND status = 'held'`, submissionID)
		if err != nil {
			return fmt.Errorf("release copies: %w", err)
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		if err := db.lockPositions(ctx, tx); err != nil {
			return err
		}
		var held int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM channel_entries WHERE submission_id = $1 AND status = 'held'`, submissionID).Scan(&held); err != nil {
			return fmt.Errorf("count held entries: %w", err)
		}
		if held > 0 {
			first, err := db.stamps(ctx, tx, held)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `WITH h AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM channel_entries WHERE submission_id = $1 AND status = 'held')
				UPDATE channel_entries e SET status = 'released', date_added = $2::timestamptz + (h.n - 1) * interval '1 microsecond' FROM h WHERE e.seq = h.seq`,
				submissionID, first); err != nil {
				return fmt.Errorf("release entries: %w", err)
			}
		}
		if ev.Detail == nil {
			ev.Detail = map[string]any{}
		}
		ev.Detail["copies"] = n
		return db.appendAudit(ctx, tx, ev)
	})
	return int(n), err
}

// visibleTo is the condition that the entry aliased e is visible to the
// reader bound at param: whole-audience entries and those naming the reader.
func visibleTo(e, param string) string {
	return "(" + e + ".recipients IS NULL OR " + param + " = ANY(" + e + ".recipients))"
}

const entryColumns = `e.seq, e.channel, e.object_id, e.version, e.submission_id, e.organization, e.recipients, e.status, e.date_added, j.json`

// FindChannelEntries implements sharing.ReleaseStore: the latest released
// version of each object visible to the reader, ordered by (date_added, seq).
func (db *DB) FindChannelEntries(ctx context.Context, f sharing.ChannelFilter) ([]sharing.ChannelEntry, error) {
	var a args
	q := `SELECT ` + entryColumns + ` FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id
		WHERE e.channel = ` + a.add(string(f.Channel)) + ` AND e.status = 'released' AND ` + visibleTo("e", a.add(f.Reader)) + `
		AND NOT EXISTS (SELECT 1 FROM channel_entries n WHERE n.channel = e.channel AND n.object_id = e.object_id AND n.status = 'released'
		    AND ` + visibleTo("n", "$2") + ` AND (n.version_key > e.version_key OR (n.version_key = e.version_key AND n.seq > e.seq)))`
	if !f.AddedAfter.IsZero() {
		q += " AND e.date_added > " + a.add(stamp(f.AddedAfter))
	}
	q += " ORDER BY e.date_added, e.seq"
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	return db.queryEntries(ctx, q, a...)
}

// FindReleasedEntries implements sharing.ReleaseStore.
func (db *DB) FindReleasedEntries(ctx context.Context, org string, objectIDs []string) ([]sharing.ChannelEntry, error) {
	if len(objectIDs) == 0 {
		return []sharing.ChannelEntry{}, nil
	}
	return db.queryEntries(ctx, `SELECT `+entryColumns+` FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id
		WHERE e.status = 'released' AND e.organization = $1 AND e.object_id = ANY($2)
		ORDER BY e.channel COLLATE "C", e.object_id, e.version_key, e.seq`, org, objectIDs)
}

func (db *DB) queryEntries(ctx context.Context, q string, args ...any) ([]sharing.ChannelEntry, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find channel entries: %w", err)
	}
	defer rows.Close()
	out := []sharing.ChannelEntry{}
	for rows.Next() {
		var (
			e          sharing.ChannelEntry
			ch, status string
		)
		if err := rows.Scan(&e.Seq, &ch, &e.ObjectID, &e.Version, &e.SubmissionID, &e.Organization, &e.Recipients, &status, &e.DateAdded, &e.JSON); err != nil {
			return nil, fmt.Errorf("scan channel entry: %w", err)
		}
		e.Channel, e.Status, e.DateAdded = sharing.Channel(ch), sharing.ReleaseStatus(status), e.DateAdded.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// EachChannelEntry implements sharing.AuditStore, streaming the table.
func (db *DB) EachChannelEntry(ctx context.Context, fn func(sharing.ChannelEntryKey) error) error {
	rows, err := db.pool.Query(ctx, `SELECT e.seq, e.submission_id, e.channel, e.object_id, e.recipients, e.status, j.json
		FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id ORDER BY e.seq`)
	if err != nil {
		return fmt.Errorf("read channel entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k sharing.ChannelEntryKey
		var ch, status string
		if err := rows.Scan(&k.Seq, &k.SubmissionID, &ch, &k.ObjectID, &k.Recipients, &status, &k.JSON); err != nil {
			return fmt.Errorf("scan channel entry: %w", err)
		}
		k.Channel, k.Status = sharing.Channel(ch), sharing.ReleaseStatus(status)
		if err := fn(k); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindWithheldCopies implements sharing.ReleaseStore: withheld copies, newest
// first, without their content.
func (db *DB) FindWithheldCopies(ctx context.Context, limit int) ([]sharing.WithheldCopy, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, `SELECT c.submission_id, s.organization, s.received_at, c.route, c.hits, c.notice
		FROM submission_copies c JOIN submissions s ON s.id = c.submission_id
		WHERE c.status = 'withheld' ORDER BY s.received_at DESC, c.submission_id, c.idx LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find withheld copies: %w", err)
	}
	defer rows.Close()
	out := []sharing.WithheldCopy{}
	for rows.Next() {
		var (
			w          sharing.WithheldCopy
			route, hit []byte
		)
		if err := rows.Scan(&w.SubmissionID, &w.Organization, &w.ReceivedAt, &route, &hit, &w.Notice); err != nil {
			return nil, fmt.Errorf("scan withheld copy: %w", err)
		}
		w.ReceivedAt = w.ReceivedAt.UTC()
		var r sharing.Route
		err := json.Unmarshal(route, &r)
		if err == nil {
			err = json.Unmarshal(hit, &w.Reasons)
		}
		if err != nil {
			db.skip("submission_copies", w.SubmissionID, err)
			continue
		}
		w.Channel = r.Channel
		out = append(out, w)
	}
	return out, rows.Err()
}

// FindHeldCopies implements sharing.ReviewStore: copies waiting for their
// submitter's release, newest first, without their content.
func (db *DB) FindHeldCopies(ctx context.Context, limit int) ([]sharing.HeldCopy, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, `SELECT c.submission_id, s.organization, s.received_at, c.route
		FROM submission_copies c JOIN submissions s ON s.id = c.submission_id
		WHERE c.status = 'held' ORDER BY s.received_at DESC, c.submission_id, c.idx LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find held copies: %w", err)
	}
	defer rows.Close()
	out := []sharing.HeldCopy{}
	for rows.Next() {
		var (
			h     sharing.HeldCopy
			route []byte
		)
		if err := rows.Scan(&h.SubmissionID, &h.Organization, &h.ReceivedAt, &route); err != nil {
			return nil, fmt.Errorf("scan held copy: %w", err)
		}
		h.ReceivedAt = h.ReceivedAt.UTC()
		var r sharing.Route
		if err := json.Unmarshal(route, &r); err != nil {
			db.skip("submission_copies", h.SubmissionID, err)
			continue
		}
		h.Channel = r.Channel
		out = append(out, h)
	}
	return out, rows.Err()
}

// args collects the arguments of a query as it is built; add returns the
// placeholder of the value it appends.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}
