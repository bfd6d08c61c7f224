package sharing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Audit actions recorded in the log (SHARING.md §6): intake and refusals,
// classification, obligations, every copy released or withheld, revocations,
// releases, channel reads, keys and tokens.
const (
	AuditIntake            = "intake"
	AuditIntakeReject      = "intake.rejected"
	AuditTokenIssue        = "token.issued"
	AuditTokenRevoke       = "token.revoked"
	AuditDemoBootstrap     = "demo.created"
	AuditClassification    = "classification"
	AuditObligationMet     = "obligation.met"
	AuditObligationOverdue = "obligation.overdue"
	AuditRelease           = "release"
	AuditWithheld          = "withheld"
	AuditRevoked           = "revoked"
	AuditTombstone         = "tombstone" // the revoked-true version a revocation released
	AuditChannelRead       = "channel.read"
	AuditKeyUploaded       = "pgp-key.uploaded"
	AuditKeyChanged        = "pgp-key.changed" // in the registry file, by the operators
	AuditAuthFailed        = "auth.failed"
	AuditDesignEncrypted   = "design.encrypted"
)

// AuditEvent is what a caller asks to record.
type AuditEvent struct {
	Actor   string         // organization id, or "operator" for the CLI
	Action  string         // one of the Audit* constants
	Subject string         // submission id, token jti, …
	Detail  map[string]any // small, JSON-encodable facts; never object content
}

// AuditEntry is one link of the append-only, hash-chained audit log. Hash is
// SHA-256 over PrevHash and the canonical JSON of the entry's other fields, so
// that changing, removing or reordering any entry breaks every later link.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Subject  string    `json:"subject"`
	Detail   string    `json:"detail"` // canonical JSON of AuditEvent.Detail
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// NewAuditEntry builds the entry that follows prev (nil for the first one).
func NewAuditEntry(prev *AuditEntry, ev AuditEvent, at time.Time) (AuditEntry, error) {
	detail := []byte("{}")
	if ev.Detail != nil {
		var err error
		if detail, err = json.Marshal(ev.Detail); err != nil {
			return AuditEntry{}, fmt.Errorf("encode audit detail: %w", err)
		}
	}
	e := AuditEntry{Seq: 1, At: at.UTC().Truncate(time.Microsecond), Actor: ev.Actor, Action: ev.Action, Subject: ev.Subject, Detail: string(detail), PrevHash: GenesisHash}
	if prev != nil {
		e.Seq = prev.Seq + 1
		e.PrevHash = prev.Hash
	}
	e.Hash = e.computeHash()
	return e, nil
}

func (e AuditEntry) computeHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%q\n%q\n%q\n%s", e.PrevHash, e.Seq, e.At.Format(time.RFC3339Nano), e.Actor, e.Action, e.Subject, e.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditBreak describes the first entry at which the chain does not hold.
type AuditBreak struct {
	Seq    int64
	Reason string
}

func (b *AuditBreak) Error() string { return fmt.Sprintf("audit entry %d: %s", b.Seq, b.Reason) }

// AuditVerifier checks a log entry by entry, in sequence order, so that a log
// of any length is verified in constant memory.
type AuditVerifier struct {
	prev string
	n    int64
}

// Check verifies the next entry and returns the break it finds, or nil.
func (v *AuditVerifier) Check(e AuditEntry) *AuditBreak {
	if v.prev == "" {
		v.prev = GenesisHash
	}
	v.n++
	if e.Seq != v.n {
		return &AuditBreak{Seq: e.Seq, Reason: fmt.Sprintf("sequence number %d where %d was expected: an entry was removed or inserted", e.Seq, v.n)}
	}
	if e.PrevHash != v.prev {
		return &AuditBreak{Seq: e.Seq, Reason: "prev_hash does not match the hash of the entry before it"}
	}
	if e.computeHash() != e.Hash {
		return &AuditBreak{Seq: e.Seq, Reason: "content does not match its hash: the entry was altered"}
	}
	v.prev = e.Hash
	return nil
}

// Count returns how many entries have been checked.
func (v *AuditVerifier) Count() int64 { return v.n }
