package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/internal/rowjson"
	"github.com/kakehashi-hub/kakehashi/store/transfer"
)

// Export: the whole database as transfer records (`kakehashi store copy`,
// docs/deployment.md "Moving up"), read in one read transaction. In WAL mode
// that transaction sees one snapshot of the database, taken at its first
// read, whatever a hub serving the same file writes meanwhile: the records
// are consistent with each other. What a running hub writes after the
// snapshot is not in them, which is why the operator stops the hub first.

var _ transfer.Source = (*exporter)(nil)

// Export calls fn with a source of every record of the database, read from
// one snapshot that lasts until fn returns.
func (db *DB) Export(ctx context.Context, fn func(transfer.Source) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	// The snapshot is taken at the first read, not at BEGIN.
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return fn(&exporter{tx: tx})
}

type exporter struct{ tx *sql.Tx }

// exportCounts is the query that counts each kind. Copies kept whole before
// migration 0013 (a bundle and no object list) give their objects to copy
// objects under new ids (legacyCopies).
var exportCounts = map[transfer.Kind]string{
	transfer.Submissions:       `SELECT count(*) FROM submissions`,
	transfer.SubmissionObjects: `SELECT count(*) FROM submission_objects`,
	transfer.Objects:           `SELECT count(*) FROM objects`,
	transfer.ObjectOwners:      `SELECT count(*) FROM object_owners`,
	transfer.CopyObjects: `SELECT (SELECT count(*) FROM copy_objects) + (SELECT coalesce(sum(json_array_length(CAST(bundle AS TEXT), '$.objects')), 0)
		FROM submission_copies WHERE objects IS NULL AND bundle IS NOT NULL)`,
	transfer.Copies:           `SELECT count(*) FROM submission_copies`,
	transfer.ChannelEntries:   `SELECT count(*) FROM channel_entries`,
	transfer.IntakeEntries:    `SELECT count(*) FROM taxii_intake`,
	transfer.Obligations:      `SELECT count(*) FROM obligations`,
	transfer.AuditEntries:     `SELECT count(*) FROM audit_log`,
	transfer.AuditCheckpoints: `SELECT count(*) FROM audit_checkpoints`,
	transfer.RevokedTokens:    `SELECT count(*) FROM revoked_tokens`,
	transfer.APIKeys:          `SELECT count(*) FROM api_keys`,
	transfer.OrganizationKeys: `SELECT count(*) FROM organization_keys`,
	transfer.KeyChanges:       `SELECT count(*) FROM key_changes`,
	transfer.Users:            `SELECT count(*) FROM users`,
	transfer.Sessions:         `SELECT count(*) FROM sessions`,
	transfer.TAXIIStatuses:    `SELECT count(*) FROM taxii_status`,
	transfer.SectorEvents:     `SELECT count(*) FROM sector_events`,
}

// Count implements transfer.Source.
func (x *exporter) Count(ctx context.Context, k transfer.Kind) (int64, error) {
	q, ok := exportCounts[k]
	if !ok {
		return 0, fmt.Errorf("unknown kind %q", k)
	}
	var n int64
	if err := x.tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", k, err)
	}
	return n, nil
}

// eachRow yields what scan makes of each row of q, stopping at the first error.
func eachRow[T any](ctx context.Context, tx *sql.Tx, q string, scan func(*sql.Rows) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rs, err := tx.QueryContext(ctx, q)
		if err != nil {
			yield(zero, err)
			return
		}
		defer rs.Close()
		for rs.Next() {
			v, err := scan(rs)
			if !yield(v, err) || err != nil {
				return
			}
		}
		if err := rs.Err(); err != nil {
			yield(zero, err)
		}
	}
}

