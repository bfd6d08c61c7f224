package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// insertRelease writes some of a submission's copies, their entries and
// revocations (one part of routing's, IntakeRecord.Routing) inside the intake
// transaction. The JSON of the copies' objects goes to copy_objects, each
// distinct object once however many copies, entries and parts carry it (the
// ceptoar channels share theirs; every copy carries the TLP definitions):
// bodies numbers them across the parts.
func (db *DB) insertRelease(ctx context.Context, tx *sql.Tx, submissionID string, part sharing.RoutedPart, bodies *copyObjects, vkeys versionKeys) error {
	for _, c := range part.Copies {
		route, err := json.Marshal(c.Route)
		if err != nil {
			return fmt.Errorf("encode route: %w", err)
		}
		hits, err := json.Marshal(nonNilHits(c))
		if err != nil {
			return fmt.Errorf("encode hits: %w", err)
		}
		var bundleID, objects any // NULL: withheld, no bundle
		if c.BundleID != "" {
			ids := make([]int64, len(c.Objects))
			for i, o := range c.Objects {
				ids[i] = bodies.id(o)
			}
			list, err := json.Marshal(ids)
			if err != nil {
				return fmt.Errorf("encode copy objects: %w", err)
			}
			bundleID, objects = c.BundleID, string(list)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO submission_copies(submission_id, idx, route, status, hits, notice, bundle_id, objects) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			submissionID, c.Index, string(route), string(c.Status), string(hits), c.Notice, bundleID, objects); err != nil {
			return fmt.Errorf("insert copy: %w", err)
		}
	}
	rows, err := newEntryRows(part.Entries, bodies)
	if err != nil {
		return err
	}
	if err := bodies.insert(ctx, tx); err != nil {
		return err
	}
	if err := db.insertEntries(ctx, tx, rows, vkeys); err != nil {
		return err
	}
	for _, e := range part.Revoked {
		if _, err := tx.ExecContext(ctx, `UPDATE channel_entries SET status = 'revoked' WHERE seq = ?`, e.Seq); err != nil {
			return fmt.Errorf("revoke channel entry: %w", err)
		}
	}
	return nil
}

// entryRows are a submission's channel entries as rows: each entry's
// recipients (JSON, or nil for the whole audience) and its object's id in
// copy_objects.
type entryRows struct {
	entries    []sharing.ChannelEntry
	recipients []any
	jsonIDs    []int64
}

// newEntryRows numbers the entries' objects in bodies and encodes their
// recipients.
func newEntryRows(entries []sharing.ChannelEntry, bodies *copyObjects) (entryRows, error) {
	rows := entryRows{entries: entries, recipients: make([]any, len(entries)), jsonIDs: make([]int64, len(entries))}
	for i := range entries {
		e := &entries[i]
		rows.jsonIDs[i] = bodies.id(e.JSON)
		if e.Recipients != nil {
			b, err := json.Marshal(e.Recipients)
			if err != nil {
				return rows, fmt.Errorf("encode recipients: %w", err)
			}
			rows.recipients[i] = string(b)
		}
	}
	return rows, nil
}

// same reports whether entries i and j are the same row but for their
// channel (and so their seq and stamp).
func (r entryRows) same(i, j int) bool {
	a, b := &r.entries[i], &r.entries[j]
	return a.ObjectID == b.ObjectID && a.Version == b.Version && a.SubmissionID == b.SubmissionID &&
		a.Organization == b.Organization && a.Status == b.Status && r.jsonIDs[i] == r.jsonIDs[j] &&
		r.recipients[i] == r.recipients[j]
}

// entryRun is a run of consecutive entries of one channel, [start, end).
type entryRun struct {
	start, end int
	firstSeq   int64 // once written
	like       int   // an earlier run with the same rows, or -1
}

// minCopiedRun is the shortest run worth copying: a short run binds few
// values, and copying it costs two more statements.
const minCopiedRun = 16

