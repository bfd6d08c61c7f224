package sharing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// StatusRevoked marks a channel entry withdrawn because a later version of the
// object may no longer go to that channel (SHARING.md §6).
const StatusRevoked ReleaseStatus = "revoked"

// ChannelEntry is one object version in a channel: what a recipient reads.
type ChannelEntry struct {
	Seq          int64 // assigned by the store; orders entries with the same DateAdded
	Channel      Channel
	ObjectID     string
	Version      string
	SubmissionID string
	Organization string   // the submitter; never shown to recipients
	Recipients   []string // nil: the channel's whole audience; else only these organizations
	Status       ReleaseStatus
	DateAdded    time.Time // when it became readable (release time), microseconds
	JSON         []byte    // the object as this channel's copy carries it
}

// StoredCopy is the record of one route's copy, kept for preview and review.
type StoredCopy struct {
	SubmissionID string
	Index        int
	Route        Route
	Status       ReleaseStatus
	Hits         []anonymize.Hit
	Notice       string
	// Bundle is the copy's JSON as read back from the store; nil when
	// withheld.
	Bundle []byte
	// BundleID and Objects are the copy as intake hands it to the store:
	// its bundle id and the JSON of each of its objects, in order, the same
	// slices as its channel entries' JSON. The bundle is
	// RawBundle(BundleID, Objects); a store may so keep each distinct
	// object once however many copies and entries carry it. BundleID is ""
	// for a withheld copy.
	BundleID string
	Objects  [][]byte
}

// ChannelFilter selects what one organization may read of a channel.
type ChannelFilter struct {
	Channel    Channel
	Reader     string    // organization id; "" for the anonymous public reader
	AddedAfter time.Time // zero: from the beginning
	Limit      int       // 0: no limit
}

// ReleaseStore is the persistence of copies and channel entries.
type ReleaseStore interface {
	// FindCopies returns the copies of a submission in plan order.
	FindCopies(ctx context.Context, submissionID string) ([]StoredCopy, error)
	// ReleaseHeld releases the held copies of a submission and their entries,
	// each entry becoming readable with a date_added of its own, later than
	// any before it; withheld copies stay withheld. It returns how many copies
	// it released.
	ReleaseHeld(ctx context.Context, submissionID string, ev AuditEvent) (int, error)
	// FindChannelEntries returns the released entries of a channel that the
	// reader may see, the latest version of each object, by date added.
	FindChannelEntries(ctx context.Context, f ChannelFilter) ([]ChannelEntry, error)
	// FindReleasedEntries returns every released entry that org submitted,
	// in any channel, of the given objects, ordered by channel, object,
	// version and seq.
	FindReleasedEntries(ctx context.Context, org string, objectIDs []string) ([]ChannelEntry, error)
	// FindWithheldCopies lists withheld copies for review, newest first.
	FindWithheldCopies(ctx context.Context, limit int) ([]WithheldCopy, error)
}

// WithheldCopy is one copy the leak check (or a failed build) withheld,
// listed for the operators' review: where and why, never the content.
type WithheldCopy struct {
	SubmissionID string          `json:"submission_id"`
	Organization string          `json:"organization"`
	ReceivedAt   time.Time       `json:"received_at"`
	Channel      Channel         `json:"channel"`
	Reasons      []anonymize.Hit `json:"reasons"`
	Notice       string          `json:"notice"`
}

// entriesOf turns a copy into channel entries, each object's JSON taken
// from enc (encoded once per submission).
func entriesOf(cp Copy, sub *Submission, enc encodings) ([]ChannelEntry, error) {
	if cp.Bundle == nil {
		return nil, nil
	}
	var recipients []string
	if cp.Route.Named {
		recipients = cp.Route.Recipients
	}
	out := make([]ChannelEntry, 0, len(cp.Bundle.Objects))
	for _, o := range cp.Bundle.Objects {
		js, err := enc.of(o)
		if err != nil {
			return nil, fmt.Errorf("encode %s for %s: %w", o.ID, cp.Route.Channel, err)
		}
		out = append(out, ChannelEntry{Channel: cp.Route.Channel, ObjectID: o.ID, Version: o.Version(), SubmissionID: sub.ID,
			Organization: sub.Organization, Recipients: recipients, Status: cp.Status, DateAdded: sub.ReceivedAt, JSON: js})
	}
	return out, nil
}

