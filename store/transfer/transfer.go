// Package transfer moves a hub's data from one store to another (`kakehashi
// store copy`, docs/deployment.md "Moving up"): the records a hub's database
// is made of, as plain Go values, a Source that yields them and a Target
// that takes them, and Run, which moves the kinds in dependency order and
// counts what it copies.
//
// The records carry everything a hub needs to carry on exactly where it
// stopped: positions (the seq and date_added of channel and intake entries,
// so that a TAXII reader's next token keeps working), the ids of the copies'
// objects, and the audit log entry for entry (seq, time, content and
// hashes), so that the chain and its signed checkpoints verify on the target.
// Where a store keeps a value in its own encoding (classifications,
// obligations, events, statuses), the record holds the domain value and each
// store encodes it its own way.
package transfer

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Kind names one kind of record.
type Kind string

// The kinds of records, in the order Run moves them: what a record refers
// to comes before it.
const (
	Submissions       Kind = "submissions"
	SubmissionObjects Kind = "submission objects"
	Objects           Kind = "objects"
	ObjectOwners      Kind = "object owners"
	CopyObjects       Kind = "copy objects"
	Copies            Kind = "copies"
	ChannelEntries    Kind = "channel entries"
	IntakeEntries     Kind = "intake entries"
	Obligations       Kind = "obligations"
	AuditEntries      Kind = "audit entries"
	AuditCheckpoints  Kind = "audit checkpoints"
	RevokedTokens     Kind = "revoked tokens"
	APIKeys           Kind = "api keys"
	OrganizationKeys  Kind = "organization keys"
	KeyChanges        Kind = "key changes"
	Users             Kind = "users"
	Sessions          Kind = "sessions"
	TAXIIStatuses     Kind = "taxii statuses"
	SectorEvents      Kind = "sector events"
)

// Kinds is every kind, in the order Run moves them.
var Kinds = []Kind{Submissions, SubmissionObjects, Objects, ObjectOwners, CopyObjects, Copies, ChannelEntries,
	IntakeEntries, Obligations, AuditEntries, AuditCheckpoints, RevokedTokens, APIKeys, OrganizationKeys, KeyChanges,
	Users, Sessions, TAXIIStatuses, SectorEvents}

// SubmissionObject is one object version a submission carried, at its
// place (Seq, from 0) in the submission's list.
type SubmissionObject struct {
	SubmissionID string
	Seq          int
	sharing.SubmittedObject
}

// ObjectOwner is a claimed id and the organization that claimed it
// (SHARING.md §1).
type ObjectOwner struct {
	ID           string
	Organization string
}

// CopyObject is the JSON of one object of the copies, under the id copies
// and channel entries refer to it by.
type CopyObject struct {
	ID   int64
	JSON []byte
}

// Copy is the copy one route of a submission's plan produced. ObjectIDs
// name its objects in CopyObjects, in bundle order; BundleID is "" and
// ObjectIDs nil when the copy was withheld.
type Copy struct {
	SubmissionID string
	Index        int
	Route        sharing.Route
	Status       sharing.ReleaseStatus
	Hits         []anonymize.Hit
	Notice       string
	BundleID     string
	ObjectIDs    []int64
}

// ChannelEntry is one object version a channel carries, at its position
// (DateAdded, Seq). Recipients nil: the channel's whole audience. JSONID
// names its JSON in CopyObjects.
type ChannelEntry struct {
	Seq          int64
	Channel      sharing.Channel
	ObjectID     string
	Version      string
	SubmissionID string
	Organization string
	Recipients   []string
	Status       sharing.ReleaseStatus
	DateAdded    time.Time
	JSONID       int64
}

// IntakeEntry is one object version in an organization's intake collection,
// at its position (DateAdded, Seq).
type IntakeEntry struct {
	Seq          int64
	Organization string
	ObjectID     string
	Version      string
	DateAdded    time.Time
}

// RevokedToken is a revoked access token.
type RevokedToken struct {
	JTI       string
	RevokedAt time.Time
}

// OrganizationKey is an OpenPGP key an organization uploaded.
type OrganizationKey struct {
	Organization string
	Armored      string
	Fingerprint  string
	UpdatedAt    time.Time
}

