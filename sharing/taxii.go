package sharing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// The TAXII 2.1 view of the channels (INTERFACES.md §6, SHARING.md §2): every
// channel is a collection of the one API root, and the intake collection
// takes submissions. The HTTP protocol lives in server/taxii*.go; this file
// holds what the protocol is about: collections, who may read and write them,
// the query over a collection's entries, and the status of a TAXII intake.

// collectionNamespace is the UUIDv5 namespace of collection ids. Collection
// ids are derived from the channel name, so they are the same on every hub
// and across restarts without being stored (TAXII 2.1 §5.2 asks for an
// identifier, not a random one; clients keep it in their configuration).
var collectionNamespace = uuid.MustParse("5f0c3b1e-2d4a-5e7b-9c8d-6a1b2c3d4e5f")

// Collection is a channel served as a TAXII 2.1 collection (TAXII 2.1 §5.2).
type Collection struct {
	ID          string  // UUID derived from the channel name
	Channel     Channel // also the collection's alias
	Title       string
	Description string
}

// collectionTexts are the titles and descriptions shown to TAXII clients.
var collectionTexts = map[Channel][2]string{
	ChannelAccidentReports:       {"Accident reports", "Incidents with a MIC accident obligation, identified, with the hub's classification note (総務省 電気通信事故)."},
	ChannelDisasterReports:       {"Disaster reports", "Disaster damage reports for MIC and the Cabinet Office, identified."},
	ChannelNISC:                  {"NISC", "Cyber-attack, information-leak and near-miss incidents and serious outages for NISC, anonymized (ceptoar profile)."},
	ChannelISACMembers:           {"ICT-ISAC members", "Everything its TLP allows for ICT-ISAC members, anonymized (ceptoar profile)."},
	ChannelISACInternal:          {"ICT-ISAC internal", "AMBER+STRICT content for the ISAC's own analysts, anonymized (ceptoar profile)."},
	ChannelCrossSector:           {"Cross-sector", "GREEN and CLEAR indicators and lessons for other sectors' CEPTOARs and ISACs, anonymized."},
	ChannelPublic:                {"Public", "TLP:CLEAR content, anonymized (public profile); readable without credentials."},
	ChannelSectorEventsRegulator: {"Sector events (regulator)", "Sector events correlated from outage signals, identified, as STIX groupings of the hub with the signals (issue #16)."},
	ChannelSectorEvents:          {"Sector events", "Sector events you signalled (ISAC and NISC: every event), anonymized, as STIX groupings of the hub (issue #16)."},
	ChannelIntake:                {"Intake", "Submit STIX 2.1 objects here (POST an envelope); read back your own organization's submissions."},
}

// CollectionOf returns the collection of a channel.
func CollectionOf(ch Channel) Collection {
	t := collectionTexts[ch]
	return Collection{ID: uuid.NewSHA1(collectionNamespace, []byte("kakehashi:collection:"+string(ch))).String(), Channel: ch, Title: t[0], Description: t[1]}
}

// Collections returns every collection in a stable order: the distribution
// channels of SHARING.md §2, then intake (TAXII 2.1 §5.1 asks for a stable order).
func Collections() []Collection {
	out := make([]Collection, 0, len(Channels)+len(EventChannels)+1)
	for _, ch := range slices.Concat(Channels, EventChannels) {
		out = append(out, CollectionOf(ch))
	}
	return append(out, CollectionOf(ChannelIntake))
}

// FindCollection returns the collection with a TAXII id or an alias (the
// channel name); ErrNotFound when there is none.
func FindCollection(idOrAlias string) (Collection, error) {
	for _, c := range Collections() {
		if c.ID == idOrAlias || string(c.Channel) == idOrAlias {
			return c, nil
		}
	}
	return Collection{}, fmt.Errorf("no collection %q: %w", idOrAlias, ErrNotFound)
}

// CanRead reports whether org (nil: a caller without credentials) may read
// the collection: a distribution channel's audience, anyone for public, and
// for intake whoever may submit — who then reads back only its own
// organization's submissions (SHARING.md §2).
func (c Collection) CanRead(org *Organization) bool {
	if c.Channel == ChannelIntake {
		return c.CanWrite(org)
	}
	if org == nil {
		return c.Channel == ChannelPublic
	}
	return c.Channel.InAudience(org)
}

// CanWrite reports whether org may add objects: only to intake, and only the
// roles that may submit through POST /api/v1/submissions (carriers and the
// ISAC). The hub fills every other collection itself (SHARING.md §2).
func (c Collection) CanWrite(org *Organization) bool {
	return c.Channel == ChannelIntake && org != nil && slices.Contains(SubmitterRoles, org.Role)
}

// Visible reports whether org may know the collection exists; for anyone
// else it is a 404 (INTERFACES.md §6).
func (c Collection) Visible(org *Organization) bool { return c.CanRead(org) || c.CanWrite(org) }

// SubmitterRoles are the roles that may submit (INTERFACES.md §6).
var SubmitterRoles = []Role{RoleCarrier, RoleISAC}

