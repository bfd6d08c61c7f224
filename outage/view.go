package outage

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// Carrier is what the outage package knows of a registry carrier: its id,
// the names users call it by, and the networks it holds. The hub converts
// its registry organizations into Carriers (INTERFACES §2 name, aliases,
// asns, networks).
type Carrier struct {
	ID       string
	Names    []string // name and aliases, any script and width
	ASNs     []int64
	Prefixes []netip.Prefix
}

// OwnsASN reports whether the ASN belongs to the carrier.
func (c *Carrier) OwnsASN(a int64) bool { return slices.Contains(c.ASNs, a) }

// OwnsPrefix reports whether the prefix overlaps one of the carrier's
// networks (a more-specific of it, or a covering less-specific).
func (c *Carrier) OwnsPrefix(p netip.Prefix) bool {
	for _, q := range c.Prefixes {
		if q.Overlaps(p) {
			return true
		}
	}
	return false
}

// View is the JSON shape of an event in GET /api/v1/events (INTERFACES §9).
// Carriers is a list of registry ids in the identified view and a count
// ("N", or "<3" for one or two) in the anonymized one.
type View struct {
	ID           string         `json:"id"`
	Status       Status         `json:"status"`
	OpenedAt     time.Time      `json:"opened_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	ClosedAt     *time.Time     `json:"closed_at,omitempty"`
	Symptoms     []Symptom      `json:"symptoms"`
	Regions      []string       `json:"regions"`
	Carriers     CarrierList    `json:"carriers"`
	Sources      []string       `json:"sources"` // outside sources: "routing", "user-reports"
	UpstreamASNs []int64        `json:"upstream_asns"`
	Prefixes     []string       `json:"prefixes"`
	Signals      int            `json:"signals"`
	SignalIDs    []string       `json:"signal_ids,omitempty"` // identified view only
	Timeline     []TimelineItem `json:"timeline"`
}

// CarrierList is the carriers of a View: their ids, or only their number.
type CarrierList struct {
	IDs   []string // identified view
	Count int      // anonymized view
	Named bool     // IDs, not Count
}

// MarshalJSON writes ["carrier-a", …], a number of three or more, or "<3"
// (INTERFACES §9): one or two carriers are too few to hide among.
func (l CarrierList) MarshalJSON() ([]byte, error) {
	switch {
	case l.Named:
		return json.Marshal(nonNil(l.IDs))
	case l.Count >= 1 && l.Count < 3:
		return []byte(`"<3"`), nil
	}
	return []byte(strconv.Itoa(l.Count)), nil
}

// UnmarshalJSON reads what MarshalJSON writes; "<3" reads as Count 2.
func (l *CarrierList) UnmarshalJSON(b []byte) error {
	*l = CarrierList{}
	switch {
	case len(b) > 0 && b[0] == '[':
		l.Named = true
		return json.Unmarshal(b, &l.IDs)
	case string(b) == `"<3"`:
		l.Count = 2
		return nil
	}
	return json.Unmarshal(b, &l.Count)
}

// TimelineItem is one signal of an event as a view shows it. Organization,
// Signal and Note are left out of the anonymized view.
type TimelineItem struct {
	At           time.Time `json:"at"`
	Source       string    `json:"source"` // "carrier", "routing" or "user-reports"
	Organization string    `json:"organization,omitempty"`
	Signal       string    `json:"signal,omitempty"`
	Symptom      Symptom   `json:"symptom"`
	Regions      []string  `json:"regions,omitempty"`
	Note         string    `json:"note,omitempty"`
}

// Identified returns the regulator's view: which carriers, their signals and
// the outside evidence (channel sector-events-regulator).
func (e *Event) Identified() View {
	v := e.baseView()
	v.Carriers = CarrierList{IDs: e.Carriers(), Named: true}
	v.UpstreamASNs = nonNil(slices.Clone(e.UpstreamASNs))
	v.Prefixes = prefixStrings(e.Prefixes)
	for _, s := range e.Signals {
		v.SignalIDs = append(v.SignalIDs, s.ID)
		v.Timeline = append(v.Timeline, TimelineItem{At: s.ObservedAt, Source: sourceOf(s.Organization), Organization: s.Organization,
			Signal: s.ID, Symptom: s.Symptom, Regions: s.Regions, Note: s.Note})
	}
	v.Timeline = sortedTimeline(v.Timeline)
	return v
}

// Anonymized returns the view of the carriers that signalled, ICT-ISAC and
// NISC (channel sector-events): the number of carriers, symptoms, regions,
// the timeline without organizations, and only the upstream ASNs and
// prefixes that belong to none of the carriers given. Pass at least the
// event's carriers (the registry's carriers is stricter and safer: an
// outside signal may name a carrier that did not signal).
func (e *Event) Anonymized(carriers []Carrier) View {
	v := e.baseView()
	v.Carriers = CarrierList{Count: len(e.Carriers())}
	v.UpstreamASNs = []int64{}
	for _, a := range e.UpstreamASNs {
		if !slices.ContainsFunc(carriers, func(c Carrier) bool { return c.OwnsASN(a) }) {
			v.UpstreamASNs = append(v.UpstreamASNs, a)
		}
	}
	var foreign []netip.Prefix
	for _, p := range e.Prefixes {
		if !slices.ContainsFunc(carriers, func(c Carrier) bool { return c.OwnsPrefix(p) }) {
			foreign = append(foreign, p)
		}
	}
	v.Prefixes = prefixStrings(foreign)
	for _, s := range e.Signals {
		v.Timeline = append(v.Timeline, TimelineItem{At: s.ObservedAt, Source: sourceOf(s.Organization), Symptom: s.Symptom, Regions: s.Regions})
	}
	v.Timeline = sortedTimeline(v.Timeline)
	return v
}

func (e *Event) baseView() View {
	v := View{ID: e.ID, Status: e.Status, OpenedAt: e.OpenedAt, UpdatedAt: e.UpdatedAt,
		Symptoms: nonNil(slices.Clone(e.Symptoms)), Regions: nonNil(slices.Clone(e.Regions)),
		Sources: nonNil(e.Sources()), Signals: e.SignalCount, Timeline: []TimelineItem{}}
	if !e.ClosedAt.IsZero() {
		t := e.ClosedAt
		v.ClosedAt = &t
	}
	return v
}

func sourceOf(org string) string {
	if IsOutsideSource(org) {
		return org
	}
	return "carrier"
}

func sortedTimeline(t []TimelineItem) []TimelineItem {
	slices.SortStableFunc(t, func(a, b TimelineItem) int { return a.At.Compare(b.At) })
	return nonNil(t)
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// nonNil makes an absent list an empty JSON array rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