// groupKey names a group of readers whatever the order of its list: ""
// for a channel's whole audience.
func groupKey(recipients []string) string {
	if recipients == nil {
		return ""
	}
	return strings.Join(slices.Sorted(slices.Values(recipients)), ",")
}

// sameGroup reports whether two recipient lists name the same readers (nil:
// the whole audience).
func sameGroup(a, b []string) bool {
	return (a == nil) == (b == nil) && groupKey(a) == groupKey(b)
}

// RawBundle writes a STIX bundle of objects that are already JSON, without
// decoding and encoding them again: copies, exports and a submission read
// back are all assembled from stored JSON.
func RawBundle(id string, objects [][]byte) ([]byte, error) {
	return writeRawBundle(nil, id, objects)
}

// RawBundleDigest is the hex SHA-256 of RawBundle(id, objects), computed
// without assembling the bundle.
func RawBundleDigest(id string, objects [][]byte) (string, error) {
	h := sha256.New()
	if _, err := writeRawBundle(h, id, objects); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// entriesBundle writes a bundle of the entries' JSON as stored.
func entriesBundle(id string, entries []ChannelEntry) ([]byte, error) {
	objs := make([][]byte, len(entries))
	for i, e := range entries {
		objs[i] = e.JSON
	}
	return RawBundle(id, objs)
}

// writeRawBundle writes the bundle into the hash w, or returns it when w is
// nil.
func writeRawBundle(w hash.Hash, id string, objects [][]byte) ([]byte, error) {
	idJSON, err := json.Marshal(id)
	if err != nil {
		return nil, err
	}
	var b []byte
	if w == nil {
		n := 64
		for _, o := range objects {
			n += len(o) + 1
		}
		b = make([]byte, 0, n)
	}
	put := func(p []byte) {
		if w != nil {
			w.Write(p) // never fails (hash.Hash)
		} else {
			b = append(b, p...)
		}
	}
	put(bundleHead)
	put(idJSON)
	put(bundleObjects)
	for i, o := range objects {
		if i > 0 {
			put(comma)
		}
		put(o)
	}
	put(bundleTail)
	return b, nil
}

// The constant parts of a raw bundle, allocated once.
var (
	bundleHead    = []byte(`{"type":"bundle","id":`)
	bundleObjects = []byte(`,"objects":[`)
	comma         = []byte{','}
	bundleTail    = []byte("]}")
)

// revocations finds, for every object of the submission, the channels that
// released an earlier version but get nothing of this one: there the earlier
// copy is revoked. For an object that has a revoked property (SDOs and SROs,
// STIX 2.1 §3.6) a tombstone version is released in its place — the earlier
// copy with "revoked": true and this version's modified — so that consumers
// who already pulled it learn to discard it; other objects are only withdrawn
// from the channel.
//
// held maps a channel and object to the entries the channel already released;
// only the channels mine selects are looked at.
func revocations(sub *Submission, b *stix.Bundle, plan Plan, held map[entryKey][]ChannelEntry, mine func(Channel) bool) ([]ChannelEntry, []ChannelEntry, error) {
	// A copy reaches a group of readers: the channel's whole audience, or
	// the organizations named for it. Revocation is per group, so naming
	// other organizations in a later version withdraws the earlier version
	// from those no longer named.
	group := groupKey
	var carried map[string]bool // made at the first earlier entry: most submissions have none
	carries := func(ch Channel, id, g string) bool {
		if carried == nil {
			carried = map[string]bool{}
			for _, r := range plan.Channels {
				rg := ""
				if r.Named {
					rg = groupKey(r.Recipients)
				}
				for _, id := range r.Objects {
					carried[string(r.Channel)+" "+id+" "+rg] = true
				}
			}
		}
		return carried[string(ch)+" "+id+" "+g]
	}
	var revoked, tombstones []ChannelEntry
	for _, o := range b.Objects {
		for _, ch := range Channels {
			prior := held[entryKey{ch, o.ID}]
			if len(prior) == 0 || !mine(ch) {
				continue // the usual case: nothing of it in this channel yet
			}
			byGroup := map[string][]ChannelEntry{}
			var order []string
			for _, e := range prior {
				g := group(e.Recipients)
				if _, seen := byGroup[g]; !seen {
					order = append(order, g)
				}
				byGroup[g] = append(byGroup[g], e)
			}
			for _, g := range order {
				earlier := byGroup[g]
				if carries(ch, o.ID, g) {
					continue
				}
				revoked = append(revoked, earlier...)
				last := earlier[len(earlier)-1]
				mod, hasModified := o.Props["modified"].(string)
				if !hasModified || mod == last.Version {
					continue
				}
				stone, err := stix.DecodeObject(last.JSON)
				if err != nil {
					return nil, nil, fmt.Errorf("decode earlier copy of %s: %w", o.ID, err)
				}
				if _, ok := stone.Props["created"]; !ok {
					continue // not an SDO or SRO: nothing to mark revoked
				}
				stone.Props["modified"] = mod
				stone.Props["revoked"] = true
				js, err := stix.Canonical(stone.Props)
				if err != nil {
					return nil, nil, err
				}
				tombstones = append(tombstones, ChannelEntry{Channel: ch, ObjectID: o.ID, Version: mod, SubmissionID: sub.ID,
					Organization: sub.Organization, Recipients: last.Recipients, Status: StatusReleased, DateAdded: sub.ReceivedAt, JSON: js})
			}
		}
	}
	return revoked, tombstones, nil
}

// Releases lets a submitter preview and release its copies (SHARING.md §6).
type Releases struct {
	Store    Store
	Registry *Registry
	Now      func() time.Time
}

// Withheld lists withheld copies for review. Only the hub's operators may.
func (r *Releases) Withheld(ctx context.Context, caller *Organization) ([]WithheldCopy, error) {
	if !MayOperate(caller) {
		return nil, fmt.Errorf("the review queue is for the hub's operators: %w", ErrForbidden)
	}
	return r.Store.FindWithheldCopies(ctx, 500)
}

// Preview returns the copies of a submission for one channel, for its submitter only.
func (r *Releases) Preview(ctx context.Context, caller *Organization, submissionID string, ch Channel) ([]StoredCopy, error) {
	sub, err := r.Store.FindSubmissionByID(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	if sub.Organization != caller.ID {
		return nil, fmt.Errorf("submission of another organization: %w", ErrNotFound)
	}
	copies, err := r.Store.FindCopies(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	var out []StoredCopy
	for _, c := range copies {
		if c.Route.Channel == ch {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("channel %s gets nothing of this submission: %w", ch, ErrNotFound)
	}
	return ForSubmitter(r.Registry, out), nil
}

// Release releases the held community copies of a submission (the
// submitter's pre-check is done). Withheld copies are never released.
func (r *Releases) Release(ctx context.Context, caller *Organization, submissionID string) (int, error) {
	sub, err := r.Store.FindSubmissionByID(ctx, submissionID)
	if err != nil {
		return 0, err
	}
	if sub.Organization != caller.ID {
		return 0, fmt.Errorf("submission of another organization: %w", ErrNotFound)
	}
	if !caller.mayAct(UserReporter) {
		return 0, fmt.Errorf("releasing copies needs a reporter or approver: %w", ErrForbidden)
	}
	n, err := r.Store.ReleaseHeld(ctx, submissionID,
		AuditEvent{Actor: caller.Actor(), Action: AuditRelease, Subject: submissionID, Detail: map[string]any{"by": "submitter"}})
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("submission %s has no held copies to release (withheld copies are never released): %w", submissionID, ErrConflict)
	}
	return n, nil
}