// VersionMatch is the match[version] filter (TAXII 2.1 §3.4.2): any
// combination of first, last and exact versions, or all.
type VersionMatch struct {
	All      bool
	First    bool
	Last     bool
	Versions []time.Time // exact versions (modified, else created, else date_added)
}

// IsZero reports whether nothing was asked, which means last.
func (v VersionMatch) IsZero() bool {
	return !v.All && !v.First && !v.Last && len(v.Versions) == 0
}

// Cursor is the position after the last entry of a page: entries are ordered
// by (date_added, seq), and seq is unique, so keyset paging from a cursor
// never skips or repeats an entry even when many share one date_added
// (TAXII 2.1 §3.5). In a Newest query "after" means older.
type Cursor struct {
	DateAdded time.Time
	Seq       int64
}

// TAXIIQuery selects entries of one collection for one reader (TAXII 2.1
// §3.4). Fields are ANDed; the values within a list are ORed.
type TAXIIQuery struct {
	Collection   Channel
	Reader       string    // organization id; "" for the anonymous public reader
	AddedAfter   time.Time // zero: from the beginning
	After        *Cursor   // nil: first page
	IDs          []string
	Types        []string
	Versions     VersionMatch // zero: last
	SpecVersions []string     // nil: the latest spec version (the hub stores 2.1 only)
	Limit        int          // > 0
	WithJSON     bool         // false for manifests and version lists
	// Newest orders the entries newest first, (date_added, seq) descending,
	// for people reading a feed (the console); After then continues with
	// the older entries. TAXII itself always reads oldest first.
	Newest bool
}

// TAXIIEntry is one object version of a collection as TAXII serves it.
type TAXIIEntry struct {
	Seq       int64
	ObjectID  string
	Version   string // modified, else created; "" for SCOs (TAXII then shows date_added)
	DateAdded time.Time
	JSON      []byte // nil unless asked for
}

// TAXIIVersion is the version TAXII shows for the entry: modified, else
// created, else date_added (TAXII 2.1 §3.4.2 lets the server choose a
// consistent version for objects without either).
func (e TAXIIEntry) TAXIIVersion() string {
	if e.Version != "" {
		return e.Version
	}
	return e.DateAdded.UTC().Format(TAXIITimeLayout)
}

// TAXIITimeLayout is the TAXII 2.1 timestamp with microseconds (TAXII 2.1 §3.2).
const TAXIITimeLayout = "2006-01-02T15:04:05.000000Z"

// TAXIIStatus is the status resource of one POST to a collection's objects
// (TAXII 2.1 §4.3.1).
type TAXIIStatus struct {
	ID               string              `json:"id"`
	Status           string              `json:"status"` // complete | pending
	RequestTimestamp string              `json:"request_timestamp,omitempty"`
	TotalCount       int                 `json:"total_count"`
	SuccessCount     int                 `json:"success_count"`
	Successes        []TAXIIStatusDetail `json:"successes,omitempty"`
	FailureCount     int                 `json:"failure_count"`
	Failures         []TAXIIStatusDetail `json:"failures,omitempty"`
	PendingCount     int                 `json:"pending_count"`
	Pendings         []TAXIIStatusDetail `json:"pendings,omitempty"`
	// SubmissionID names the stored submission (GET /api/v1/submissions/{id}).
	SubmissionID string    `json:"x_kakehashi_submission_id,omitempty"`
	Organization string    `json:"-"` // who posted; only it may read the status
	CreatedAt    time.Time `json:"-"`
}

// TAXIIStatusDetail is one object of a status (TAXII 2.1 §4.3.1.1).
type TAXIIStatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// StatusRetention is how long status resources are kept: TAXII 2.1 §4.3
// asks for at least 24 hours; the hub keeps them a week.
const StatusRetention = 7 * 24 * time.Hour

// TAXIIStore is the persistence the TAXII view needs. Implementations return
// ErrNotFound for a status that does not exist (or expired), never a nil
// status with a nil error.
type TAXIIStore interface {
	// FindTAXIIEntries returns up to q.Limit entries of the collection that
	// q.Reader may read, ordered by (date_added, seq), and whether more
	// follow. Only released, unrevoked entries are served, named copies only
	// to their recipients (as FindChannelEntries); the intake collection
	// holds the reader's own submitted versions.
	FindTAXIIEntries(ctx context.Context, q TAXIIQuery) ([]TAXIIEntry, bool, error)
	// CreateTAXIIStatus stores a status resource and drops those older than
	// StatusRetention.
	CreateTAXIIStatus(ctx context.Context, st *TAXIIStatus) error
	// FindTAXIIStatusByID returns a stored status resource.
	FindTAXIIStatusByID(ctx context.Context, id string) (*TAXIIStatus, error)
}

// AuditAppender appends entries to the hash-chained audit log.
type AuditAppender interface {
	AppendAudit(ctx context.Context, ev AuditEvent) error
}

// TAXII serves the collections to a caller (nil: a caller without
// credentials). Every decision about who may know, read or write a collection
// and whose entries and statuses a caller sees is made here; the HTTP layer
// only translates the protocol.
type TAXII struct {
	Store TAXIIStore
	Audit AuditAppender
}

