package sharing

import (
	"context"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
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
}

// IntakeRecord is everything an accepted submission writes, in one transaction.
type IntakeRecord struct {
	Submission  *Submission
	Objects     []*StoredObject        // versions not stored before
	Obligations []reporting.Obligation // created or updated by classification
	Plan        Plan                   // where each object goes
	Copies      []StoredCopy           // one per route of the plan
	Entries     []ChannelEntry         // released or held channel entries of the copies, tombstones included
	Revoked     []ChannelEntry         // earlier entries this version withdraws (by Seq)
	Audit       []AuditEvent
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

	// CreateSubmission stores the submission, its new objects, its
	// obligations and its audit events in one transaction: all of it or
	// nothing. It returns an error wrapping ErrConflict if an identical
	// submission (same organization and digest) exists, or if an object
	// version is stored with other content.
	CreateSubmission(ctx context.Context, rec *IntakeRecord) error
	// FindSubmissionByID returns a submission with its object list.
	FindSubmissionByID(ctx context.Context, id string) (*Submission, error)
	// FindSubmissionByDigest returns the submission of org with that digest.
	FindSubmissionByDigest(ctx context.Context, org, digest string) (*Submission, error)
	// FindObjectDigests returns the digests of whichever of the given versions are stored.
	FindObjectDigests(ctx context.Context, keys []ObjectKey) (map[ObjectKey]string, error)
	// FindObjectVersion returns one stored version.
	FindObjectVersion(ctx context.Context, key ObjectKey) (*StoredObject, error)
	// FindLatestObject returns the stored version of id with the latest modified.
	FindLatestObject(ctx context.Context, id string) (*StoredObject, error)
	// FindClassifications returns every classification intake answered, oldest first.
	FindClassifications(ctx context.Context) ([]reporting.Result, error)

	// AppendAudit appends one entry to the hash-chained audit log.
	AppendAudit(ctx context.Context, ev AuditEvent) error
	// VerifyAudit walks the whole log; it returns the number of entries checked
	// and the first break (nil when intact).
	VerifyAudit(ctx context.Context) (int64, *AuditBreak, error)

	// RevokeToken records a revoked token id; revoking twice is not an error.
	RevokeToken(ctx context.Context, jti string, ev AuditEvent) error
	// IsTokenRevoked reports whether the token id was revoked.
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
}