// runsOf splits entries into runs of one channel each, and marks every run
// whose rows are, in order, those of an earlier run in another channel: the
// ceptoar channels carry the same objects, so four of a bundle's five runs
// are usually the same rows.
func runsOf(r entryRows) []entryRun {
	var runs []entryRun
	for i := 0; i < len(r.entries); {
		j := i + 1
		for j < len(r.entries) && r.entries[j].Channel == r.entries[i].Channel {
			j++
		}
		run := entryRun{start: i, end: j, like: -1}
		for k, prev := range runs {
			if j-i >= minCopiedRun && prev.end-prev.start == j-i && prev.like == -1 && r.entries[prev.start].Channel != r.entries[i].Channel && r.sameRows(prev.start, i, j-i) {
				run.like = k
				break
			}
		}
		runs = append(runs, run)
		i = j
	}
	return runs
}

func (r entryRows) sameRows(a, b, n int) bool {
	for k := range n {
		if !r.same(a+k, b+k) {
			return false
		}
	}
	return true
}

// insertEntries writes the entries in order, each with a stamp of its own
// (stamp.go): seq and date_added both follow entry order. A run that repeats
// an earlier run's rows in another channel is copied inside SQLite from the
// rows just written (INSERT … SELECT), its stamps computed from each row's
// position, instead of binding ten values a row again; the rows are the
// same as a multi-row INSERT would write.
func (db *DB) insertEntries(ctx context.Context, tx *sql.Tx, rows entryRows, vkeys versionKeys) error {
	runs := runsOf(rows)
	for k := range runs {
		run := &runs[k]
		n := run.end - run.start
		first := db.stamps(n) // entry start+j is stamped first + j µs
		for j := range n {
			rows.entries[run.start+j].DateAdded = first.Add(time.Duration(j) * time.Microsecond)
		}
		if run.like >= 0 {
			src := runs[run.like]
			res, err := tx.ExecContext(ctx, copyEntriesSQL(n), copyEntriesArgs(string(rows.entries[run.start].Channel), first, src.firstSeq, n)...)
			if err != nil {
				return fmt.Errorf("copy channel entries: %w", err)
			}
			if got, err := res.RowsAffected(); err != nil || got != int64(n) {
				return fmt.Errorf("copy channel entries: %d rows copied of %d (%v)", got, n, err)
			}
		} else if err := batchInsert(ctx, tx, `INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)`, 10,
			n, func(j int) []any {
				i := run.start + j
				e := rows.entries[i]
				return []any{string(e.Channel), e.ObjectID, e.Version, vkeys.of(e.Version), e.SubmissionID, e.Organization,
					rows.recipients[i], string(e.Status), formatTime(e.DateAdded), rows.jsonIDs[i]}
			}); err != nil {
			return err
		}
		if !slices.ContainsFunc(runs[k+1:], func(r entryRun) bool { return r.like == k }) {
			continue // no later run copies this one
		}
		// AUTOINCREMENT gives the one writer's rows consecutive seqs, so
		// the run is the n rows up to the last one written.
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT last_insert_rowid()`).Scan(&last); err != nil {
			return fmt.Errorf("last channel entry: %w", err)
		}
		run.firstSeq = last - int64(n) + 1
	}
	return nil
}

// shortStampRun bounds the runs whose stamps span at most two seconds (a
// variable so that tests can send every run through strftime).
var shortStampRun = 1000000

// copyEntriesSQL copies n entries, from seq ?3 on, into channel ?1 with the
// stamps ?2 (µs since the epoch) + 0, 1, …: date_added is formatted inside
// SQLite as formatTime would. A run of fewer than a million entries spans at
// most two seconds of stamps, ?4 and the next, whose text up to the seconds
// (?5, ?6) comes bound; only the microseconds are formatted per row, which
// costs a fifth of strftime's formatting of the whole stamp (used for a
// longer run).
func copyEntriesSQL(n int) string {
	stamp := `strftime('%Y-%m-%dT%H:%M:%S', (?2 + seq - ?3) / 1000000, 'unixepoch')`
	if n < shortStampRun {
		stamp = `(CASE WHEN (?2 + seq - ?3) / 1000000 = ?4 THEN ?5 ELSE ?6 END)`
	}
	return `INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
		SELECT ?1, object_id, version, version_key, submission_id, organization, recipients, status,
		       ` + stamp + ` || printf('.%06dZ', (?2 + seq - ?3) % 1000000), json_id
		FROM channel_entries WHERE seq BETWEEN ?3 AND ?3 + ?7 - 1 ORDER BY seq`
}

// copyEntriesArgs are copyEntriesSQL's parameters.
func copyEntriesArgs(channel string, first time.Time, firstSeq int64, n int) []any {
	sec := first.Truncate(time.Second)
	const seconds = "2006-01-02T15:04:05"
	return []any{channel, first.UnixMicro(), firstSeq, sec.Unix(), sec.Format(seconds), sec.Add(time.Second).Format(seconds), n}
}

// copyObjects numbers the distinct objects of one submission's copies for
// copy_objects: identical JSON gets one id.
type copyObjects struct {
	next  int64
	ids   map[string]int64
	order [][]byte
}

// newCopyObjects starts numbering after the last id stored; the writer is
// alone, so the ids stay free until the transaction commits.
func newCopyObjects(ctx context.Context, tx *sql.Tx) (*copyObjects, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM copy_objects`).Scan(&last); err != nil {
		return nil, fmt.Errorf("last copy object: %w", err)
	}
	return &copyObjects{next: last + 1, ids: map[string]int64{}}, nil
}