// Source yields a hub's records, one sequence per kind, all from one
// consistent state of its data. A sequence stops at the first error, which
// it yields.
type Source interface {
	// Count returns how many records of the kind the source holds.
	Count(ctx context.Context, k Kind) (int64, error)

	// Submissions yields the submissions without their object lists
	// (SubmissionObjects has them).
	Submissions(ctx context.Context) iter.Seq2[sharing.Submission, error]
	SubmissionObjects(ctx context.Context) iter.Seq2[SubmissionObject, error]
	Objects(ctx context.Context) iter.Seq2[sharing.StoredObject, error]
	ObjectOwners(ctx context.Context) iter.Seq2[ObjectOwner, error]
	CopyObjects(ctx context.Context) iter.Seq2[CopyObject, error]
	Copies(ctx context.Context) iter.Seq2[Copy, error]
	ChannelEntries(ctx context.Context) iter.Seq2[ChannelEntry, error]
	IntakeEntries(ctx context.Context) iter.Seq2[IntakeEntry, error]
	Obligations(ctx context.Context) iter.Seq2[reporting.Obligation, error]
	// AuditEntries yields the log in sequence order, entries as stored.
	AuditEntries(ctx context.Context) iter.Seq2[sharing.AuditEntry, error]
	// AuditCheckpoints yields the stored checkpoints, oldest first.
	AuditCheckpoints(ctx context.Context) iter.Seq2[sharing.AuditCheckpoint, error]
	RevokedTokens(ctx context.Context) iter.Seq2[RevokedToken, error]
	APIKeys(ctx context.Context) iter.Seq2[sharing.APIKey, error]
	OrganizationKeys(ctx context.Context) iter.Seq2[OrganizationKey, error]
	// KeyChanges yields every organization's key changes, oldest first.
	KeyChanges(ctx context.Context) iter.Seq2[sharing.KeyChange, error]
	Users(ctx context.Context) iter.Seq2[sharing.User, error]
	Sessions(ctx context.Context) iter.Seq2[sharing.Session, error]
	TAXIIStatuses(ctx context.Context) iter.Seq2[sharing.TAXIIStatus, error]
	SectorEvents(ctx context.Context) iter.Seq2[outage.Event, error]
}

// Target takes a hub's records, kind by kind in the order of Kinds, into an
// empty store. Each method stores every record of its sequence or returns
// an error (the sequence's own included); what the target keeps of a
// failed copy is its business (store/postgres keeps nothing).
type Target interface {
	ImportSubmissions(ctx context.Context, seq iter.Seq2[sharing.Submission, error]) error
	ImportSubmissionObjects(ctx context.Context, seq iter.Seq2[SubmissionObject, error]) error
	ImportObjects(ctx context.Context, seq iter.Seq2[sharing.StoredObject, error]) error
	ImportObjectOwners(ctx context.Context, seq iter.Seq2[ObjectOwner, error]) error
	ImportCopyObjects(ctx context.Context, seq iter.Seq2[CopyObject, error]) error
	ImportCopies(ctx context.Context, seq iter.Seq2[Copy, error]) error
	ImportChannelEntries(ctx context.Context, seq iter.Seq2[ChannelEntry, error]) error
	ImportIntakeEntries(ctx context.Context, seq iter.Seq2[IntakeEntry, error]) error
	ImportObligations(ctx context.Context, seq iter.Seq2[reporting.Obligation, error]) error
	ImportAuditEntries(ctx context.Context, seq iter.Seq2[sharing.AuditEntry, error]) error
	ImportAuditCheckpoints(ctx context.Context, seq iter.Seq2[sharing.AuditCheckpoint, error]) error
	ImportRevokedTokens(ctx context.Context, seq iter.Seq2[RevokedToken, error]) error
	ImportAPIKeys(ctx context.Context, seq iter.Seq2[sharing.APIKey, error]) error
	ImportOrganizationKeys(ctx context.Context, seq iter.Seq2[OrganizationKey, error]) error
	ImportKeyChanges(ctx context.Context, seq iter.Seq2[sharing.KeyChange, error]) error
	ImportUsers(ctx context.Context, seq iter.Seq2[sharing.User, error]) error
	ImportSessions(ctx context.Context, seq iter.Seq2[sharing.Session, error]) error
	ImportTAXIIStatuses(ctx context.Context, seq iter.Seq2[sharing.TAXIIStatus, error]) error
	ImportSectorEvents(ctx context.Context, seq iter.Seq2[outage.Event, error]) error
}

