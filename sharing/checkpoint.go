package sharing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The audit log is hash-chained (audit.go): changing an entry breaks every
// later link. Alone that does not stop someone with write access to the
// database from deleting the last entries, deleting all of them, or writing
// a whole new chain with recomputed hashes. Checkpoints anchor it: the hub
// signs the head of the log (sequence number and hash) with its Ed25519 key at
// least every minute and at shutdown, keeps every checkpoint, writes the
// latest beside the database, and serves it to the operators and the
// regulator so that they can keep it too (GET /api/v1/audit/checkpoint).
// Verification checks the chain against every checkpoint it is given.

// AuditCheckpoint is a signed statement of the audit log's head.
type AuditCheckpoint struct {
	HeadSeq   int64     `json:"head_seq"`
	HeadHash  string    `json:"head_hash"`
	At        time.Time `json:"at"`
	Signature string    `json:"signature"` // compact JWS (EdDSA) over the three fields above
}

// checkpointPayload is what is signed: the fields of a checkpoint but the signature.
func checkpointPayload(cp AuditCheckpoint) ([]byte, error) {
	return json.Marshal(map[string]any{"head_seq": cp.HeadSeq, "head_hash": cp.HeadHash, "at": cp.At.UTC().Format(time.RFC3339Nano)})
}

// ChannelEntryKey is who a channel entry is readable by, as audit
// verification checks it.
type ChannelEntryKey struct {
	Seq          int64
	SubmissionID string
	Channel      Channel
	Recipients   []string // nil: the whole audience
}

// AuditStore is the persistence of the audit log and its checkpoints.
// Lookups of an entry or a head that does not exist return ErrNotFound.
type AuditStore interface {
	AuditAppender
	// VerifyAudit walks the whole chain; it returns the number of entries
	// checked and the first break (nil when intact).
	VerifyAudit(ctx context.Context) (int64, *AuditBreak, error)
	// FindAuditHead returns the last entry.
	FindAuditHead(ctx context.Context) (AuditEntry, error)
	// FindAuditEntry returns the entry with that sequence number.
	FindAuditEntry(ctx context.Context, seq int64) (AuditEntry, error)
	// FindAuditEvents returns the entries with any of the actions, in order.
	FindAuditEvents(ctx context.Context, actions []string) ([]AuditEntry, error)
	// CreateAuditCheckpoint stores a checkpoint (append-only).
	CreateAuditCheckpoint(ctx context.Context, cp AuditCheckpoint) error
	// FindAuditCheckpoints returns every stored checkpoint, oldest first.
	FindAuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error)
	// FindChannelEntryKeys returns every channel entry's key, by seq.
	FindChannelEntryKeys(ctx context.Context) ([]ChannelEntryKey, error)
	// FindCopies returns the copies of a submission in plan order.
	FindCopies(ctx context.Context, submissionID string) ([]StoredCopy, error)
}

// Auditor signs checkpoints and verifies the log against them.
type Auditor struct {
	Store AuditStore
	// Sign makes a compact JWS of a payload with the hub's key; Open checks
	// one and returns its payload (crypto/token.Signer).
	Sign func(payload []byte) (string, error)
	Open func(compact string) ([]byte, error)
	Now  func() time.Time
}

// Checkpoint signs and stores the current head, unless the latest checkpoint
// already covers it. It returns the latest checkpoint and whether it is new.
func (a *Auditor) Checkpoint(ctx context.Context) (AuditCheckpoint, bool, error) {
	head, err := a.Store.FindAuditHead(ctx)
	if errors.Is(err, ErrNotFound) {
		return AuditCheckpoint{}, false, nil // nothing to anchor yet
	}
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	cps, err := a.Store.FindAuditCheckpoints(ctx)
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	if n := len(cps); n > 0 && cps[n-1].HeadSeq == head.Seq && cps[n-1].HeadHash == head.Hash {
		return cps[n-1], false, nil
	}
	cp := AuditCheckpoint{HeadSeq: head.Seq, HeadHash: head.Hash, At: a.Now().UTC().Truncate(time.Microsecond)}
	payload, err := checkpointPayload(cp)
	if err != nil {
		return AuditCheckpoint{}, false, err
	}
	if cp.Signature, err = a.Sign(payload); err != nil {
		return AuditCheckpoint{}, false, err
	}
	if err := a.Store.CreateAuditCheckpoint(ctx, cp); err != nil {
		return AuditCheckpoint{}, false, err
	}
	return cp, true, nil
}