// Submissions implements transfer.Source.
func (x *exporter) Submissions(ctx context.Context) iter.Seq2[sharing.Submission, error] {
	return eachRow(ctx, x.tx, `SELECT id, organization, received_at, bundle_id, digest, share_with, hold_for_review, classification, plan
		FROM submissions ORDER BY id`, func(r *sql.Rows) (sharing.Submission, error) {
		var (
			s                                         sharing.Submission
			received, shareWith, classification, plan string
		)
		if err := r.Scan(&s.ID, &s.Organization, &received, &s.BundleID, &s.Digest, &shareWith, &s.HoldForReview, &classification, &plan); err != nil {
			return s, err
		}
		var err error
		if s.ReceivedAt, err = parseTime(received); err != nil {
			return s, fmt.Errorf("submission %s: %w", s.ID, err)
		}
		for _, f := range []struct {
			name string
			raw  string
			v    any
		}{{"share_with", shareWith, &s.ShareWith}, {"plan", plan, &s.Plan}} {
			if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
				return s, fmt.Errorf("submission %s: decode %s: %w", s.ID, f.name, err)
			}
		}
		// The store's own classification rows, read as the store reads them
		// (the rule set, period, report kind and occurred_at come across).
		if s.Incidents, err = rowjson.DecodeClassifications([]byte(classification)); err != nil {
			return s, fmt.Errorf("submission %s: decode classification: %w", s.ID, err)
		}
		return s, nil
	})
}

// SubmissionObjects implements transfer.Source.
func (x *exporter) SubmissionObjects(ctx context.Context) iter.Seq2[transfer.SubmissionObject, error] {
	return eachRow(ctx, x.tx, `SELECT submission_id, seq, object_id, type, version, new FROM submission_objects ORDER BY submission_id, seq`,
		func(r *sql.Rows) (transfer.SubmissionObject, error) {
			var o transfer.SubmissionObject
			err := r.Scan(&o.SubmissionID, &o.Seq, &o.ID, &o.Type, &o.Version, &o.New)
			return o, err
		})
}

// Objects implements transfer.Source.
func (x *exporter) Objects(ctx context.Context) iter.Seq2[sharing.StoredObject, error] {
	return eachRow(ctx, x.tx, `SELECT organization, id, version, type, spec_version, submission_id, date_added, digest, json
		FROM objects ORDER BY organization, id, version`, func(r *sql.Rows) (sharing.StoredObject, error) {
		var (
			o     sharing.StoredObject
			added string
		)
		if err := r.Scan(&o.Organization, &o.ID, &o.Version, &o.Type, &o.SpecVersion, &o.SubmissionID, &added, &o.Digest, &o.JSON); err != nil {
			return o, err
		}
		var err error
		if o.DateAdded, err = parseTime(added); err != nil {
			return o, fmt.Errorf("object %s %s: %w", o.ID, o.Version, err)
		}
		return o, nil
	})
}

// ObjectOwners implements transfer.Source.
func (x *exporter) ObjectOwners(ctx context.Context) iter.Seq2[transfer.ObjectOwner, error] {
	return eachRow(ctx, x.tx, `SELECT id, organization FROM object_owners ORDER BY id`, func(r *sql.Rows) (transfer.ObjectOwner, error) {
		var o transfer.ObjectOwner
		err := r.Scan(&o.ID, &o.Organization)
		return o, err
	})
}

// CopyObjects implements transfer.Source: the stored ones, then the objects
// of the copies kept whole (legacyCopies), numbered after them.
func (x *exporter) CopyObjects(ctx context.Context) iter.Seq2[transfer.CopyObject, error] {
	return func(yield func(transfer.CopyObject, error) bool) {
		for o, err := range eachRow(ctx, x.tx, `SELECT id, json FROM copy_objects ORDER BY id`, func(r *sql.Rows) (transfer.CopyObject, error) {
			var o transfer.CopyObject
			err := r.Scan(&o.ID, &o.JSON)
			return o, err
		}) {
			if !yield(o, err) || err != nil {
				return
			}
		}
		for c, err := range x.legacyCopies(ctx) {
			if err != nil {
				yield(transfer.CopyObject{}, err)
				return
			}
			for i, js := range c.objects {
				if !yield(transfer.CopyObject{ID: c.ids[i], JSON: js}, nil) {
					return
				}
			}
		}
	}
}

// legacyCopy is a copy stored before migration 0013 (its bundle whole),
// split into its objects, which get ids after the last of copy_objects.
type legacyCopy struct {
	submissionID string
	index        int
	bundleID     string
	objects      [][]byte
	ids          []int64
}