// id returns the id of js, numbering it if it is new.
func (c *copyObjects) id(js []byte) int64 {
	if id, ok := c.ids[string(js)]; ok {
		return id
	}
	id := c.next
	c.next++
	c.ids[string(js)] = id
	c.order = append(c.order, js)
	return id
}

// insert writes the objects numbered so far.
func (c *copyObjects) insert(ctx context.Context, tx *sql.Tx) error {
	first := c.next - int64(len(c.order))
	err := batchInsert(ctx, tx, `INSERT INTO copy_objects(id, json)`, 2, len(c.order), func(i int) []any {
		return []any{first + int64(i), c.order[i]}
	})
	c.order = c.order[:0]
	return err
}

func nonNilHits(c sharing.StoredCopy) any {
	if c.Hits == nil {
		return []any{}
	}
	return c.Hits
}

// FindCopies implements sharing.ReleaseStore: each copy's bundle is
// assembled from its objects in copy_objects, as it was released (copies
// stored before migration 0013 kept their bundle whole).
func (db *DB) FindCopies(ctx context.Context, submissionID string) ([]sharing.StoredCopy, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT idx, route, status, hits, notice, bundle, bundle_id, objects FROM submission_copies WHERE submission_id = ? ORDER BY idx`, submissionID)
	if err != nil {
		return nil, fmt.Errorf("find copies: %w", err)
	}
	defer rows.Close()
	var (
		out   []sharing.StoredCopy
		lists = map[int][]int64{} // copy → its objects' ids
	)
	for rows.Next() {
		c := sharing.StoredCopy{SubmissionID: submissionID}
		var (
			route, status, hits string
			bundleID, objects   sql.NullString
		)
		if err := rows.Scan(&c.Index, &route, &status, &hits, &c.Notice, &c.Bundle, &bundleID, &objects); err != nil {
			return nil, fmt.Errorf("scan copy: %w", err)
		}
		c.Status = sharing.ReleaseStatus(status)
		if err := json.Unmarshal([]byte(route), &c.Route); err != nil {
			return nil, fmt.Errorf("decode route: %w", err)
		}
		if err := json.Unmarshal([]byte(hits), &c.Hits); err != nil {
			return nil, fmt.Errorf("decode hits: %w", err)
		}
		if objects.Valid {
			var ids []int64
			if err := json.Unmarshal([]byte(objects.String), &ids); err != nil {
				return nil, fmt.Errorf("decode objects of copy %d: %w", c.Index, err)
			}
			c.BundleID, lists[len(out)] = bundleID.String, ids
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return out, nil
	}
	var want []int64
	for _, ids := range lists {
		want = append(want, ids...)
	}
	bodies, err := db.findCopyObjects(ctx, want)
	if err != nil {
		return nil, err
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

// findCopyObjects reads the JSON of the given copy objects, in chunks
// (SQLite caps bound parameters).
func (db *DB) findCopyObjects(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64][]byte, len(ids))
	if len(ids) > 0 && ids[len(ids)-1]-ids[0] < 2*int64(len(ids)) {
		// The objects of one submission's copies were numbered together:
		// one range scan reads them.
		rows, err := db.read.QueryContext(ctx, `SELECT id, json FROM copy_objects WHERE id BETWEEN ? AND ?`, ids[0], ids[len(ids)-1])
		if err != nil {
			return nil, fmt.Errorf("find copy objects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id int64
				js []byte
			)
			if err := rows.Scan(&id, &js); err != nil {
				return nil, fmt.Errorf("scan copy object: %w", err)
			}
			if _, ok := slices.BinarySearch(ids, id); ok {
				out[id] = js
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find copy objects: %w", err)
		}
		return out, nil
	}
	for start := 0; start < len(ids); start += inChunk {
		part := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT id, json FROM copy_objects WHERE id IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("find copy objects: %w", err)
		}
		for rows.Next() {
			var (
				id int64
				js []byte
			)
			if err := rows.Scan(&id, &js); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan copy object: %w", err)
			}
			out[id] = js
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("find copy objects: %w", err)
		}
	}
	return out, nil
}

// ReleaseHeld implements sharing.ReleaseStore.
func (db *DB) ReleaseHeld(ctx context.Context, submissionID string, ev sharing.AuditEvent) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE submission_copies SET status = 'released' WHERE submission_id = ? AND status = 'held'`, submissionID)
		if err != nil {
			return fmt.Errorf("release copies: %w", err)
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			return nil
		}
		// Each entry becomes readable now, with a stamp of its own. Naming
		// every channel lets the read index (channel, status, …) find the
		// held entries, which are few: no index by submission is kept.
		args := append(allChannels(), submissionID)
		rows, err := tx.QueryContext(ctx, `SELECT seq FROM channel_entries WHERE channel IN (`+placeholders(len(args)-1)+`) AND status = 'held' AND submission_id = ? ORDER BY seq`, args...)
		if err != nil {
			return fmt.Errorf("find held entries: %w", err)
		}
		var seqs []int64
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			seqs = append(seqs, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range seqs {
			if _, err := tx.ExecContext(ctx, `UPDATE channel_entries SET status = 'released', date_added = ? WHERE seq = ?`, formatTime(db.stamp()), s); err != nil {
				return fmt.Errorf("release entry %d: %w", s, err)
			}
		}
		ev.Detail["copies"] = n
		return db.appendAudit(ctx, tx, ev)
	})
	return int(n), err
}

