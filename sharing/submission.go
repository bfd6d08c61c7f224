package sharing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Submission is one accepted intake: a bundle from one organization, stored
// atomically with its objects.
type Submission struct {
	ID            string
	Organization  string
	ReceivedAt    time.Time
	BundleID      string // empty for a TAXII envelope
	Digest        string // SHA-256 over the canonical objects; equal digests mean an identical re-submission
	ShareWith     []string
	HoldForReview bool
	Objects       []SubmittedObject
	// Incidents is the classification of every telecom incident of the
	// submission (INTERFACES.md §4), as answered at intake.
	Incidents []reporting.Result
	// Plan is where each object went (INTERFACES.md §5).
	Plan Plan
	// Warnings are the best-practice findings of the bundle as answered at
	// intake (stix.Warnings); they are not stored.
	Warnings []stix.Warning
}

// IntakeRecord is everything an accepted submission writes, in one transaction.
type IntakeRecord struct {
	Submission  *Submission
	Objects     []*StoredObject        // versions not stored before
	Claims      []string               // ids the submitter claims as their first submitter (SHARING.md §1)
	HubClaims   []string               // ids of the hub's own objects in the copies (classification notes)
	Obligations []reporting.Obligation // created or updated by classification
	Plan        Plan                   // where each object goes
	Copies      []StoredCopy           // one per route of the plan
	Entries     []ChannelEntry         // released or held channel entries of the copies, tombstones included
	Revoked     []ChannelEntry         // earlier entries this version withdraws (by Seq)
	Audit       []AuditEvent
	// Routing, when set, gives routing's part of the submission — its
	// copies, their channel entries, the earlier entries they revoke, the
	// hub's claims and their audit entries — piece by piece as intake makes
	// it on another core while the store writes the rest: first the copies
	// of the identified profile (the statutory channels), which need no
	// anonymization and are ready early, then the others. The store calls
	// it inside the transaction, after the submission, its objects,
	// obligations and intake entries, until it reports no more (ok false),
	// and writes each part in that transaction; an error rolls the whole
	// submission back. The submission's Plan is set once the first part is
	// given. A store that writes routing's part at once calls
	// CompleteRouting instead.
	Routing func() (part RoutedPart, ok bool, err error)
}

// RoutedPart is some of routing's part of a submission (IntakeRecord.Routing).
// Each channel's entries are all in one part, its tombstones before its new
// entries, so that a reader in a revoked group and in the group the new
// version reaches sees the new version (its seq is later).
type RoutedPart struct {
	Copies  []StoredCopy
	Entries []ChannelEntry // released or held, each channel's tombstones first
	Revoked []ChannelEntry // earlier entries of the submitter's own that this version withdraws
	// HubClaims are the ids of the hub's notes in the copies: claimed for
	// the hub, so that the submitter, who sees them in its preview, cannot
	// publish a "later version" of one.
	HubClaims []string
	Audit     []AuditEvent
}