// Collections returns the collections the caller may know of, in a stable order.
func (t *TAXII) Collections(caller *Organization) []Collection {
	var out []Collection
	for _, c := range Collections() {
		if c.Visible(caller) {
			out = append(out, c)
		}
	}
	return out
}

// Collection resolves a collection id or alias for the caller: ErrNotFound
// when it does not exist or the caller may not know of it (the same answer),
// ErrUnauthorized when a caller without credentials asks for anything but
// the public collection.
func (t *TAXII) Collection(caller *Organization, idOrAlias string) (Collection, error) {
	col, err := FindCollection(idOrAlias)
	if err != nil {
		return col, err
	}
	if caller == nil && !col.Visible(nil) {
		return col, fmt.Errorf("collection %s needs credentials: %w", col.Channel, ErrUnauthorized)
	}
	if !col.Visible(caller) {
		return col, fmt.Errorf("collection %s: %w", idOrAlias, ErrNotFound)
	}
	return col, nil
}

// Readable resolves a collection the caller may read: ErrForbidden when the
// caller knows it but may only write to it (TAXII 2.1 §5.3).
func (t *TAXII) Readable(caller *Organization, idOrAlias string) (Collection, error) {
	col, err := t.Collection(caller, idOrAlias)
	if err != nil {
		return col, err
	}
	if !col.CanRead(caller) {
		return col, fmt.Errorf("collection %s is write-only for you: %w", col.Channel, ErrForbidden)
	}
	return col, nil
}

// Writable resolves the collection the caller may add objects to (intake).
func (t *TAXII) Writable(caller *Organization, idOrAlias string) (Collection, error) {
	col, err := t.Collection(caller, idOrAlias)
	if err != nil {
		return col, err
	}
	if !col.CanWrite(caller) {
		if caller == nil {
			return col, fmt.Errorf("adding objects needs credentials: %w", ErrUnauthorized)
		}
		return col, fmt.Errorf("collection %s is read-only: the hub fills it; submit to the intake collection: %w", col.Channel, ErrForbidden)
	}
	return col, nil
}

// Read returns one page of the collection for the caller and audits the
// read. The query's collection and reader are the caller's, whatever q says:
// a reader sees only released entries meant for it, and in intake only its
// own organization's submissions.
func (t *TAXII) Read(ctx context.Context, caller *Organization, col Collection, q TAXIIQuery, via string) ([]TAXIIEntry, bool, error) {
	if !col.CanRead(caller) {
		return nil, false, fmt.Errorf("collection %s: %w", col.Channel, ErrForbidden)
	}
	q.Collection, q.Reader = col.Channel, ""
	if caller != nil {
		q.Reader = caller.ID
	}
	entries, more, err := t.Store.FindTAXIIEntries(ctx, q)
	if err != nil {
		return nil, false, err
	}
	actor := caller.Actor() // "anonymous" for nil
	if err := t.Audit.AppendAudit(ctx, AuditEvent{Actor: actor, Action: AuditChannelRead, Subject: string(col.Channel),
		Detail: map[string]any{"objects": len(entries), "via": via}}); err != nil {
		return nil, false, err
	}
	return entries, more, nil
}

// SaveStatus stores the status of the caller's POST; only the caller's
// organization may read it back.
func (t *TAXII) SaveStatus(ctx context.Context, caller *Organization, st *TAXIIStatus) error {
	if caller == nil {
		return fmt.Errorf("status needs credentials: %w", ErrUnauthorized)
	}
	st.Organization = caller.ID
	// A failure names what the client sent, which may be no valid id at all.
	for _, details := range [][]TAXIIStatusDetail{st.Successes, st.Failures, st.Pendings} {
		for i := range details {
			d := &details[i]
			d.ID, d.Version, d.Message = storableText(d.ID, 0), storableText(d.Version, 0), storableText(d.Message, 0)
		}
	}
	return t.Store.CreateTAXIIStatus(ctx, st)
}

// Status returns a status of the caller's organization; another
// organization's is ErrNotFound, as an unknown one is.
func (t *TAXII) Status(ctx context.Context, caller *Organization, id string) (*TAXIIStatus, error) {
	if caller == nil {
		return nil, fmt.Errorf("status needs credentials: %w", ErrUnauthorized)
	}
	st, err := t.Store.FindTAXIIStatusByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.Organization != caller.ID {
		return nil, fmt.Errorf("status %s: %w", id, ErrNotFound)
	}
	return st, nil
}

// Delete answers a request to delete an object (TAXII 2.1 §5.6). The hub
// never deletes: channels are filled by releases and revoked by later
// versions, and submissions are evidence. So it is ErrNotFound where the
// caller may not know the collection, else ErrForbidden.
func (t *TAXII) Delete(caller *Organization, idOrAlias string) error {
	col, err := t.Collection(caller, idOrAlias)
	if err != nil {
		return err
	}
	return fmt.Errorf("the hub does not delete objects from %s; submit a later version with \"revoked\": true instead: %w", col.Channel, ErrForbidden)
}