// legacyCopies yields the copies kept whole, in (submission, index) order,
// their objects numbered in that order after the last id of copy_objects:
// the same numbers every time in one snapshot. A bundle that its objects do
// not reassemble byte for byte (sharing.RawBundle) is an error: its audited
// digest would no longer hold.
func (x *exporter) legacyCopies(ctx context.Context) iter.Seq2[legacyCopy, error] {
	return func(yield func(legacyCopy, error) bool) {
		var next int64
		if err := x.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM copy_objects`).Scan(&next); err != nil {
			yield(legacyCopy{}, fmt.Errorf("last copy object: %w", err))
			return
		}
		for c, err := range eachRow(ctx, x.tx, `SELECT submission_id, idx, bundle FROM submission_copies WHERE objects IS NULL AND bundle IS NOT NULL
			ORDER BY submission_id, idx`, func(r *sql.Rows) (legacyCopy, error) {
			var (
				c      legacyCopy
				bundle []byte
			)
			if err := r.Scan(&c.submissionID, &c.index, &bundle); err != nil {
				return c, err
			}
			var b struct {
				ID      string            `json:"id"`
				Objects []json.RawMessage `json:"objects"`
			}
			if err := json.Unmarshal(bundle, &b); err != nil {
				return c, fmt.Errorf("copy %d of %s: decode bundle: %w", c.index, c.submissionID, err)
			}
			c.bundleID = b.ID
			for _, o := range b.Objects {
				c.objects = append(c.objects, []byte(o))
			}
			again, err := sharing.RawBundle(c.bundleID, c.objects)
			if err != nil || !bytes.Equal(again, bundle) {
				return c, fmt.Errorf("copy %d of %s: its bundle, kept whole before migration 0013, cannot be split into its objects and reassembled byte for byte", c.index, c.submissionID)
			}
			return c, nil
		}) {
			if err == nil {
				c.ids = make([]int64, len(c.objects))
				for i := range c.ids {
					c.ids[i] = next
					next++
				}
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// Copies implements transfer.Source.
func (x *exporter) Copies(ctx context.Context) iter.Seq2[transfer.Copy, error] {
	return func(yield func(transfer.Copy, error) bool) {
		type key struct {
			submission string
			index      int
		}
		legacy := map[key]legacyCopy{} // a few at most
		for c, err := range x.legacyCopies(ctx) {
			if err != nil {
				yield(transfer.Copy{}, err)
				return
			}
			legacy[key{c.submissionID, c.index}] = c
		}
		for c, err := range eachRow(ctx, x.tx, `SELECT submission_id, idx, route, status, hits, notice, bundle_id, objects
			FROM submission_copies ORDER BY submission_id, idx`, func(r *sql.Rows) (transfer.Copy, error) {
			var (
				c                   transfer.Copy
				route, status, hits string
				bundleID, objects   sql.NullString
			)
			if err := r.Scan(&c.SubmissionID, &c.Index, &route, &status, &hits, &c.Notice, &bundleID, &objects); err != nil {
				return c, err
			}
			c.Status = sharing.ReleaseStatus(status)
			if err := json.Unmarshal([]byte(route), &c.Route); err != nil {
				return c, fmt.Errorf("copy %d of %s: decode route: %w", c.Index, c.SubmissionID, err)
			}
			if err := json.Unmarshal([]byte(hits), &c.Hits); err != nil {
				return c, fmt.Errorf("copy %d of %s: decode hits: %w", c.Index, c.SubmissionID, err)
			}
			if objects.Valid {
				c.BundleID = bundleID.String
				if err := json.Unmarshal([]byte(objects.String), &c.ObjectIDs); err != nil {
					return c, fmt.Errorf("copy %d of %s: decode objects: %w", c.Index, c.SubmissionID, err)
				}
			}
			return c, nil
		}) {
			if l, ok := legacy[key{c.SubmissionID, c.Index}]; ok && err == nil {
				c.BundleID, c.ObjectIDs = l.bundleID, l.ids
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// ChannelEntries implements transfer.Source.
func (x *exporter) ChannelEntries(ctx context.Context) iter.Seq2[transfer.ChannelEntry, error] {
	return eachRow(ctx, x.tx, `SELECT seq, channel, object_id, version, submission_id, organization, recipients, status, date_added, json_id
		FROM channel_entries ORDER BY seq`, func(r *sql.Rows) (transfer.ChannelEntry, error) {
		var (
			e                 transfer.ChannelEntry
			ch, status, added string
			recipients        sql.NullString
		)
		if err := r.Scan(&e.Seq, &ch, &e.ObjectID, &e.Version, &e.SubmissionID, &e.Organization, &recipients, &status, &added, &e.JSONID); err != nil {
			return e, err
		}
		e.Channel, e.Status = sharing.Channel(ch), sharing.ReleaseStatus(status)
		// An unreadable list is an error here, not an entry served to
		// nobody: the copy must not widen or lose who may read it.
		if recipients.Valid {
			if err := json.Unmarshal([]byte(recipients.String), &e.Recipients); err != nil {
				return e, fmt.Errorf("channel entry %d: recipients: %w", e.Seq, err)
			}
			if e.Recipients == nil {
				e.Recipients = []string{}
			}
		}
		var err error
		if e.DateAdded, err = parseTime(added); err != nil {
			return e, fmt.Errorf("channel entry %d: %w", e.Seq, err)
		}
		return e, nil
	})
}

// IntakeEntries implements transfer.Source.
func (x *exporter) IntakeEntries(ctx context.Context) iter.Seq2[transfer.IntakeEntry, error] {
	return eachRow(ctx, x.tx, `SELECT seq, organization, object_id, version, date_added FROM taxii_intake ORDER BY seq`,
		func(r *sql.Rows) (transfer.IntakeEntry, error) {
			var (
				e     transfer.IntakeEntry
				added string
			)
			if err := r.Scan(&e.Seq, &e.Organization, &e.ObjectID, &e.Version, &added); err != nil {
				return e, err
			}
			var err error
			if e.DateAdded, err = parseTime(added); err != nil {
				return e, fmt.Errorf("intake entry %d: %w", e.Seq, err)
			}
			return e, nil
		})
}

// Obligations implements transfer.Source.
func (x *exporter) Obligations(ctx context.Context) iter.Seq2[reporting.Obligation, error] {
	return eachRow(ctx, x.tx, `SELECT id, json FROM obligations ORDER BY id`, func(r *sql.Rows) (reporting.Obligation, error) {
		var (
			id  string
			raw []byte
		)
		if err := r.Scan(&id, &raw); err != nil {
			return reporting.Obligation{}, err
		}
		o, err := rowjson.DecodeObligation(raw)
		if err != nil {
			return o, fmt.Errorf("obligation %s: %w", id, err)
		}
		return o, nil
	})
}

// AuditEntries implements transfer.Source: entries as stored, unchecked
// (the copy is verified where it lands).
func (x *exporter) AuditEntries(ctx context.Context) iter.Seq2[sharing.AuditEntry, error] {
	return eachRow(ctx, x.tx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`,
		func(r *sql.Rows) (sharing.AuditEntry, error) { return scanAuditEntry(r.Scan) })
}

