package outage

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Status is whether a sector event is still going on.
type Status string

// The statuses of a sector event (INTERFACES §9, GET /api/v1/events?status=).
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Event is a sector event (セクター横断の障害事象): signals of two or more
// organizations that the Rules group together. It is the identified form the
// regulator sees; Anonymized makes the others' view. An Event returned by the
// Correlator is a snapshot: its slices are never changed afterwards and must
// not be changed by the caller.
type Event struct {
	ID            string
	Status        Status
	OpenedAt      time.Time
	UpdatedAt     time.Time
	ClosedAt      time.Time // zero while open
	Symptoms      []Symptom // sorted
	Regions       []string  // sorted JIS X 0401 codes
	Organizations []string  // sorted; registry ids and outside sources
	UpstreamASNs  []int64   // sorted
	Prefixes      []netip.Prefix
	// Signals are the event's signals in the order they joined, at most
	// Rules.MaxEventSignals of them; SignalCount counts all.
	Signals     []Signal
	SignalCount int
}

// Carriers returns the event's registry organizations, outside sources aside.
func (e *Event) Carriers() []string {
	var out []string
	for _, o := range e.Organizations {
		if !IsOutsideSource(o) {
			out = append(out, o)
		}
	}
	return out
}

// Sources returns the outside sources among the event's organizations.
func (e *Event) Sources() []string {
	var out []string
	for _, o := range e.Organizations {
		if IsOutsideSource(o) {
			out = append(out, o)
		}
	}
	return out
}

// NotificationKind names a change of an event; the names are the SSE event
// names of INTERFACES §9.
type NotificationKind string

// The changes of an event.
const (
	Opened  NotificationKind = "opened"
	Updated NotificationKind = "updated"
	Closed  NotificationKind = "closed"
)

// Notification tells of one change of an event, with the event as it is
// after the change.
type Notification struct {
	Kind  NotificationKind
	Event Event
}

// eventState is the Correlator's working copy of an event. The sorted sets
// are replaced, never changed in place, when a value is added, so snapshots
// can share them.
type eventState struct {
	Event
	mask          uint64    // the families every member shares
	firstObserved time.Time // earliest and latest observed_at of its signals
	lastObserved  time.Time
	lastArrival   time.Time // the clock when the last signal joined
}

func (e *eventState) snapshot() Event {
	ev := e.Event
	ev.Signals = ev.Signals[:len(ev.Signals):len(ev.Signals)]
	return ev
}

// add joins a signal to the event.
func (e *eventState) add(s Signal, mask uint64, now time.Time, maxSignals int) {
	e.mask &= mask
	if e.SignalCount == 0 || s.ObservedAt.Before(e.firstObserved) {
		e.firstObserved = s.ObservedAt
	}
	if s.ObservedAt.After(e.lastObserved) {
		e.lastObserved = s.ObservedAt
	}
	e.lastArrival = now
	e.UpdatedAt = now
	e.SignalCount++
	if len(e.Signals) < maxSignals {
		e.Signals = append(e.Signals, s)
	}
	e.Symptoms = union(e.Symptoms, []Symptom{s.Symptom}, func(a, b Symptom) int { return cmpString(string(a), string(b)) })
	e.Regions = union(e.Regions, s.Regions, cmpString)
	e.Organizations = union(e.Organizations, []string{s.Organization}, cmpString)
	e.UpstreamASNs = union(e.UpstreamASNs, s.UpstreamASNs, func(a, b int64) int { return int(min(max(a-b, -1), 1)) })
	e.Prefixes = union(e.Prefixes, s.Prefixes, comparePrefix)
}

// overlaps reports whether a signal shares a region, an upstream ASN or an
// overlapping prefix with the event.
func (e *eventState) overlaps(s *Signal) bool {
	for _, r := range s.Regions {
		if _, ok := slices.BinarySearch(e.Regions, r); ok {
			return true
		}
	}
	for _, a := range s.UpstreamASNs {
		if _, ok := slices.BinarySearch(e.UpstreamASNs, a); ok {
			return true
		}
	}
	return prefixesOverlap(s.Prefixes, e.Prefixes)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// union returns the sorted set a with the values of b added: a itself when
// nothing is new, else a new slice (snapshots keep sharing the old one).
func union[T any](a, b []T, cmp func(T, T) int) []T {
	out := a
	copied := false
	for _, v := range b {
		i, found := slices.BinarySearchFunc(out, v, cmp)
		if found {
			continue
		}
		if !copied {
			out = slices.Clone(out)
			copied = true
		}
		out = slices.Insert(out, i, v)
	}
	return out
}

// eventID derives a stable id from the signals that opened the event, so a
// replay opens the same event under the same id.
func eventID(signalIDs []string) string {
	h := sha256.New()
	for _, id := range signalIDs {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return "sector-event--" + uuidFrom(h.Sum(nil))
}

// NewSignalID derives a STIX incident id from the parts that identify a
// signal of an outside source (source, carrier, prefix, minute…), so the
// same evidence read twice makes the same signal.
func NewSignalID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "incident--" + uuidFrom(h.Sum(nil))
}

// uuidFrom formats the first 16 bytes of a hash as a name-based UUID
// (version 5 layout, RFC 9562 §5.5, with SHA-256 instead of SHA-1).
func uuidFrom(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
