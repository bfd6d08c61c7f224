package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/internal/rowjson"
	"github.com/kakehashi-hub/kakehashi/store/transfer"
)

// Import takes a whole hub into an empty database (`kakehashi store copy`,
// docs/deployment.md "Moving up"), in ONE transaction: the target holds all
// of the hub or, whatever fails, nothing. Rows go in with COPY, kind by
// kind, keeping every position: the seq and date_added of channel and
// intake entries (a TAXII reader's next token keeps working), the ids of
// copy objects, and each audit entry as it was (seq, time, content, hashes).
// The transaction holds the audit advisory lock (lockPositions) from the
// start, so no hub on this database appends or stamps meanwhile.
type Import struct {
	db    *DB
	tx    pgx.Tx
	vkeys versionKeys
}

var _ transfer.Target = (*Import)(nil)

// importTables are the tables an import fills; all must be empty.
var importTables = []string{"submissions", "submission_objects", "objects", "object_owners", "copy_objects", "submission_copies",
	"channel_entries", "taxii_intake", "obligations", "audit_log", "audit_checkpoints", "revoked_tokens", "api_keys",
	"organization_keys", "key_changes", "users", "sessions", "taxii_status", "sector_events"}

// ErrNotEmpty is returned by BeginImport when the database already holds
// (part of) a hub.
var ErrNotEmpty = errors.New("target database already holds a hub")

// BeginImport starts an import. It fails with ErrNotEmpty unless every
// table of the hub is empty. Commit or Rollback ends it.
func (db *DB) BeginImport(ctx context.Context) (*Import, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	im := &Import{db: db, tx: tx, vkeys: versionKeys{}}
	if err := im.begin(ctx); err != nil {
		tx.Rollback(context.Background())
		return nil, err
	}
	return im, nil
}

func (im *Import) begin(ctx context.Context) error {
	if err := im.db.lockPositions(ctx, im.tx); err != nil {
		return err
	}
	var q strings.Builder
	q.WriteString("SELECT (SELECT count(*) FROM submissions), (SELECT count(*) FROM audit_log), ")
	for i, t := range importTables {
		if i > 0 {
			q.WriteString(" OR ")
		}
		fmt.Fprintf(&q, "EXISTS (SELECT 1 FROM %s)", t)
	}
	var (
		subs, audit int64
		held        bool
	)
	if err := im.tx.QueryRow(ctx, q.String()).Scan(&subs, &audit, &held); err != nil {
		return fmt.Errorf("check the target is empty: %w", err)
	}
	if held {
		return fmt.Errorf("%w (%d submissions, %d audit entries); copy only into an empty database", ErrNotEmpty, subs, audit)
	}
	return nil
}

// Commit moves the identities on past the copied ids and the TAXII clock
// past the copied stamps, so that the next entry written follows every
// copied one, and commits.
func (im *Import) Commit(ctx context.Context) error {
	for _, s := range []struct{ table, column string }{{"channel_entries", "seq"}, {"taxii_intake", "seq"}, {"copy_objects", "id"}} {
		if _, err := im.tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'), coalesce(max(%[2]s), 0) + 1, false) FROM %[1]s`,
			s.table, s.column)); err != nil {
			return fmt.Errorf("move the identity of %s on: %w", s.table, err)
		}
	}
	if _, err := im.tx.Exec(ctx, `UPDATE taxii_clock SET last = greatest(last, (SELECT max(date_added) FROM channel_entries),
		(SELECT max(date_added) FROM taxii_intake))`); err != nil {
		return fmt.Errorf("move the taxii clock on: %w", err)
	}
	if err := im.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit import: %w", err)
	}
	return nil
}

// Rollback abandons the import; the database is left as it was. It is a
// no-op after Commit.
func (im *Import) Rollback(ctx context.Context) error {
	if err := im.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return err
	}
	return nil
}

// copyIn streams seq into table with COPY; values makes a row of a record.
// An error of the sequence is returned as it is.
func copyIn[T any](ctx context.Context, tx pgx.Tx, table string, columns []string, seq iter.Seq2[T, error], values func(T) ([]any, error)) error {
	next, stop := iter.Pull2(seq)
	defer stop()
	src := &pulled[T]{next: next, values: values}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, src)
	if src.err != nil {
		return src.err
	}
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, translate(err))
	}
	return nil
}