// Latest returns the latest checkpoint to the hub's operators and the
// regulator, who keep it outside the hub; for anyone else it does not exist.
func (a *Auditor) Latest(ctx context.Context, caller *Organization) (AuditCheckpoint, error) {
	if caller == nil || (caller.Role != RoleAdmin && caller.Role != RoleRegulator) {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: %w", ErrNotFound)
	}
	cps, err := a.Store.FindAuditCheckpoints(ctx)
	if err != nil {
		return AuditCheckpoint{}, err
	}
	if len(cps) == 0 {
		return AuditCheckpoint{}, fmt.Errorf("no checkpoint signed yet (the hub signs one every minute): %w", ErrNotFound)
	}
	return cps[len(cps)-1], nil
}

// AuditReport is the outcome of a verification.
type AuditReport struct {
	Entries     int64
	Checkpoints int // checkpoints checked (stored and given)
	Channel     int // channel entries checked against the audited releases
	Legacy      int // channel entries of releases audited before recipients were (not checkable)
	Break       *AuditBreak
}

// Verify walks the chain, checks it against every stored checkpoint and every
// anchor (checkpoints kept outside the database: the file beside it, or one
// an operator or the regulator saved), and checks that every channel entry is
// readable by exactly the recipients an audited release or revocation gave it,
// and that every audited copy still has its digest.
func (a *Auditor) Verify(ctx context.Context, anchors []AuditCheckpoint) (AuditReport, error) {
	var r AuditReport
	n, brk, err := a.Store.VerifyAudit(ctx)
	if err != nil {
		return r, err
	}
	r.Entries = n
	if brk != nil {
		r.Break = brk
		return r, nil
	}
	stored, err := a.Store.FindAuditCheckpoints(ctx)
	if err != nil {
		return r, err
	}
	for i, cp := range append(stored, anchors...) {
		where := "stored checkpoint"
		if i >= len(stored) {
			where = "kept checkpoint"
		}
		if b := a.checkCheckpoint(ctx, cp, where, n); b != nil {
			r.Break = b
			return r, nil
		}
		r.Checkpoints++
	}
	if b, err := a.checkChannels(ctx, &r); err != nil || b != nil {
		r.Break = b
		return r, err
	}
	return r, nil
}

func (a *Auditor) checkCheckpoint(ctx context.Context, cp AuditCheckpoint, where string, entries int64) *AuditBreak {
	payload, err := a.Open(cp.Signature)
	if err != nil {
		return &AuditBreak{Seq: cp.HeadSeq, Reason: fmt.Sprintf("%s of %s: the signature is not the hub's (%v)", where, cp.At.Format(time.RFC3339), err)}
	}
	want, err := checkpointPayload(cp)
	if err != nil || string(payload) != string(want) {
		return &AuditBreak{Seq: cp.HeadSeq, Reason: fmt.Sprintf("%s of %s: the signed content does not match the checkpoint", where, cp.At.Format(time.RFC3339))}
	}
	e, err := a.Store.FindAuditEntry(ctx, cp.HeadSeq)
	if errors.Is(err, ErrNotFound) {
		return &AuditBreak{Seq: cp.HeadSeq, Reason: fmt.Sprintf("the %s of %s signed entry %d, but the log has %d entries: entries were removed", where, cp.At.Format(time.RFC3339), cp.HeadSeq, entries)}
	}
	if err != nil {
		return &AuditBreak{Seq: cp.HeadSeq, Reason: "unreadable: " + err.Error()}
	}
	if e.Hash != cp.HeadHash {
		return &AuditBreak{Seq: cp.HeadSeq, Reason: fmt.Sprintf("the %s of %s signed another hash for this entry: the log was rewritten", where, cp.At.Format(time.RFC3339))}
	}
	return nil
}