// AuditCheckpoints implements transfer.Source.
func (x *exporter) AuditCheckpoints(ctx context.Context) iter.Seq2[sharing.AuditCheckpoint, error] {
	return eachRow(ctx, x.tx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id`,
		func(r *sql.Rows) (sharing.AuditCheckpoint, error) { return scanAuditCheckpoint(r.Scan) })
}

// RevokedTokens implements transfer.Source.
func (x *exporter) RevokedTokens(ctx context.Context) iter.Seq2[transfer.RevokedToken, error] {
	return eachRow(ctx, x.tx, `SELECT jti, revoked_at FROM revoked_tokens ORDER BY jti`, func(r *sql.Rows) (transfer.RevokedToken, error) {
		var (
			t  transfer.RevokedToken
			at string
		)
		if err := r.Scan(&t.JTI, &at); err != nil {
			return t, err
		}
		var err error
		t.RevokedAt, err = parseTime(at)
		return t, err
	})
}

// APIKeys implements transfer.Source.
func (x *exporter) APIKeys(ctx context.Context) iter.Seq2[sharing.APIKey, error] {
	return eachRow(ctx, x.tx, `SELECT id, organization, hash, created_at, expires_at, revoked_at FROM api_keys ORDER BY id`,
		func(r *sql.Rows) (sharing.APIKey, error) {
			var (
				k                sharing.APIKey
				created          string
				expires, revoked sql.NullString
			)
			if err := r.Scan(&k.ID, &k.Organization, &k.Hash, &created, &expires, &revoked); err != nil {
				return k, err
			}
			var err error
			if k.CreatedAt, err = parseTime(created); err != nil {
				return k, fmt.Errorf("api key %s: %w", k.ID, err)
			}
			// Migration 0009 gave every key an expiry; NULL is not written since.
			if !expires.Valid {
				return k, fmt.Errorf("api key %s has no expiry", k.ID)
			}
			if k.ExpiresAt, err = parseTime(expires.String); err != nil {
				return k, fmt.Errorf("api key %s: %w", k.ID, err)
			}
			if revoked.Valid {
				t, err := parseTime(revoked.String)
				if err != nil {
					return k, fmt.Errorf("api key %s: %w", k.ID, err)
				}
				k.RevokedAt = &t
			}
			return k, nil
		})
}

// OrganizationKeys implements transfer.Source.
func (x *exporter) OrganizationKeys(ctx context.Context) iter.Seq2[transfer.OrganizationKey, error] {
	return eachRow(ctx, x.tx, `SELECT organization, armored, fingerprint, updated_at FROM organization_keys ORDER BY organization`,
		func(r *sql.Rows) (transfer.OrganizationKey, error) {
			var (
				k  transfer.OrganizationKey
				at string
			)
			if err := r.Scan(&k.Organization, &k.Armored, &k.Fingerprint, &at); err != nil {
				return k, err
			}
			var err error
			k.UpdatedAt, err = parseTime(at)
			return k, err
		})
}

// KeyChanges implements transfer.Source.
func (x *exporter) KeyChanges(ctx context.Context) iter.Seq2[sharing.KeyChange, error] {
	return eachRow(ctx, x.tx, `SELECT organization, at, fingerprint, source, actor FROM key_changes ORDER BY seq`,
		func(r *sql.Rows) (sharing.KeyChange, error) {
			var (
				c  sharing.KeyChange
				at string
			)
			if err := r.Scan(&c.Organization, &at, &c.Fingerprint, &c.Source, &c.Actor); err != nil {
				return c, err
			}
			var err error
			c.At, err = parseTime(at)
			return c, err
		})
}

// Users implements transfer.Source.
func (x *exporter) Users(ctx context.Context) iter.Seq2[sharing.User, error] {
	return eachRow(ctx, x.tx, `SELECT `+userColumns+` FROM users ORDER BY username`,
		func(r *sql.Rows) (sharing.User, error) { return scanUser(r.Scan) })
}

// Sessions implements transfer.Source.
func (x *exporter) Sessions(ctx context.Context) iter.Seq2[sharing.Session, error] {
	return eachRow(ctx, x.tx, `SELECT id, username, organization, csrf, created_at, last_seen FROM sessions ORDER BY id`,
		func(r *sql.Rows) (sharing.Session, error) {
			var (
				s             sharing.Session
				created, seen string
			)
			if err := r.Scan(&s.ID, &s.Username, &s.Organization, &s.CSRF, &created, &seen); err != nil {
				return s, err
			}
			var err error
			if s.CreatedAt, err = parseTime(created); err == nil {
				s.LastSeen, err = parseTime(seen)
			}
			return s, err
		})
}

// TAXIIStatuses implements transfer.Source.
func (x *exporter) TAXIIStatuses(ctx context.Context) iter.Seq2[sharing.TAXIIStatus, error] {
	return eachRow(ctx, x.tx, `SELECT id, organization, created_at, body FROM taxii_status ORDER BY id`,
		func(r *sql.Rows) (sharing.TAXIIStatus, error) {
			var (
				st                sharing.TAXIIStatus
				id, created, body string
			)
			if err := r.Scan(&id, &st.Organization, &created, &body); err != nil {
				return st, err
			}
			if err := json.Unmarshal([]byte(body), &st); err != nil {
				return st, fmt.Errorf("taxii status %s: %w", id, err)
			}
			var err error
			st.CreatedAt, err = parseTime(created)
			return st, err
		})
}

// SectorEvents implements transfer.Source.
func (x *exporter) SectorEvents(ctx context.Context) iter.Seq2[outage.Event, error] {
	return eachRow(ctx, x.tx, `SELECT id, json FROM sector_events ORDER BY id`, func(r *sql.Rows) (outage.Event, error) {
		var (
			ev  outage.Event
			id  string
			raw []byte
		)
		if err := r.Scan(&id, &raw); err != nil {
			return ev, err
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			return ev, fmt.Errorf("sector event %s: %w", id, err)
		}
		return ev, nil
	})
}