// pulled is a pulled sequence as pgx.CopyFromSource.
type pulled[T any] struct {
	next   func() (T, error, bool)
	values func(T) ([]any, error)
	cur    T
	err    error
}

func (p *pulled[T]) Next() bool {
	v, err, ok := p.next()
	if !ok {
		return false
	}
	if err != nil {
		p.err = err
		return false
	}
	p.cur = v
	return true
}

func (p *pulled[T]) Values() ([]any, error) { return p.values(p.cur) }
func (p *pulled[T]) Err() error             { return p.err }

// ImportSubmissions implements transfer.Target.
func (im *Import) ImportSubmissions(ctx context.Context, seq iter.Seq2[sharing.Submission, error]) error {
	return copyIn(ctx, im.tx, "submissions", []string{"id", "organization", "received_at", "bundle_id", "digest", "share_with",
		"hold_for_review", "classification", "plan"}, seq, func(s sharing.Submission) ([]any, error) {
		incidents := s.Incidents
		if incidents == nil {
			incidents = []reporting.Result{}
		}
		classification, err := rowjson.EncodeClassifications(incidents)
		if err != nil {
			return nil, fmt.Errorf("submission %s: encode classification: %w", s.ID, err)
		}
		if s.Plan.Channels == nil {
			s.Plan.Channels = []sharing.Route{}
		}
		plan, err := json.Marshal(s.Plan)
		if err != nil {
			return nil, fmt.Errorf("submission %s: encode plan: %w", s.ID, err)
		}
		return []any{s.ID, s.Organization, stamp(s.ReceivedAt), s.BundleID, s.Digest, nonNil(s.ShareWith), s.HoldForReview,
			classification, plan}, nil
	})
}

// ImportSubmissionObjects implements transfer.Target.
func (im *Import) ImportSubmissionObjects(ctx context.Context, seq iter.Seq2[transfer.SubmissionObject, error]) error {
	return copyIn(ctx, im.tx, "submission_objects", []string{"submission_id", "seq", "object_id", "type", "version", "new"}, seq,
		func(o transfer.SubmissionObject) ([]any, error) {
			return []any{o.SubmissionID, int32(o.Seq), o.ID, o.Type, o.Version, o.New}, nil
		})
}

// ImportObjects implements transfer.Target.
func (im *Import) ImportObjects(ctx context.Context, seq iter.Seq2[sharing.StoredObject, error]) error {
	return copyIn(ctx, im.tx, "objects", []string{"organization", "id", "version", "type", "spec_version", "submission_id",
		"date_added", "digest", "json", "version_key"}, seq, func(o sharing.StoredObject) ([]any, error) {
		return []any{o.Organization, o.ID, o.Version, o.Type, o.SpecVersion, o.SubmissionID, stamp(o.DateAdded), o.Digest, o.JSON,
			im.vkeys.of(o.Version)}, nil
	})
}

// ImportObjectOwners implements transfer.Target.
func (im *Import) ImportObjectOwners(ctx context.Context, seq iter.Seq2[transfer.ObjectOwner, error]) error {
	return copyIn(ctx, im.tx, "object_owners", []string{"id", "organization"}, seq, func(o transfer.ObjectOwner) ([]any, error) {
		return []any{o.ID, o.Organization}, nil
	})
}

// ImportCopyObjects implements transfer.Target, keeping the ids.
func (im *Import) ImportCopyObjects(ctx context.Context, seq iter.Seq2[transfer.CopyObject, error]) error {
	return copyIn(ctx, im.tx, "copy_objects", []string{"id", "json"}, seq, func(o transfer.CopyObject) ([]any, error) {
		return []any{o.ID, o.JSON}, nil
	})
}