// releaseDetail is what a release, withheld or revoked audit entry says.
type releaseDetail struct {
	Channel      string          `json:"channel"`
	Recipients   json.RawMessage `json:"recipients"`
	Copy         *int            `json:"copy"`
	Named        bool            `json:"named"`
	Digest       string          `json:"digest"`
	BySubmission string          `json:"by_submission"`
}

func recipientsKey(r []string) string {
	if r == nil {
		return "*"
	}
	return "=" + groupKey(r)
}

// checkChannels compares every channel entry with the audited releases and
// revocations of its submission, and every audited copy with its digest.
func (a *Auditor) checkChannels(ctx context.Context, r *AuditReport) (*AuditBreak, error) {
	events, err := a.Store.FindAuditEvents(ctx, []string{AuditRelease, AuditWithheld, AuditRevoked})
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{} // submission channel recipients
	audited := map[string]bool{} // submissions whose releases name their recipients
	for _, e := range events {
		var d releaseDetail
		if json.Unmarshal([]byte(e.Detail), &d) != nil || d.Channel == "" {
			continue
		}
		sub := e.Subject
		if e.Action == AuditRevoked {
			sub = d.BySubmission
		}
		var list []string
		if len(d.Recipients) > 0 && string(d.Recipients) != "null" && json.Unmarshal(d.Recipients, &list) != nil {
			continue // a count: audited before recipients were recorded
		}
		if (e.Action == AuditRelease || e.Action == AuditWithheld) && len(d.Recipients) > 0 {
			audited[sub] = true // recipients recorded (a list, or null for the whole audience)
		}
		// A whole-audience copy's entries carry no list; a named copy's and
		// a revoked group's tombstones carry exactly theirs.
		key := "*"
		if d.Named || (e.Action == AuditRevoked && list != nil) {
			key = recipientsKey(list)
		}
		allowed[sub+" "+d.Channel+" "+key] = true
		if d.Copy != nil && d.Digest != "" {
			copies, err := a.Store.FindCopies(ctx, e.Subject)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(copies, func(c StoredCopy) bool { return c.Index == *d.Copy })
			if i < 0 {
				return &AuditBreak{Seq: e.Seq, Reason: fmt.Sprintf("the copy %d of submission %s that this entry released is gone", *d.Copy, e.Subject)}, nil
			}
			sum := sha256.Sum256(copies[i].Bundle)
			if hex.EncodeToString(sum[:]) != d.Digest || string(copies[i].Route.Channel) != d.Channel {
				return &AuditBreak{Seq: e.Seq, Reason: fmt.Sprintf("the copy %d of submission %s for %s is not what was released: its content changed", *d.Copy, e.Subject, d.Channel)}, nil
			}
		}
	}
	keys, err := a.Store.FindChannelEntryKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if !audited[k.SubmissionID] {
			r.Legacy++
			continue
		}
		if !allowed[k.SubmissionID+" "+string(k.Channel)+" "+recipientsKey(k.Recipients)] {
			return &AuditBreak{Seq: 0, Reason: fmt.Sprintf("channel entry %d (%s, submission %s) is readable by %s, which no audited release or revocation gave it",
				k.Seq, k.Channel, k.SubmissionID, describeRecipients(k.Recipients))}, nil
		}
		r.Channel++
	}
	return nil, nil
}

func describeRecipients(r []string) string {
	if r == nil {
		return "the whole audience"
	}
	return strings.Join(r, ", ")
}
