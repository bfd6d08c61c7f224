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
	"github.com/kakehashi-hub/kakehashi/store/internal/rowjson"
)

var _ sharing.Store = (*DB)(nil)

// CreateSubmission implements sharing.Store: submission, new objects, the
// object list, what routing made and the audit entries in one transaction.
func (db *DB) CreateSubmission(ctx context.Context, rec *sharing.IntakeRecord) error {
	s, objs := rec.Submission, rec.Objects
	shareWith, err := json.Marshal(nonNil(s.ShareWith))
	if err != nil {
		return fmt.Errorf("encode share_with: %w", err)
	}
	classification, err := rowjson.EncodeClassifications(s.Incidents)
	if err != nil {
		return fmt.Errorf("encode classification: %w", err)
	}
	vkeys := versionKeys{}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// The plan is written last (routing may still be at work, Routing).
		if _, err := tx.ExecContext(ctx, `INSERT INTO submissions(id, organization, received_at, bundle_id, digest, share_with, hold_for_review, classification)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.Organization, formatTime(s.ReceivedAt), s.BundleID, s.Digest, string(shareWith), s.HoldForReview, string(classification)); err != nil {
			return fmt.Errorf("insert submission: %w", err)
		}
		// Claims go in multi-row statements too (a new 1,000-object bundle
		// claims 1,000 ids); a claim taken meanwhile fails the batch, and so
		// the submission, with ErrConflict, as a single row would.
		if err := batchInsert(ctx, tx, `INSERT INTO object_owners(id, organization)`, 2, len(rec.Claims), func(i int) []any {
			return []any{rec.Claims[i], s.Organization}
		}); err != nil {
			return fmt.Errorf("claim the submission's objects: %w", err)
		}
		if err := batchInsert(ctx, tx, `INSERT INTO objects(id, version, type, spec_version, organization, submission_id, date_added, digest, json, version_key)`, 10,
			len(objs), func(i int) []any {
				o := objs[i]
				return []any{o.ID, o.Version, o.Type, o.SpecVersion, o.Organization, o.SubmissionID, formatTime(o.DateAdded), o.Digest, o.JSON, vkeys.of(o.Version)}
			}); err != nil {
			return err
		}
		if err := batchInsert(ctx, tx, `INSERT INTO submission_objects(submission_id, seq, object_id, type, version, new)`, 6,
			len(s.Objects), func(i int) []any {
				o := s.Objects[i]
				return []any{s.ID, i, o.ID, o.Type, o.Version, o.New}
			}); err != nil {
			return err
		}
		if err := upsertObligations(ctx, tx, rec.Obligations); err != nil {
			return err
		}
		if err := db.insertIntake(ctx, tx, s, vkeys); err != nil {
			return err
		}
		return db.insertRouted(ctx, tx, rec, vkeys)
	})
}

// insertRouted writes, in the submission's transaction, what routing made,
// part by part as it comes (IntakeRecord.Routing): the statutory copies are
// written while the others are still being anonymized on the other core.
// Then the plan, the hub's claims and every audit entry of the submission.
func (db *DB) insertRouted(ctx context.Context, tx *sql.Tx, rec *sharing.IntakeRecord, vkeys versionKeys) error {
	s := rec.Submission
	bodies, err := newCopyObjects(ctx, tx)
	if err != nil {
		return err
	}
	if err := db.insertRelease(ctx, tx, s.ID, sharing.RoutedPart{Copies: rec.Copies, Entries: rec.Entries, Revoked: rec.Revoked}, bodies, vkeys); err != nil {
		return err
	}
	hubClaims, audit := rec.HubClaims, rec.Audit
	if err := rec.EachRoutedPart(func(part sharing.RoutedPart) error {
		hubClaims, audit = append(hubClaims, part.HubClaims...), append(audit, part.Audit...)
		return db.insertRelease(ctx, tx, s.ID, part, bodies, vkeys)
	}); err != nil {
		return err
	}
	if s.Plan.Channels == nil {
		s.Plan.Channels = []sharing.Route{}
	}
	plan, err := json.Marshal(s.Plan)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET plan = ? WHERE id = ?`, string(plan), s.ID); err != nil {
		return fmt.Errorf("record plan: %w", err)
	}
	for _, id := range hubClaims {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO object_owners(id, organization) VALUES (?, ?)`, id, sharing.HubOrganization); err != nil {
			return fmt.Errorf("claim %s for the hub: %w", id, err)
		}
	}
	for _, ev := range audit {
		if err := db.appendAudit(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// insertIntake adds the submission's object versions to the submitter's
// intake collection (TAXII), each with a stamp of its own; a version the
// organization had submitted before keeps its first date.
func (db *DB) insertIntake(ctx context.Context, tx *sql.Tx, s *sharing.Submission, vkeys versionKeys) error {
	// UNIQUE (organization, object_id, version): OR IGNORE keeps the first date.
	return batchInsert(ctx, tx, `INSERT OR IGNORE INTO taxii_intake(organization, object_id, version, version_key, date_added)`, 5,
		len(s.Objects), func(i int) []any {
			o := s.Objects[i]
			return []any{s.Organization, o.ID, o.Version, vkeys.of(o.Version), formatTime(db.stamp())}
		})
}

// FindSubmissionByID implements sharing.Store.
func (db *DB) FindSubmissionByID(ctx context.Context, id string) (*sharing.Submission, error) {
	return db.findSubmission(ctx, "id = ?", id)
}

// FindSubmissionByDigest implements sharing.Store.
func (db *DB) FindSubmissionByDigest(ctx context.Context, org, digest string) (*sharing.Submission, error) {
	return db.findSubmission(ctx, "organization = ? AND digest = ?", org, digest)
}

func (db *DB) findSubmission(ctx context.Context, where string, args ...any) (*sharing.Submission, error) {
	var (
		s                    sharing.Submission
		received, shareWith  string
		classification, plan []byte
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, organization, received_at, bundle_id, digest, share_with, hold_for_review, classification, plan
		FROM submissions WHERE `+where, args...).Scan(&s.ID, &s.Organization, &received, &s.BundleID, &s.Digest, &shareWith, &s.HoldForReview, &classification, &plan)
	if err != nil {
		return nil, fmt.Errorf("find submission: %w", translate(err))
	}
	if s.ReceivedAt, err = parseTime(received); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(shareWith), &s.ShareWith); err != nil {
		return nil, fmt.Errorf("decode share_with of %s: %w", s.ID, err)
	}
	if s.Incidents, err = rowjson.DecodeClassifications(classification); err != nil {
		return nil, fmt.Errorf("decode classification of %s: %w", s.ID, err)
	}
	if err := json.Unmarshal(plan, &s.Plan); err != nil {
		return nil, fmt.Errorf("decode plan of %s: %w", s.ID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT object_id, type, version, new FROM submission_objects WHERE submission_id = ? ORDER BY seq`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", s.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o sharing.SubmittedObject
		if err := rows.Scan(&o.ID, &o.Type, &o.Version, &o.New); err != nil {
			return nil, fmt.Errorf("scan object of %s: %w", s.ID, err)
		}
		s.Objects = append(s.Objects, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", s.ID, err)
	}
	return &s, nil
}

// FindObjectOwners implements sharing.Store, in chunks (SQLite caps bound parameters).
func (db *DB) FindObjectOwners(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	err := inChunks(ids, func(in string, args []any) error {
		rows, err := db.read.QueryContext(ctx, `SELECT id, organization FROM object_owners WHERE id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("find object owners: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, org string
			if err := rows.Scan(&id, &org); err != nil {
				return fmt.Errorf("scan object owner: %w", err)
			}
			out[id] = org
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindObjectDigests implements sharing.Store.
func (db *DB) FindObjectDigests(ctx context.Context, org string, keys []sharing.ObjectKey) (map[sharing.ObjectKey]string, error) {
	out := map[sharing.ObjectKey]string{}
	// Look up in chunks: SQLite caps the number of bound parameters.
	const chunk = 400
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		var q strings.Builder
		q.WriteString("SELECT id, version, digest FROM objects WHERE organization = ? AND (id, version) IN (VALUES ")
		args := make([]any, 0, 2*len(part)+1)
		args = append(args, org)
		for i, k := range part {
			if i > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?, ?)")
			args = append(args, k.ID, k.Version)
		}
		q.WriteString(")")
		rows, err := db.read.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("find object digests: %w", err)
		}
		for rows.Next() {
			var k sharing.ObjectKey
			var d string
			if err := rows.Scan(&k.ID, &k.Version, &d); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan object digest: %w", err)
			}
			out[k] = d
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("find object digests: %w", err)
		}
	}
	return out, nil
}

