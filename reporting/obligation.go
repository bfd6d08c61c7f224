package reporting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Kind is the kind of a statutory or sharing obligation (INTERFACES.md §4).
// The values are a fixed contract.
type Kind string

// The obligation kinds of INTERFACES.md §4, in the order they are listed.
const (
	// KindSeriousFirstReport is the first report of a serious accident
	// (速報, Art. 28; 施行規則57条): without delay, no form.
	KindSeriousFirstReport Kind = "mic-serious-first-report"
	// KindSeriousDetailedReport is the detailed report of a serious
	// accident (施行規則様式第50の3), 30 days from occurrence.
	KindSeriousDetailedReport Kind = "mic-serious-detailed-report"
	// KindQuarterlyReport is the quarterly accident report (報告規則7条の3,
	// 様式第27), due two months after the quarter.
	KindQuarterlyReport Kind = "mic-quarterly-report"
	// KindQuarterlySimpleReport is the simple-form quarterly report of
	// base-station, remote-terminal and DSLAM accidents (7条の3 ただし書).
	KindQuarterlySimpleReport Kind = "mic-quarterly-simple-report"
	// KindOsoreReport is the report of a serious-accident-risk situation
	// (重大な事故が生ずるおそれがあると認められる事態), 30 days from awareness.
	KindOsoreReport Kind = "mic-osore-report"
	// KindDisasterDamageReport is the damage-status report through the
	// emergency network (非常時NW, 被害状況等の報告), successive.
	KindDisasterDamageReport Kind = "mic-disaster-damage-report"
	// KindCabinetDisasterReport is the damage report of a designated public
	// institution under 災害対策基本法53条: successive, final 20 days after
	// emergency measures are completed.
	KindCabinetDisasterReport Kind = "cabinet-office-disaster-report"
	// KindNISCSharing is information sharing with NISC (NCO since
	// 2025-07-01) under the critical-infrastructure action plan: timely.
	KindNISCSharing Kind = "nisc-information-sharing"
)

// kindOrder is the listing order of obligations in a Result.
var kindOrder = []Kind{
	KindSeriousFirstReport, KindSeriousDetailedReport, KindQuarterlyReport, KindQuarterlySimpleReport,
	KindOsoreReport, KindDisasterDamageReport, KindCabinetDisasterReport, KindNISCSharing,
}

func kindRank(k Kind) int {
	for i, v := range kindOrder {
		if v == k {
			return i
		}
	}
	return len(kindOrder)
}

// Status is the state of an obligation (INTERFACES.md §4).
type Status string

// Obligation states.
const (
	StatusOpen     Status = "open"     // still to be filed
	StatusMet      Status = "met"      // filed; MetReference names the filing
	StatusOverdue  Status = "overdue"  // Due has passed without filing
	StatusSubsumed Status = "subsumed" // satisfied by another report (SubsumedBy)
)

// Urgency says when an obligation without a date is due.
type Urgency string

// Urgencies of undated obligations.
const (
	UrgencyWithoutDelay Urgency = "without-delay" // 速やかに
	UrgencySuccessive   Urgency = "successive"    // 逐次 (during the disaster)
	UrgencyTimely       Urgency = "timely"        // 適時 (NISC 情報共有手引書)
)

