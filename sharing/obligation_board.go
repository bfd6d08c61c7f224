package sharing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// BoardQuery selects the obligations of a deadlines dashboard. Empty fields
// do not filter.
type BoardQuery struct {
	// Status is open, met, overdue or subsumed, as the dashboard shows it
	// (see Board for "overdue").
	Status string
	// Organization is a carrier's id; only the regulator may name another
	// organization than its own.
	Organization string
	// Class is the statutory class of the incident (INTERFACES.md §4
	// classification values), as the hub last classified it.
	Class string
	// Period is a reporting period ("FY2026Q2", or "FY2026" for a year):
	// the incident occurred in it (Japan time, REPORTING.md decision 4).
	Period string
}

// BoardEntry is one obligation as a dashboard shows it, with what the hub
// knows of its incident.
type BoardEntry struct {
	reporting.Obligation
	// Class is the incident's latest recorded classification; "" when the
	// hub has none (never for an obligation intake created).
	Class reporting.Classification
	// IncidentName is the incident's name in its latest version.
	IncidentName string
	// OccurredAt is the incident's occurred_at; zero when unknown.
	OccurredAt time.Time
}

// Board returns the obligations a deadlines dashboard shows to caller, with
// the same access rules as List (a carrier its own, the regulator every
// carrier's; other roles none: ErrForbidden). An open obligation whose legal
// deadline has passed is shown overdue even before the periodic sweep has
// recorded it (SweepOverdue would flip it at its next run), so that the
// dashboard never shows a missed deadline as open.
//
// Order: the regulator's board puts overdue obligations first (the most
// overdue first), then the rest newest first; a carrier's board is newest
// first (by when the obligation arose, then by due date).
func (s *Obligations) Board(ctx context.Context, caller *Organization, q BoardQuery) ([]BoardEntry, error) {
	var status reporting.Status
	if q.Status != "" {
		status = reporting.Status(q.Status)
		switch status {
		case reporting.StatusOpen, reporting.StatusMet, reporting.StatusOverdue, reporting.StatusSubsumed:
		default:
			return nil, fmt.Errorf("status %q is not open, met, overdue or subsumed: %w", q.Status, ErrInvalidArgument)
		}
	}
	if q.Class != "" && !knownClass(reporting.Classification(q.Class)) {
		return nil, fmt.Errorf("class %q is not one of serious, possibly-serious, quarterly, quarterly-simple, exempt, not-reportable: %w", q.Class, ErrInvalidArgument)
	}
	var period *reporting.Period
	if q.Period != "" {
		p, err := reporting.ParsePeriod(q.Period)
		if err != nil {
			return nil, fmt.Errorf("period %q is not a reporting period like FY2026Q2 or FY2026: %w", q.Period, ErrInvalidArgument)
		}
		period = &p
	}
	// List applies the access rules; the status is filtered here, after
	// the overdue view below.
	obls, err := s.List(ctx, caller, "", q.Organization)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	// A carrier's board reads only its own classifications, so that its
	// answer (and its time) does not depend on other organizations' data.
	classOf := ""
	if !canSeeAll(caller) {
		classOf = caller.ID
	}
	classes, err := s.latestClasses(ctx, classOf)
	if err != nil {
		return nil, err
	}
	type incidentKey struct{ org, id string }
	incidents := map[incidentKey]*stix.Object{}
	out := []BoardEntry{}
	for _, o := range obls {
		if o.Overdue(now) {
			o.Status = reporting.StatusOverdue
		}
		if status != "" && o.Status != status {
			continue
		}
		e := BoardEntry{Obligation: o, Class: classes[o.Organization+" "+o.IncidentID]}
		if q.Class != "" && string(e.Class) != q.Class {
			continue
		}
		k := incidentKey{o.Organization, o.IncidentID}
		inc, seen := incidents[k]
		if !seen {
			inc, err = s.incident(ctx, o.Organization, o.IncidentID)
			if err != nil {
				return nil, err
			}
			incidents[k] = inc
		}
		if inc != nil {
			if name, ok := inc.Props["name"].(string); ok {
				e.IncidentName = name
			}
			if t, ok, err := inc.TelecomExtension(); err == nil && ok {
				e.OccurredAt = t.OccurredAt
			}
		}
		if period != nil && (e.OccurredAt.IsZero() || reporting.PeriodOf(e.OccurredAt, period.Months) != *period) {
			continue
		}
		out = append(out, e)
	}
	sortBoard(out, canSeeAll(caller))
	return out, nil
}

// incident is the latest stored version of an organization's incident, or
// nil when the hub no longer holds it.
func (s *Obligations) incident(ctx context.Context, org, id string) (*stix.Object, error) {
	stored, err := s.Store.FindLatestObject(ctx, org, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o, err := stix.DecodeObject(stored.JSON)
	if err != nil {
		return nil, fmt.Errorf("decode stored %s: %w", id, err)
	}
	return o, nil
}

// latestClasses maps "org incident-id" to the classification of the latest
// version intake classified, as Statistics.Compute counts it.
//
// It reads the classifications of one organization ("": all, for the
// regulator, who sees every carrier's obligations).
func (s *Obligations) latestClasses(ctx context.Context, organization string) (map[string]reporting.Classification, error) {
	all, err := s.Store.FindClassifications(ctx, organization)
	if err != nil {
		return nil, err
	}
	latest := map[string]reporting.Result{}
	for _, r := range all {
		k := r.Organization + " " + r.IncidentID
		if prev, ok := latest[k]; !ok || !laterVersion(prev.Modified, r.Modified) {
			latest[k] = r
		}
	}
	out := make(map[string]reporting.Classification, len(latest))
	for k, r := range latest {
		out[k] = r.Classification
	}
	return out, nil
}

func knownClass(c reporting.Classification) bool {
	switch c {
	case reporting.Serious, reporting.PossiblySerious, reporting.Quarterly, reporting.QuarterlySimple, reporting.Exempt, reporting.NotReportable:
		return true
	}
	return false
}

// sortBoard orders a board: newest accident first; with overdueFirst (the
// regulator's board), overdue obligations come before all others, the most
// overdue first.
func sortBoard(es []BoardEntry, overdueFirst bool) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if overdueFirst {
			ao, bo := a.Status == reporting.StatusOverdue, b.Status == reporting.StatusOverdue
			if ao != bo {
				return ao
			}
			if ao && a.Due != nil && b.Due != nil && *a.Due != *b.Due {
				return a.Due.Before(*b.Due)
			}
		}
		if !a.OccurredAt.Equal(b.OccurredAt) {
			return a.OccurredAt.After(b.OccurredAt)
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		// One incident's obligations in the order they fall due: "without
		// delay" first.
		switch {
		case a.Due == nil && b.Due != nil:
			return true
		case a.Due != nil && b.Due == nil:
			return false
		case a.Due != nil && b.Due != nil && *a.Due != *b.Due:
			return a.Due.Before(*b.Due)
		}
		return a.ID < b.ID
	})
}

// MayMarkMet reports whether the console should offer caller the "met"
// form: a carrier's or the regulator's reporter or approver (or a machine
// credential). MarkMet decides again on use.
func MayMarkMet(caller *Organization) bool {
	return caller != nil && (caller.Role == RoleCarrier || canSeeAll(caller)) && caller.mayAct(UserReporter)
}