// FindObjectVersion implements sharing.Store.
func (db *DB) FindObjectVersion(ctx context.Context, org string, key sharing.ObjectKey) (*sharing.StoredObject, error) {
	return db.findObject(ctx, `WHERE organization = ? AND id = ? AND version = ?`, org, key.ID, key.Version)
}

// FindLatestObject implements sharing.Store: the version with the latest modified.
func (db *DB) FindLatestObject(ctx context.Context, org, id string) (*sharing.StoredObject, error) {
	return db.findObject(ctx, `WHERE organization = ? AND id = ? ORDER BY version_key DESC LIMIT 1`, org, id)
}

// FindObjectBefore implements sharing.Store.
func (db *DB) FindObjectBefore(ctx context.Context, org, id, version string) (*sharing.StoredObject, error) {
	return db.findObject(ctx, `WHERE organization = ? AND id = ? AND version_key < ? ORDER BY version_key DESC LIMIT 1`, org, id, versionKey(version))
}

func (db *DB) findObject(ctx context.Context, where string, args ...any) (*sharing.StoredObject, error) {
	var (
		o     sharing.StoredObject
		added string
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, version, type, spec_version, organization, submission_id, date_added, digest, json
		FROM objects `+where, args...).
		Scan(&o.ID, &o.Version, &o.Type, &o.SpecVersion, &o.Organization, &o.SubmissionID, &added, &o.Digest, &o.JSON)
	if err != nil {
		return nil, fmt.Errorf("find object %v: %w", args[1], translate(err))
	}
	if o.DateAdded, err = parseTime(added); err != nil {
		return nil, err
	}
	return &o, nil
}

// CountRows returns the number of rows of a table; tests use it to prove that
// a refused submission stored nothing.
func (db *DB) CountRows(ctx context.Context, table string) (int64, error) {
	switch table {
	case "submissions", "objects", "submission_objects", "audit_log", "revoked_tokens", "obligations", "channel_entries", "submission_copies", "copy_objects":
	default:
		return 0, errors.New("count rows: unknown table " + table)
	}
	var n int64
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// versionKeys remembers the version keys of one submission: its objects
// mostly share a handful of versions, and each entry of each copy needs one.
type versionKeys map[string]string

func (k versionKeys) of(v string) string {
	vk, ok := k[v]
	if !ok {
		vk = versionKey(v)
		k[v] = vk
	}
	return vk
}

// versionKey renders a STIX timestamp at fixed nanosecond width so versions
// sort as text; a version that is not a timestamp sorts first.
func versionKey(v string) string {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// FindClassifications implements sharing.Store: every classification any
// submission answered, in the order received.
func (db *DB) FindClassifications(ctx context.Context, organization string) ([]reporting.Result, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, classification FROM submissions WHERE classification != '[]' AND (? = '' OR organization = ?) ORDER BY received_at, id`, organization, organization)
	if err != nil {
		return nil, fmt.Errorf("find classifications: %w", err)
	}
	defer rows.Close()
	var out []reporting.Result
	for rows.Next() {
		var (
			id  string
			raw []byte
		)
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("scan classification: %w", err)
		}
		rs, err := rowjson.DecodeClassifications(raw)
		if err != nil {
			db.skip("submissions.classification", id, err)
			continue
		}
		out = append(out, rs...)
	}
	return out, rows.Err()
}