// Count is how many records of a kind were copied.
type Count struct {
	Kind Kind
	N    int64
}

// Progress is how far a copy has come, in records of every kind.
type Progress struct {
	Kind        Kind // the kind being copied
	Done, Total int64
}

// Run moves every record of src into dst, kind by kind in the order of
// Kinds, and returns how many of each it moved. progress, when not nil, is
// called after every record (keep it cheap). A kind whose number of records
// copied differs from what src counted is an error: the source changed
// under the copy, or a store lost records.
func Run(ctx context.Context, src Source, dst Target, progress func(Progress)) ([]Count, error) {
	want := make([]int64, len(Kinds))
	var total int64
	for i, k := range Kinds {
		n, err := src.Count(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", k, err)
		}
		want[i] = n
		total += n
	}
	counts := make([]Count, len(Kinds))
	p := Progress{Total: total}
	for i, k := range Kinds {
		var got int64
		tick := func() {
			got++
			p.Done++
			if progress != nil {
				progress(p)
			}
		}
		p.Kind = k
		if err := copyKind(ctx, k, src, dst, tick); err != nil {
			return nil, fmt.Errorf("copy %s: %w", k, err)
		}
		if got != want[i] {
			return nil, fmt.Errorf("copy %s: %d copied, but the source counted %d", k, got, want[i])
		}
		counts[i] = Count{Kind: k, N: got}
	}
	return counts, nil
}

// copyKind moves the records of one kind.
func copyKind(ctx context.Context, k Kind, src Source, dst Target, tick func()) error {
	switch k {
	case Submissions:
		return dst.ImportSubmissions(ctx, counted(src.Submissions(ctx), tick))
	case SubmissionObjects:
		return dst.ImportSubmissionObjects(ctx, counted(src.SubmissionObjects(ctx), tick))
	case Objects:
		return dst.ImportObjects(ctx, counted(src.Objects(ctx), tick))
	case ObjectOwners:
		return dst.ImportObjectOwners(ctx, counted(src.ObjectOwners(ctx), tick))
	case CopyObjects:
		return dst.ImportCopyObjects(ctx, counted(src.CopyObjects(ctx), tick))
	case Copies:
		return dst.ImportCopies(ctx, counted(src.Copies(ctx), tick))
	case ChannelEntries:
		return dst.ImportChannelEntries(ctx, counted(src.ChannelEntries(ctx), tick))
	case IntakeEntries:
		return dst.ImportIntakeEntries(ctx, counted(src.IntakeEntries(ctx), tick))
	case Obligations:
		return dst.ImportObligations(ctx, counted(src.Obligations(ctx), tick))
	case AuditEntries:
		return dst.ImportAuditEntries(ctx, counted(src.AuditEntries(ctx), tick))
	case AuditCheckpoints:
		return dst.ImportAuditCheckpoints(ctx, counted(src.AuditCheckpoints(ctx), tick))
	case RevokedTokens:
		return dst.ImportRevokedTokens(ctx, counted(src.RevokedTokens(ctx), tick))
	case APIKeys:
		return dst.ImportAPIKeys(ctx, counted(src.APIKeys(ctx), tick))
	case OrganizationKeys:
		return dst.ImportOrganizationKeys(ctx, counted(src.OrganizationKeys(ctx), tick))
	case KeyChanges:
		return dst.ImportKeyChanges(ctx, counted(src.KeyChanges(ctx), tick))
	case Users:
		return dst.ImportUsers(ctx, counted(src.Users(ctx), tick))
	case Sessions:
		return dst.ImportSessions(ctx, counted(src.Sessions(ctx), tick))
	case TAXIIStatuses:
		return dst.ImportTAXIIStatuses(ctx, counted(src.TAXIIStatuses(ctx), tick))
	case SectorEvents:
		return dst.ImportSectorEvents(ctx, counted(src.SectorEvents(ctx), tick))
	}
	return fmt.Errorf("unknown kind %q", k)
}

// counted calls tick for every record seq yields.
func counted[T any](seq iter.Seq2[T, error], tick func()) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if err == nil {
				tick()
			}
			if !yield(v, err) {
				return
			}
		}
	}
}
