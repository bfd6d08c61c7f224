package sharing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

// ChannelEntryKey is a channel entry as audit verification checks it: who
// may read it, its state and its content.
type ChannelEntryKey struct {
	Seq          int64
	SubmissionID string
	Channel      Channel
	ObjectID     string
	Recipients   []string // nil: the whole audience
	Status       ReleaseStatus
	JSON         []byte
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
	// EachChannelEntry calls fn with every channel entry, by seq, until fn
	// returns an error.
	EachChannelEntry(ctx context.Context, fn func(ChannelEntryKey) error) error
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

// releaseDetail is what a release, withheld, revoked or tombstone audit
// entry says (intake.go route).
type releaseDetail struct {
	Channel      string          `json:"channel"`
	Recipients   json.RawMessage `json:"recipients"`
	Copy         *int            `json:"copy"`
	Named        bool            `json:"named"`
	Status       string          `json:"status"`
	Digest       string          `json:"digest"`
	BySubmission string          `json:"by_submission"`
	Entry        *int64          `json:"entry"`
	By           string          `json:"by"`
	Error        string          `json:"error"`
	Entries      []string        `json:"entries"` // digests of the entries of a release without a stored copy (statistics)
}

func recipientsKey(r []string) string {
	if r == nil {
		return "*"
	}
	return "=" + groupKey(r)
}

// auditedCopy is a copy an audited release or withholding describes.
type auditedCopy struct {
	seq     int64 // the audit entry
	index   int   // -1: no stored copy; entries lists the digests instead
	status  string
	digest  string
	entries map[string]bool
}

// channelAudit is what the log says about the channels.
type channelAudit struct {
	copies     map[string][]auditedCopy // "submission channel recipients" → copies
	tombstones map[string]bool          // "submission channel recipients digest"
	revoked    map[int64]bool           // entry seqs a revocation withdrew
	released   map[string]bool          // submissions whose held copies their submitter released
	audited    map[string]bool          // submissions whose releases record recipients
	legacy     map[string]bool          // submissions released before that
}

func (a *Auditor) readChannelAudit(ctx context.Context) (channelAudit, error) {
	ca := channelAudit{copies: map[string][]auditedCopy{}, tombstones: map[string]bool{}, revoked: map[int64]bool{},
		released: map[string]bool{}, audited: map[string]bool{}, legacy: map[string]bool{}}
	events, err := a.Store.FindAuditEvents(ctx, []string{AuditRelease, AuditWithheld, AuditRevoked, AuditTombstone})
	if err != nil {
		return ca, err
	}
	for _, e := range events {
		var d releaseDetail
		if json.Unmarshal([]byte(e.Detail), &d) != nil {
			continue
		}
		if e.Action == AuditRelease && d.By == "submitter" {
			ca.released[e.Subject] = true
			continue
		}
		if d.Channel == "" {
			continue
		}
		var list []string
		if len(d.Recipients) > 0 && string(d.Recipients) != "null" && json.Unmarshal(d.Recipients, &list) != nil {
			if e.Action == AuditRelease {
				ca.legacy[e.Subject] = true // a count: released before recipients were recorded
			}
			continue
		}
		switch e.Action {
		case AuditRelease, AuditWithheld:
			if d.Error != "" {
				continue // the hub's note that a copy could not be built; its own entry follows
			}
			ca.audited[e.Subject] = true
			key := "*"
			if d.Named {
				key = recipientsKey(list)
			}
			c := auditedCopy{seq: e.Seq, index: -1, status: d.Status, digest: d.Digest}
			if e.Action == AuditWithheld {
				c.status = string(StatusWithheld)
			}
			if d.Copy != nil {
				c.index = *d.Copy
			} else {
				c.entries = map[string]bool{}
				for _, x := range d.Entries {
					c.entries[x] = true
				}
			}
			k := e.Subject + " " + d.Channel + " " + key
			ca.copies[k] = append(ca.copies[k], c)
		case AuditRevoked:
			if d.Entry != nil {
				ca.revoked[*d.Entry] = true
			}
		case AuditTombstone:
			ca.audited[e.Subject] = true
			ca.tombstones[e.Subject+" "+d.Channel+" "+recipientsKey(list)+" "+d.Digest] = true
		}
	}
	return ca, nil
}

// checkChannels checks every channel entry against the audited releases of
// its submission: it must belong to an audited copy for exactly its readers,
// carry the content of that copy (whose digest is audited) or of an audited
// tombstone, and have the status the log gave it — released only if its copy
// was released (or held and then released by its submitter), revoked exactly
// when a revocation withdrew it.
func (a *Auditor) checkChannels(ctx context.Context, r *AuditReport) (*AuditBreak, error) {
	ca, err := a.readChannelAudit(ctx)
	if err != nil {
		return nil, err
	}
	var (
		curSub string
		copies map[int]verifiedCopy // of curSub; entries come grouped by submission
		brk    *AuditBreak
	)
	err = a.Store.EachChannelEntry(ctx, func(k ChannelEntryKey) error {
		if !ca.audited[k.SubmissionID] && ca.legacy[k.SubmissionID] {
			r.Legacy++
			return nil
		}
		if k.SubmissionID != curSub {
			curSub = k.SubmissionID
			if copies, err = a.verifiedCopies(ctx, curSub); err != nil {
				return err
			}
		}
		if why := ca.checkEntry(k, copies); why != "" {
			brk = &AuditBreak{Reason: fmt.Sprintf("channel entry %d (%s, %s, submission %s, readable by %s) %s",
				k.Seq, k.Channel, k.ObjectID, k.SubmissionID, describeRecipients(k.Recipients), why)}
			return errStop
		}
		r.Channel++
		return nil
	})
	if brk != nil {
		return brk, nil
	}
	return nil, err
}

// verifiedCopy is a stored copy as verification reads it: the digest of the
// whole copy, its channel, and the digests of the objects it carries.
type verifiedCopy struct {
	digest  string
	channel Channel
	objects map[string]bool
}

// verifiedCopies reads the copies of a submission once, for all its entries.
func (a *Auditor) verifiedCopies(ctx context.Context, submissionID string) (map[int]verifiedCopy, error) {
	copies, err := a.Store.FindCopies(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	out := make(map[int]verifiedCopy, len(copies))
	for _, c := range copies {
		sum := sha256.Sum256(c.Bundle)
		vc := verifiedCopy{digest: hex.EncodeToString(sum[:]), channel: c.Route.Channel, objects: map[string]bool{}}
		var b struct {
			Objects []json.RawMessage `json:"objects"`
		}
		if len(c.Bundle) > 0 && json.Unmarshal(c.Bundle, &b) == nil {
			for _, o := range b.Objects {
				d := sha256.Sum256(o)
				vc.objects[hex.EncodeToString(d[:])] = true
			}
		}
		out[c.Index] = vc
	}
	return out, nil
}

// checkEntry says what is wrong with one channel entry, or "": it must
// belong to an audited copy for exactly its readers and carry that copy's
// content (or an audited tombstone's), with the status the log gave it.
func (ca channelAudit) checkEntry(k ChannelEntryKey, copies map[int]verifiedCopy) string {
	if !ca.audited[k.SubmissionID] {
		return "belongs to no audited release"
	}
	group := recipientsKey(k.Recipients)
	sum := sha256.Sum256(k.JSON)
	digest := hex.EncodeToString(sum[:])
	var from *auditedCopy
	for _, c := range ca.copies[k.SubmissionID+" "+string(k.Channel)+" "+group] {
		if c.index < 0 { // no stored copy: the release lists its entries
			if c.entries[digest] {
				from = &c
				break
			}
			continue
		}
		vc, ok := copies[c.index]
		if !ok {
			return fmt.Sprintf("belongs to copy %d, which is gone", c.index)
		}
		if vc.digest != c.digest || vc.channel != k.Channel {
			return "belongs to a copy whose content changed after it was released"
		}
		if vc.objects[digest] {
			from = &c
			break
		}
	}
	switch {
	case from != nil:
		if from.status == string(StatusWithheld) {
			return "is in a channel although its copy was withheld"
		}
		if k.Status == StatusReleased && from.status == string(StatusHeld) && !ca.released[k.SubmissionID] {
			return "is released although its copy was held and its submitter never released it"
		}
	case ca.tombstones[k.SubmissionID+" "+string(k.Channel)+" "+group+" "+digest]:
	default:
		return "carries content that no audited release gave these readers"
	}
	if ca.revoked[k.Seq] != (k.Status == StatusRevoked) {
		if k.Status == StatusRevoked {
			return "is revoked, but no audited revocation withdrew it"
		}
		return "is served, but an audited revocation withdrew it"
	}
	return ""
}

// errStop ends an iteration early.
var errStop = errors.New("stop")

func describeRecipients(r []string) string {
	if r == nil {
		return "the whole audience"
	}
	return strings.Join(r, ", ")
}