// visibleTo is the SQL condition of entries a reader may see: whole-audience
// entries and those naming the reader.
// A list that is not valid JSON shows the entry to nobody (fail closed)
// rather than failing the query for every reader.
const visibleTo = `(CASE WHEN channel_entries.recipients IS NULL THEN 1 WHEN json_valid(channel_entries.recipients)
	THEN EXISTS (SELECT 1 FROM json_each(channel_entries.recipients) WHERE value = ?) ELSE 0 END)`

// FindChannelEntries implements sharing.ReleaseStore: the latest released
// version of each object visible to the reader, ordered by (date_added, seq).
func (db *DB) FindChannelEntries(ctx context.Context, f sharing.ChannelFilter) ([]sharing.ChannelEntry, error) {
	q := strings.Builder{}
	q.WriteString(`SELECT seq, channel, object_id, version, submission_id, organization, recipients, status, date_added, j.json
		FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id WHERE channel = ? AND status = 'released' AND ` + strings.ReplaceAll(visibleTo, "channel_entries.", "e.") + `
		AND NOT EXISTS (SELECT 1 FROM channel_entries n WHERE n.channel = e.channel AND n.object_id = e.object_id AND n.status = 'released'
		    AND ` + strings.ReplaceAll(visibleTo, "channel_entries.", "n.") + ` AND (n.version_key > e.version_key OR (n.version_key = e.version_key AND n.seq > e.seq)))`)
	args := []any{string(f.Channel), f.Reader, f.Reader}
	if !f.AddedAfter.IsZero() {
		q.WriteString(" AND date_added > ?")
		args = append(args, formatTime(f.AddedAfter))
	}
	q.WriteString(" ORDER BY date_added, seq")
	if f.Limit > 0 {
		q.WriteString(" LIMIT ?")
		args = append(args, f.Limit)
	}
	return db.queryEntries(ctx, q.String(), args...)
}

