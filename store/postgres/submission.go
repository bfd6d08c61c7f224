package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/internal/rowjson"
)

var (
	_ sharing.Store       = (*DB)(nil)
	_ sharing.ReviewStore = (*DB)(nil)
	_ sharing.TAXIIStore  = (*DB)(nil)
)

// CreateSubmission implements sharing.Store: the submission, its claims, new
// objects, object list, obligations, intake entries, what routing made and
// the audit entries, in one transaction.
//
// Everything that takes a position in a TAXII collection (intake and channel
// entries) and the audit entries are written last, under the audit advisory
// lock (stamps): routing's parts (rec.Routing) are all taken before the lock,
// so that routing's work does not hold up every other hub's intake. Routing
// reads no intake entries, so writing them after it is not observable.
func (db *DB) CreateSubmission(ctx context.Context, rec *sharing.IntakeRecord) error {
	s := rec.Submission
	incidents := s.Incidents
	if incidents == nil {
		incidents = []reporting.Result{}
	}
	classification, err := rowjson.EncodeClassifications(incidents)
	if err != nil {
		return fmt.Errorf("encode classification: %w", err)
	}
	vkeys := versionKeys{}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO submissions(id, organization, received_at, bundle_id, digest, share_with, hold_for_review, classification, plan)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{"channels":[]}')`, s.ID, s.Organization, stamp(s.ReceivedAt), s.BundleID, s.Digest,
			nonNil(s.ShareWith), s.HoldForReview, classification); err != nil {
			return fmt.Errorf("insert submission: %w", translate(err))
		}
		if len(rec.Claims) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO object_owners(id, organization) SELECT unnest($1::text[]), $2`, rec.Claims, s.Organization); err != nil {
				return fmt.Errorf("claim ids: %w", translate(err))
			}
		}
		if err := insertObjects(ctx, tx, rec, vkeys); err != nil {
			return err
		}
		if err := upsertObligations(ctx, tx, rec.Obligations); err != nil {
			return err
		}
		if err := rec.CompleteRouting(); err != nil {
			return err
		}
		if s.Plan.Channels == nil {
			s.Plan.Channels = []sharing.Route{}
		}
		plan, err := json.Marshal(s.Plan)
		if err != nil {
			return fmt.Errorf("encode plan: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE submissions SET plan = $1 WHERE id = $2`, plan, s.ID); err != nil {
			return fmt.Errorf("record plan: %w", err)
		}
		if len(rec.HubClaims) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO object_owners(id, organization) SELECT unnest($1::text[]), $2 ON CONFLICT (id) DO NOTHING`,
				rec.HubClaims, sharing.HubOrganization); err != nil {
				return fmt.Errorf("claim ids for the hub: %w", err)
			}
		}
		bodies, err := db.insertCopies(ctx, tx, rec)
		if err != nil {
			return err
		}
		// From here on, under the lock: positions in commit order.
		if err := db.lockPositions(ctx, tx); err != nil {
			return err
		}
		if err := db.insertIntake(ctx, tx, s, vkeys); err != nil {
			return err
		}
		if err := db.insertEntries(ctx, tx, rec, bodies, vkeys); err != nil {
			return err
		}
		for _, ev := range rec.Audit {
			if err := db.appendAudit(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertObjects writes the submission's new object versions and its object
// list, each in one statement over arrays.
func insertObjects(ctx context.Context, tx pgx.Tx, rec *sharing.IntakeRecord, vkeys versionKeys) error {
	s, objs := rec.Submission, rec.Objects
	if len(objs) > 0 {
		n := len(objs)
		ids, versions, types, specs, orgs, subs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		added, digests, bodies, keys := make([]time.Time, n), make([]string, n), make([][]byte, n), make([]string, n)
		for i, o := range objs {
			ids[i], versions[i], types[i], specs[i], orgs[i], subs[i] = o.ID, o.Version, o.Type, o.SpecVersion, o.Organization, o.SubmissionID
			added[i], digests[i], bodies[i], keys[i] = stamp(o.DateAdded), o.Digest, o.JSON, vkeys.of(o.Version)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO objects(id, version, type, spec_version, organization, submission_id, date_added, digest, json, version_key)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::bytea[], $10::text[])`,
			ids, versions, types, specs, orgs, subs, added, digests, bodies, keys); err != nil {
			return fmt.Errorf("insert objects: %w", translate(err))
		}
	}
	if n := len(s.Objects); n > 0 {
		seqs, ids, types, versions, news := make([]int32, n), make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
		for i, o := range s.Objects {
			seqs[i], ids[i], types[i], versions[i], news[i] = int32(i), o.ID, o.Type, o.Version, o.New
		}
		if _, err := tx.Exec(ctx, `INSERT INTO submission_objects(submission_id, seq, object_id, type, version, new)
			SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::boolean[])`,
			s.ID, seqs, ids, types, versions, news); err != nil {
			return fmt.Errorf("insert submission objects: %w", translate(err))
		}
	}
	return nil
}