// EachRoutedPart calls fn with each part of Routing as it comes, until
// Routing reports no more or fn or Routing fails. Without Routing there is
// nothing to do.
func (rec *IntakeRecord) EachRoutedPart(fn func(RoutedPart) error) error {
	for rec.Routing != nil {
		p, ok, err := rec.Routing()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// CompleteRouting gathers every part of Routing into the record's Copies,
// Entries, Revoked, HubClaims and Audit, in the order they come, for a
// store that writes them at once.
func (rec *IntakeRecord) CompleteRouting() error {
	return rec.EachRoutedPart(func(p RoutedPart) error {
		rec.Copies = append(rec.Copies, p.Copies...)
		rec.Entries = append(rec.Entries, p.Entries...)
		rec.Revoked = append(rec.Revoked, p.Revoked...)
		rec.HubClaims = append(rec.HubClaims, p.HubClaims...)
		rec.Audit = append(rec.Audit, p.Audit...)
		return nil
	})
}

// SubmittedObject names one object of a submission and what storing it did.
type SubmittedObject struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Version string `json:"version"`
	// New is false when this exact version was already stored (idempotent re-submission).
	New bool `json:"new"`
}

// StoredObject is one version of a STIX object as the hub keeps it: the
// canonical JSON plus the columns it is found by.
type StoredObject struct {
	ID           string
	Type         string
	Version      string // modified, else created, else "" (SCOs)
	SpecVersion  string
	Organization string // submitting organization
	SubmissionID string
	DateAdded    time.Time // microsecond precision (TAXII 2.1 §3.2)
	Digest       string    // SHA-256 of JSON
	JSON         []byte    // canonical: keys sorted, no insignificant white space
}

// ObjectKey identifies one version of an object.
type ObjectKey struct {
	ID      string
	Version string
}

// Store is the persistence the sharing domain needs. Implementations return
// ErrNotFound when a looked-up record does not exist (never a nil result with a
// nil error) and ErrConflict when a write collides with what is stored.
type Store interface {
	reporting.Store
	ReleaseStore
	KeyStore

	// CreateSubmission stores the submission, its new objects, its claims
	// (the hub's claims are kept if already there),
	// its obligations, its copies and channel entries and its audit events
	// in one transaction: all of it or nothing. It takes rec.Routing's
	// parts, when set, inside that transaction (IntakeRecord). It returns an error wrapping ErrConflict if an identical
	// submission (same organization and digest) exists, if an object
	// version is stored with other content, or if an id is already claimed.
	CreateSubmission(ctx context.Context, rec *IntakeRecord) error
	// FindSubmissionByID returns a submission with its object list.
	FindSubmissionByID(ctx context.Context, id string) (*Submission, error)
	// FindSubmissionByDigest returns the submission of org with that digest.
	FindSubmissionByDigest(ctx context.Context, org, digest string) (*Submission, error)
	// FindObjectOwners returns the organization that claimed each of the
	// given ids; ids nobody claimed are absent from the map.
	FindObjectOwners(ctx context.Context, ids []string) (map[string]string, error)
	// FindObjectDigests returns the digests of whichever of the given
	// versions org has stored (never another organization's).
	FindObjectDigests(ctx context.Context, org string, keys []ObjectKey) (map[ObjectKey]string, error)
	// FindObjectVersion returns one version that org stored.
	FindObjectVersion(ctx context.Context, org string, key ObjectKey) (*StoredObject, error)
	// FindLatestObject returns org's stored version of id with the latest modified.
	FindLatestObject(ctx context.Context, org, id string) (*StoredObject, error)
	// FindObjectBefore returns org's stored version of id with the latest
	// modified before version; ErrNotFound when there is none.
	FindObjectBefore(ctx context.Context, org, id, version string) (*StoredObject, error)
	// FindClassifications returns the classifications intake answered to
	// an organization's submissions ("": every organization's), oldest first.
	FindClassifications(ctx context.Context, organization string) ([]reporting.Result, error)

	AuditStore

	TokenStore
}

// Submissions shows each organization its own submissions: for anyone else a
// submission does not exist (INTERFACES.md §6).
type Submissions struct {
	Store    Store
	Registry *Registry
}

// SubmissionView is a submission as its submitter sees it now.
type SubmissionView struct {
	Submission *Submission
	// Copies are the copies of its routes, in plan order, with their status.
	Copies []StoredCopy
	// Obligations are the obligations of its incidents as they stand now
	// (met, overdue, escalated by later versions).
	Obligations []reporting.Obligation
	// Bundle is the submitted bundle rebuilt from the stored versions, when asked for.
	Bundle json.RawMessage
	// Warnings are the best-practice findings (stix.Warnings) of that
	// bundle as it stands now, when the bundle was asked for: intake
	// answers them but does not store them.
	Warnings []stix.Warning
}

// Find returns the caller's submission id; ErrNotFound when it is another
// organization's or does not exist, with the same answer for both.
func (s *Submissions) Find(ctx context.Context, caller *Organization, id string, withBundle bool) (SubmissionView, error) {
	sub, err := s.Store.FindSubmissionByID(ctx, id)
	if err != nil {
		return SubmissionView{}, err
	}
	if caller == nil || sub.Organization != caller.ID {
		return SubmissionView{}, fmt.Errorf("submission %s: %w", id, ErrNotFound)
	}
	v := SubmissionView{Submission: sub, Obligations: []reporting.Obligation{}}
	copies, err := s.Store.FindCopies(ctx, sub.ID)
	if err != nil {
		return SubmissionView{}, err
	}
	v.Copies = ForSubmitter(s.Registry, copies)
	for _, inc := range sub.Incidents {
		incID := inc.IncidentID
		obls, err := s.Store.FindObligations(ctx, reporting.ObligationFilter{IncidentID: &incID, Organization: &sub.Organization})
		if err != nil {
			return SubmissionView{}, err
		}
		v.Obligations = append(v.Obligations, obls...)
	}
	if withBundle {
		if v.Bundle, err = s.bundle(ctx, sub); err != nil {
			return SubmissionView{}, err
		}
		b, err := stix.DecodeBundle(v.Bundle, stix.Limits{})
		if err != nil {
			return SubmissionView{}, fmt.Errorf("stored bundle of submission %s: %w", sub.ID, err)
		}
		v.Warnings = stix.Warnings(b, func(id string) bool {
			_, err := s.Store.FindLatestObject(ctx, sub.Organization, id)
			return err == nil
		})
	}
	return v, nil
}

// bundle rebuilds the bundle of a submission from the submitter's stored versions.
func (s *Submissions) bundle(ctx context.Context, sub *Submission) (json.RawMessage, error) {
	id := sub.BundleID
	if id == "" {
		id = "bundle--" + sub.ID
	}
	objs := make([][]byte, len(sub.Objects))
	for i, o := range sub.Objects {
		stored, err := s.Store.FindObjectVersion(ctx, sub.Organization, ObjectKey{ID: o.ID, Version: o.Version})
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, fmt.Errorf("object %s of submission %s is missing from the store: %v", o.ID, sub.ID, err)
			}
			return nil, err
		}
		objs[i] = stored.JSON
	}
	return RawBundle(id, objs)
}