// FindReleasedEntries implements sharing.ReleaseStore, in chunks (SQLite caps
// bound parameters).
func (db *DB) FindReleasedEntries(ctx context.Context, org string, objectIDs []string) ([]sharing.ChannelEntry, error) {
	out := []sharing.ChannelEntry{}
	err := inChunks(objectIDs, func(in string, args []any) error {
		rows, err := db.queryEntries(ctx, `SELECT seq, channel, object_id, version, submission_id, organization, recipients, status, date_added, j.json
			FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id WHERE status = 'released' AND organization = ? AND object_id IN (`+in+`)
			ORDER BY channel, object_id, version_key, seq`, append([]any{org}, args...)...)
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) queryEntries(ctx context.Context, q string, args ...any) ([]sharing.ChannelEntry, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find channel entries: %w", err)
	}
	defer rows.Close()
	out := []sharing.ChannelEntry{}
	for rows.Next() {
		var (
			e                 sharing.ChannelEntry
			ch, status, added string
			recipients        sql.NullString
		)
		if err := rows.Scan(&e.Seq, &ch, &e.ObjectID, &e.Version, &e.SubmissionID, &e.Organization, &recipients, &status, &added, &e.JSON); err != nil {
			return nil, fmt.Errorf("scan channel entry: %w", err)
		}
		e.Channel, e.Status = sharing.Channel(ch), sharing.ReleaseStatus(status)
		// An entry whose readers or date cannot be read is left out (fail
		// closed: it is served to nobody), not made an error for everyone.
		if recipients.Valid {
			if err := json.Unmarshal([]byte(recipients.String), &e.Recipients); err != nil {
				db.skip("channel_entries", fmt.Sprint(e.Seq), fmt.Errorf("recipients: %w", err))
				continue
			}
		}
		if e.DateAdded, err = parseTime(added); err != nil {
			db.skip("channel_entries", fmt.Sprint(e.Seq), err)
			continue
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// FindWithheldCopies implements sharing.ReleaseStore: withheld copies, newest
// first, without their content.
func (db *DB) FindWithheldCopies(ctx context.Context, limit int) ([]sharing.WithheldCopy, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.submission_id, s.organization, s.received_at, c.route, c.hits, c.notice
		FROM submission_copies c JOIN submissions s ON s.id = c.submission_id
		WHERE c.status = 'withheld' ORDER BY s.received_at DESC, c.submission_id, c.idx LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("find withheld copies: %w", err)
	}
	defer rows.Close()
	out := []sharing.WithheldCopy{}
	for rows.Next() {
		var (
			w                    sharing.WithheldCopy
			received, route, hit string
		)
		if err := rows.Scan(&w.SubmissionID, &w.Organization, &received, &route, &hit, &w.Notice); err != nil {
			return nil, fmt.Errorf("scan withheld copy: %w", err)
		}
		var r sharing.Route
		if w.ReceivedAt, err = parseTime(received); err == nil {
			if err = json.Unmarshal([]byte(route), &r); err == nil {
				err = json.Unmarshal([]byte(hit), &w.Reasons)
			}
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

// allChannels is every channel an entry may be in (sharing.ParseChannel), as
// query arguments.
func allChannels() []any {
	var out []any
	for _, c := range sharing.Channels {
		out = append(out, string(c))
	}
	for _, c := range sharing.EventChannels {
		out = append(out, string(c))
	}
	return append(out, string(sharing.ChannelIntake))
}