// ImportCopies implements transfer.Target.
func (im *Import) ImportCopies(ctx context.Context, seq iter.Seq2[transfer.Copy, error]) error {
	return copyIn(ctx, im.tx, "submission_copies", []string{"submission_id", "idx", "route", "status", "hits", "notice", "bundle_id",
		"objects"}, seq, func(c transfer.Copy) ([]any, error) {
		route, err := json.Marshal(c.Route)
		if err != nil {
			return nil, fmt.Errorf("copy %d of %s: encode route: %w", c.Index, c.SubmissionID, err)
		}
		hits := c.Hits
		if hits == nil {
			hits = []anonymize.Hit{}
		}
		hitsJSON, err := json.Marshal(hits)
		if err != nil {
			return nil, fmt.Errorf("copy %d of %s: encode hits: %w", c.Index, c.SubmissionID, err)
		}
		var bundleID, objects any // NULL: withheld, no bundle
		if c.BundleID != "" {
			bundleID, objects = c.BundleID, nonNilIDs(c.ObjectIDs)
		}
		return []any{c.SubmissionID, int32(c.Index), route, string(c.Status), hitsJSON, c.Notice, bundleID, objects}, nil
	})
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// ImportChannelEntries implements transfer.Target, keeping each entry's
// position (seq, date_added).
func (im *Import) ImportChannelEntries(ctx context.Context, seq iter.Seq2[transfer.ChannelEntry, error]) error {
	return copyIn(ctx, im.tx, "channel_entries", []string{"seq", "channel", "object_id", "version", "version_key", "submission_id",
		"organization", "recipients", "status", "date_added", "json_id"}, seq, func(e transfer.ChannelEntry) ([]any, error) {
		var recipients any // NULL: the channel's whole audience
		if e.Recipients != nil {
			recipients = e.Recipients
		}
		return []any{e.Seq, string(e.Channel), e.ObjectID, e.Version, im.vkeys.of(e.Version), e.SubmissionID, e.Organization,
			recipients, string(e.Status), stamp(e.DateAdded), e.JSONID}, nil
	})
}

// ImportIntakeEntries implements transfer.Target, keeping each entry's
// position (seq, date_added).
func (im *Import) ImportIntakeEntries(ctx context.Context, seq iter.Seq2[transfer.IntakeEntry, error]) error {
	return copyIn(ctx, im.tx, "taxii_intake", []string{"seq", "organization", "object_id", "version", "version_key", "date_added"}, seq,
		func(e transfer.IntakeEntry) ([]any, error) {
			return []any{e.Seq, e.Organization, e.ObjectID, e.Version, im.vkeys.of(e.Version), stamp(e.DateAdded)}, nil
		})
}

// ImportObligations implements transfer.Target.
func (im *Import) ImportObligations(ctx context.Context, seq iter.Seq2[reporting.Obligation, error]) error {
	return copyIn(ctx, im.tx, "obligations", strings.Split(strings.Join(strings.Fields(obligationColumns), ""), ","), seq,
		func(o reporting.Obligation) ([]any, error) { return toRow(o).args(), nil })
}

// ImportAuditEntries implements transfer.Target: every entry as it was, so
// that the chain and its checkpoints verify here as they did there.
func (im *Import) ImportAuditEntries(ctx context.Context, seq iter.Seq2[sharing.AuditEntry, error]) error {
	return copyIn(ctx, im.tx, "audit_log", strings.Split(strings.ReplaceAll(auditColumns, " ", ""), ","), seq,
		func(e sharing.AuditEntry) ([]any, error) {
			return []any{e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash}, nil
		})
}

// ImportAuditCheckpoints implements transfer.Target; they are numbered
// anew, in their order.
func (im *Import) ImportAuditCheckpoints(ctx context.Context, seq iter.Seq2[sharing.AuditCheckpoint, error]) error {
	return copyIn(ctx, im.tx, "audit_checkpoints", []string{"head_seq", "head_hash", "at", "signature"}, seq,
		func(cp sharing.AuditCheckpoint) ([]any, error) {
			return []any{cp.HeadSeq, cp.HeadHash, cp.At, cp.Signature}, nil
		})
}

// ImportRevokedTokens implements transfer.Target.
func (im *Import) ImportRevokedTokens(ctx context.Context, seq iter.Seq2[transfer.RevokedToken, error]) error {
	return copyIn(ctx, im.tx, "revoked_tokens", []string{"jti", "revoked_at"}, seq, func(t transfer.RevokedToken) ([]any, error) {
		return []any{t.JTI, stamp(t.RevokedAt)}, nil
	})
}

// ImportAPIKeys implements transfer.Target.
func (im *Import) ImportAPIKeys(ctx context.Context, seq iter.Seq2[sharing.APIKey, error]) error {
	return copyIn(ctx, im.tx, "api_keys", []string{"id", "organization", "hash", "created_at", "expires_at", "revoked_at"}, seq,
		func(k sharing.APIKey) ([]any, error) {
			return []any{k.ID, k.Organization, k.Hash, stamp(k.CreatedAt), stamp(k.ExpiresAt), nullTime(k.RevokedAt)}, nil
		})
}

// ImportOrganizationKeys implements transfer.Target.
func (im *Import) ImportOrganizationKeys(ctx context.Context, seq iter.Seq2[transfer.OrganizationKey, error]) error {
	return copyIn(ctx, im.tx, "organization_keys", []string{"organization", "armored", "fingerprint", "updated_at"}, seq,
		func(k transfer.OrganizationKey) ([]any, error) {
			return []any{k.Organization, k.Armored, k.Fingerprint, stamp(k.UpdatedAt)}, nil
		})
}

// ImportKeyChanges implements transfer.Target; they are numbered anew, in
// their order.
func (im *Import) ImportKeyChanges(ctx context.Context, seq iter.Seq2[sharing.KeyChange, error]) error {
	return copyIn(ctx, im.tx, "key_changes", []string{"organization", "at", "fingerprint", "source", "actor"}, seq,
		func(c sharing.KeyChange) ([]any, error) {
			return []any{c.Organization, stamp(c.At), c.Fingerprint, c.Source, c.Actor}, nil
		})
}

// ImportUsers implements transfer.Target.
func (im *Import) ImportUsers(ctx context.Context, seq iter.Seq2[sharing.User, error]) error {
	return copyIn(ctx, im.tx, "users", []string{"username", "organization", "role", "password_hash", "disabled", "created_at", "updated_at"}, seq,
		func(u sharing.User) ([]any, error) {
			return []any{u.Username, u.Organization, string(u.Role), u.PasswordHash, u.Disabled, stamp(u.CreatedAt), stamp(u.UpdatedAt)}, nil
		})
}

// ImportSessions implements transfer.Target.
func (im *Import) ImportSessions(ctx context.Context, seq iter.Seq2[sharing.Session, error]) error {
	return copyIn(ctx, im.tx, "sessions", []string{"id", "username", "organization", "csrf", "created_at", "last_seen"}, seq,
		func(s sharing.Session) ([]any, error) {
			return []any{s.ID, s.Username, s.Organization, s.CSRF, stamp(s.CreatedAt), stamp(s.LastSeen)}, nil
		})
}

// ImportTAXIIStatuses implements transfer.Target.
func (im *Import) ImportTAXIIStatuses(ctx context.Context, seq iter.Seq2[sharing.TAXIIStatus, error]) error {
	return copyIn(ctx, im.tx, "taxii_status", []string{"id", "organization", "created_at", "body"}, seq,
		func(st sharing.TAXIIStatus) ([]any, error) {
			body, err := json.Marshal(st)
			if err != nil {
				return nil, fmt.Errorf("taxii status %s: %w", st.ID, err)
			}
			return []any{st.ID, st.Organization, stamp(st.CreatedAt), body}, nil
		})
}

// ImportSectorEvents implements transfer.Target.
func (im *Import) ImportSectorEvents(ctx context.Context, seq iter.Seq2[outage.Event, error]) error {
	return copyIn(ctx, im.tx, "sector_events", []string{"id", "status", "opened_at", "updated_at", "body"}, seq,
		func(ev outage.Event) ([]any, error) {
			body, err := json.Marshal(ev)
			if err != nil {
				return nil, fmt.Errorf("sector event %s: %w", ev.ID, err)
			}
			return []any{ev.ID, string(ev.Status), stamp(ev.OpenedAt), stamp(ev.UpdatedAt), body}, nil
		})
}