// upsertObligations creates or updates the obligations of a classification.
func upsertObligations(ctx context.Context, tx pgx.Tx, obls []reporting.Obligation) error {
	for _, o := range obls {
		err := updateObligation(ctx, tx, o)
		if errors.Is(err, reporting.ErrNotFound) {
			err = insertObligation(ctx, tx, o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// insertIntake adds the submission's object versions to the submitter's
// intake collection, each with a stamp of its own; a version the
// organization had submitted before keeps its first. The caller holds the
// position lock.
func (db *DB) insertIntake(ctx context.Context, tx pgx.Tx, s *sharing.Submission, vkeys versionKeys) error {
	n := len(s.Objects)
	if n == 0 {
		return nil
	}
	first, err := db.stamps(ctx, tx, n)
	if err != nil {
		return err
	}
	ids, versions, keys, added := make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
	for i, o := range s.Objects {
		ids[i], versions[i], keys[i], added[i] = o.ID, o.Version, vkeys.of(o.Version), first.Add(time.Duration(i)*time.Microsecond)
	}
	// Rows in object order, so that seq follows the stamps.
	if _, err := tx.Exec(ctx, `INSERT INTO taxii_intake(organization, object_id, version, version_key, date_added)
		SELECT $1, i, v, k, a FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS u(i, v, k, a, n)
		ORDER BY n ON CONFLICT (organization, object_id, version) DO NOTHING`, s.Organization, ids, versions, keys, added); err != nil {
		return fmt.Errorf("insert intake entries: %w", translate(err))
	}
	return nil
}

// FindSubmissionByID implements sharing.Store.
func (db *DB) FindSubmissionByID(ctx context.Context, id string) (*sharing.Submission, error) {
	return db.findSubmission(ctx, "id = $1", id)
}

// FindSubmissionByDigest implements sharing.Store.
func (db *DB) FindSubmissionByDigest(ctx context.Context, org, digest string) (*sharing.Submission, error) {
	return db.findSubmission(ctx, "organization = $1 AND digest = $2", org, digest)
}

func (db *DB) findSubmission(ctx context.Context, where string, args ...any) (*sharing.Submission, error) {
	var (
		s                    sharing.Submission
		classification, plan []byte
	)
	err := db.pool.QueryRow(ctx, `SELECT id, organization, received_at, bundle_id, digest, share_with, hold_for_review, classification, plan
		FROM submissions WHERE `+where, args...).Scan(&s.ID, &s.Organization, &s.ReceivedAt, &s.BundleID, &s.Digest, &s.ShareWith, &s.HoldForReview, &classification, &plan)
	if err != nil {
		return nil, fmt.Errorf("find submission: %w", translate(err))
	}
	s.ReceivedAt = s.ReceivedAt.UTC()
	if s.Incidents, err = rowjson.DecodeClassifications(classification); err != nil {
		return nil, fmt.Errorf("decode classification of %s: %w", s.ID, err)
	}
	if err := json.Unmarshal(plan, &s.Plan); err != nil {
		return nil, fmt.Errorf("decode plan of %s: %w", s.ID, err)
	}
	objs, err := db.pool.Query(ctx, `SELECT object_id, type, version, new FROM submission_objects WHERE submission_id = $1 ORDER BY seq`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", s.ID, err)
	}
	defer objs.Close()
	for objs.Next() {
		var o sharing.SubmittedObject
		if err := objs.Scan(&o.ID, &o.Type, &o.Version, &o.New); err != nil {
			return nil, fmt.Errorf("scan object of %s: %w", s.ID, err)
		}
		s.Objects = append(s.Objects, o)
	}
	if err := objs.Err(); err != nil {
		return nil, fmt.Errorf("list objects of %s: %w", s.ID, err)
	}
	return &s, nil
}

// FindObjectOwners implements sharing.Store.
func (db *DB) FindObjectOwners(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, organization FROM object_owners WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("find object owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, org string
		if err := rows.Scan(&id, &org); err != nil {
			return nil, fmt.Errorf("scan object owner: %w", err)
		}
		out[id] = org
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find object owners: %w", err)
	}
	return out, nil
}

// FindObjectDigests implements sharing.Store.
func (db *DB) FindObjectDigests(ctx context.Context, org string, keys []sharing.ObjectKey) (map[sharing.ObjectKey]string, error) {
	out := map[sharing.ObjectKey]string{}
	if len(keys) == 0 {
		return out, nil
	}
	ids, versions := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		ids[i], versions[i] = k.ID, k.Version
	}
	rows, err := db.pool.Query(ctx, `SELECT o.id, o.version, o.digest FROM unnest($2::text[], $3::text[]) AS k(id, version)
		JOIN objects o ON o.organization = $1 AND o.id = k.id AND o.version = k.version`, org, ids, versions)
	if err != nil {
		return nil, fmt.Errorf("find object digests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k sharing.ObjectKey
		var d string
		if err := rows.Scan(&k.ID, &k.Version, &d); err != nil {
			return nil, fmt.Errorf("scan object digest: %w", err)
		}
		out[k] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find object digests: %w", err)
	}
	return out, nil
}

// FindObjectVersion implements sharing.Store.
func (db *DB) FindObjectVersion(ctx context.Context, org string, key sharing.ObjectKey) (*sharing.StoredObject, error) {
	return db.findObject(ctx, key.ID, `WHERE organization = $1 AND id = $2 AND version = $3`, org, key.ID, key.Version)
}

// FindLatestObject implements sharing.Store: the version with the latest modified.
func (db *DB) FindLatestObject(ctx context.Context, org, id string) (*sharing.StoredObject, error) {
	return db.findObject(ctx, id, `WHERE organization = $1 AND id = $2 ORDER BY version_key DESC LIMIT 1`, org, id)
}

// FindObjectBefore implements sharing.Store.
func (db *DB) FindObjectBefore(ctx context.Context, org, id, version string) (*sharing.StoredObject, error) {
	return db.findObject(ctx, id, `WHERE organization = $1 AND id = $2 AND version_key < $3 ORDER BY version_key DESC LIMIT 1`, org, id, versionKey(version))
}

func (db *DB) findObject(ctx context.Context, id, where string, args ...any) (*sharing.StoredObject, error) {
	var o sharing.StoredObject
	err := db.pool.QueryRow(ctx, `SELECT id, version, type, spec_version, organization, submission_id, date_added, digest, json
		FROM objects `+where, args...).
		Scan(&o.ID, &o.Version, &o.Type, &o.SpecVersion, &o.Organization, &o.SubmissionID, &o.DateAdded, &o.Digest, &o.JSON)
	if err != nil {
		return nil, fmt.Errorf("find object %s: %w", id, translate(err))
	}
	o.DateAdded = o.DateAdded.UTC()
	return &o, nil
}

// FindClassifications implements sharing.Store: every classification any
// submission answered, in the order received.
func (db *DB) FindClassifications(ctx context.Context, organization string) ([]reporting.Result, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, classification FROM submissions WHERE classification <> '[]'::jsonb AND ($1 = '' OR organization = $1) ORDER BY received_at, id`, organization)
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

// versionKeys remembers the version keys of one submission.
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
// sort as text (COLLATE "C"); a version that is not a timestamp sorts first.
// The same key as store/sqlite's.
func versionKey(v string) string {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return ""
	}
	return t.UTC().Format(versionKeyLayout)
}

const versionKeyLayout = "2006-01-02T15:04:05.000000000Z"

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