// Obligation is one report a carrier owes for one incident (REPORTING.md §4:
// "a single hub record holds several Obligation rows"). There is at most one
// obligation of each Kind per incident and organization; its ID is derived
// from those three, so re-classifying a follow-up version finds it again.
type Obligation struct {
	ID           string     `json:"id,omitempty"`
	IncidentID   string     `json:"incident_id,omitempty"`
	Organization string     `json:"organization,omitempty"`
	Kind         Kind       `json:"kind"`
	Recipient    string     `json:"recipient"`
	Form         *string    `json:"form"`
	Urgency      Urgency    `json:"urgency,omitempty"`
	DueRaw       *Date      `json:"due_raw"`
	Due          *Date      `json:"due"`
	Status       Status     `json:"status"`
	SubsumedBy   Kind       `json:"subsumed_by,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	MetReference string     `json:"met_reference,omitempty"`
	MetAt        *time.Time `json:"met_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at,omitzero"`
	UpdatedAt    time.Time  `json:"updated_at,omitzero"`
}

// ObligationID returns the stable id of the obligation of kind k for an
// incident and organization: "obligation--" and 32 hex digits of a SHA-256.
func ObligationID(incidentID, organization string, k Kind) string {
	h := sha256.Sum256([]byte(incidentID + "\x00" + organization + "\x00" + string(k)))
	return "obligation--" + hex.EncodeToString(h[:16])
}

// MarkMet records that the report was filed, with the reference of the filed
// report (e.g. the MIC acceptance number). A subsumed obligation cannot be
// met (ErrConflict) and an already met one keeps its first reference
// (ErrConflict).
func (o *Obligation) MarkMet(reference string, at time.Time) error {
	switch o.Status {
	case StatusMet:
		return ErrConflict
	case StatusSubsumed:
		return ErrConflict
	}
	if reference == "" {
		return errors.New("met: the reference of the filed report is required")
	}
	at = at.UTC()
	o.Status = StatusMet
	o.MetReference = reference
	o.MetAt = &at
	o.UpdatedAt = at
	return nil
}

// Overdue reports whether an open obligation's legal deadline (Due, after
// roll-forward) has passed at now: the whole due day in Japan time counts
// (Civil Code Art. 141). Undated obligations are never overdue here; their
// "without delay" is a service-level matter for the hub.
func (o Obligation) Overdue(now time.Time) bool {
	return o.Status == StatusOpen && o.Due != nil && DateOf(now).After(*o.Due)
}

// Sweep returns copies of the obligations that flip from open to overdue at
// now, with their new status; the input is not modified. The caller stores
// and logs them. The legal deadline (Due) decides; alerts on the target date
// (DueRaw) are the caller's choice (REPORTING.md §3.1).
func Sweep(obls []Obligation, now time.Time) []Obligation {
	var out []Obligation
	for _, o := range obls {
		if o.Overdue(now) {
			o.Status = StatusOverdue
			o.UpdatedAt = now.UTC()
			out = append(out, o)
		}
	}
	return out
}

// Escalate merges the obligations of a new classification (next, e.g. of a
// follow-up version 第2報) into those already recorded for the same incident
// and organization (prev), so that obligations only ever escalate (product
// decision 3). It returns the merged list in kind order; prev and next are
// not modified. The rules, per kind:
//
//   - A kind in prev is never dropped, even if next no longer derives it (a
//     corrected user count does not withdraw a report that was owed; a human
//     closes it by marking it met).
//   - A kind only in next is added.
//   - met stays met, with its reference; overdue stays overdue until met.
//   - open becomes subsumed when next says so (the disaster report satisfies
//     it, decision 5); subsumed becomes open again when next no longer
//     subsumes it — an obligation never silently vanishes.
//   - An open osore report is subsumed by a serious detailed report that
//     appears later (decision 6), and an open simple-form quarterly report by
//     a detailed quarterly report (the form escalates).
//   - Due dates never move later: for "within N days" deadlines (detailed,
//     おそれ) the earlier of the promised and the new date stays, since a
//     report filed by the earlier date is also in time for the later one.
//     The rule itself requires a later date in two cases, which take next's
//     date: the periodic report (its due date is that of the reporting
//     period the accident belongs to, and a corrected occurred_at can move
//     the accident to a later quarter, where it cannot be filed early), and
//     the final disaster report (due 20 days after emergency measures
//     complete, which cannot be filed before they do). A date replaces none.
//   - ID and CreatedAt of prev are kept.
func Escalate(prev, next []Obligation) []Obligation {
	byKind := make(map[Kind]Obligation, len(prev)+len(next))
	for _, p := range prev {
		byKind[p.Kind] = p
	}
	nextKinds := make(map[Kind]bool, len(next))
	for _, n := range next {
		nextKinds[n.Kind] = true
		p, ok := byKind[n.Kind]
		if !ok {
			byKind[n.Kind] = n
			continue
		}
		byKind[n.Kind] = mergeObligation(p, n)
	}
	// Form escalation and decision 6 for kinds that next supersedes.
	supersede := func(k, by Kind, reason string) {
		o, ok := byKind[k]
		if !ok || nextKinds[k] || o.Status != StatusOpen {
			return
		}
		if _, ok := byKind[by]; !ok {
			return
		}
		o.Status = StatusSubsumed
		o.SubsumedBy = by
		o.Reason = reason
		byKind[k] = o
	}
	supersede(KindOsoreReport, KindSeriousDetailedReport, "the situation became a serious accident and is reported as one (REPORTING product decision 6)")
	supersede(KindQuarterlySimpleReport, KindQuarterlyReport, "the accident now needs the detailed quarterly form (報告規則様式第27)")
	out := make([]Obligation, 0, len(byKind))
	for _, o := range byKind {
		out = append(out, o)
	}
	sortObligations(out)
	return out
}

func mergeObligation(p, n Obligation) Obligation {
	m := p
	m.Recipient, m.Form, m.Urgency = n.Recipient, n.Form, n.Urgency
	switch p.Status {
	case StatusMet, StatusOverdue:
		// stays; a met report is final, an overdue one is closed by filing it
	case StatusOpen:
		if n.Status == StatusSubsumed {
			m.Status, m.SubsumedBy, m.Reason = StatusSubsumed, n.SubsumedBy, n.Reason
		}
	case StatusSubsumed:
		if n.Status == StatusOpen {
			m.Status, m.SubsumedBy, m.Reason = StatusOpen, "", n.Reason
		} else {
			m.SubsumedBy, m.Reason = n.SubsumedBy, n.Reason
		}
	}
	switch n.Kind {
	case KindQuarterlyReport, KindQuarterlySimpleReport, KindCabinetDisasterReport:
		if n.Due != nil {
			m.DueRaw, m.Due = n.DueRaw, n.Due
		}
	default:
		m.DueRaw = earlier(p.DueRaw, n.DueRaw)
		m.Due = earlier(p.Due, n.Due)
	}
	if m.ID == "" {
		m.ID = n.ID
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = n.CreatedAt
	}
	return m
}

func earlier(a, b *Date) *Date {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.Before(*a):
		return b
	}
	return a
}

func sortObligations(obls []Obligation) {
	for i := 1; i < len(obls); i++ {
		for j := i; j > 0 && kindRank(obls[j].Kind) < kindRank(obls[j-1].Kind); j-- {
			obls[j], obls[j-1] = obls[j-1], obls[j]
		}
	}
}

// Sentinel errors of the package; storage adapters translate driver errors
// to them at their boundary.
var (
	// ErrNotFound means the requested obligation does not exist (or the
	// caller may not know it exists).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write contradicts stored state: an obligation
	// with the same ID exists, or a met or subsumed obligation is marked met.
	ErrConflict = errors.New("conflict")
	// ErrNotTelecomIncident means Classify was given an object that is not
	// an incident carrying the telecom extension; such objects have no
	// statutory classification and callers skip them.
	ErrNotTelecomIncident = errors.New("not an incident with the telecom extension")
)

// ObligationFilter selects obligations; nil fields do not filter. Results are
// ordered by Due (undated first), then ID.
type ObligationFilter struct {
	ID           *string
	IncidentID   *string
	Organization *string
	Kind         *Kind
	Status       *Status
	DueBefore    *Date // Due on or before this date
	Offset       int
	Limit        int // 0: no limit
}

// Store persists obligations; store/sqlite implements it.
//
// Error contract: FindObligationByID and UpdateObligation return an error
// wrapping ErrNotFound when no obligation has the ID; CreateObligations
// returns one wrapping ErrConflict when an ID already exists, and then stores
// none of the batch; FindObligations returns an empty slice, never an
// error, when nothing matches. No method returns a nil error with a missing
// value.
type Store interface {
	// FindObligationByID returns one obligation.
	FindObligationByID(ctx context.Context, id string) (Obligation, error)
	// FindObligations returns the obligations matching the filter.
	FindObligations(ctx context.Context, filter ObligationFilter) ([]Obligation, error)
	// CreateObligations stores new obligations atomically.
	CreateObligations(ctx context.Context, obls []Obligation) error
	// UpdateObligation replaces the mutable fields (status, subsumed_by,
	// reason, due dates, met reference and time, updated_at) of the stored
	// obligation with o.ID and returns the stored result.
	UpdateObligation(ctx context.Context, o Obligation) (Obligation, error)
}
