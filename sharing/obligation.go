package sharing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// Obligations lets organizations see and close their statutory obligations
// (REPORTING.md §4) and flips missed deadlines to overdue.
type Obligations struct {
	Store Store
	Now   func() time.Time
	// Serialize, when set, is held around every read-modify-write of an
	// obligation; pass Intake.Locker() so that a sweep or a "met" cannot
	// interleave with a re-classification of the same incident.
	Serialize sync.Locker
}

func (s *Obligations) lock() func() {
	if s.Serialize == nil {
		return func() {}
	}
	s.Serialize.Lock()
	return s.Serialize.Unlock
}

// canSeeAll reports whether a role sees the obligations of every carrier: the
// regulator receives the reports (SHARING.md §1).
func canSeeAll(org *Organization) bool { return org.Role == RoleRegulator }

// List returns the obligations visible to caller: a carrier its own, the
// regulator everyone's (optionally one organization's). Asking for another
// organization's list without the right is ErrForbidden.
func (s *Obligations) List(ctx context.Context, caller *Organization, status, organization string) ([]reporting.Obligation, error) {
	f := reporting.ObligationFilter{}
	if status != "" {
		st := reporting.Status(status)
		switch st {
		case reporting.StatusOpen, reporting.StatusMet, reporting.StatusOverdue, reporting.StatusSubsumed:
		default:
			return nil, fmt.Errorf("status %q is not open, met, overdue or subsumed: %w", status, ErrInvalidArgument)
		}
		f.Status = &st
	}
	switch {
	case canSeeAll(caller):
		if organization != "" {
			f.Organization = &organization
		}
	case organization == "" || organization == caller.ID:
		f.Organization = &caller.ID
	default:
		return nil, fmt.Errorf("you can list only your own organization's obligations: %w", ErrForbidden)
	}
	if caller.Role != RoleCarrier && !canSeeAll(caller) {
		return nil, fmt.Errorf("only carriers and the regulator have obligations to list: %w", ErrForbidden)
	}
	return s.Store.FindObligations(ctx, f)
}

// MarkMet records that the report behind an obligation was filed, with the
// reference of the filing. The owning carrier or the regulator may do it;
// for anyone else the obligation does not exist (ErrNotFound).
func (s *Obligations) MarkMet(ctx context.Context, caller *Organization, id, reference string) (reporting.Obligation, error) {
	defer s.lock()()
	o, err := s.Store.FindObligationByID(ctx, id)
	if err != nil {
		return o, err
	}
	if o.Organization != caller.ID && !canSeeAll(caller) {
		return reporting.Obligation{}, fmt.Errorf("obligation %s: %w", id, ErrNotFound)
	}
	if !caller.mayAct(UserReporter) {
		return o, fmt.Errorf("marking an obligation met needs a reporter or approver: %w", ErrForbidden)
	}
	if reference == "" {
		return o, fmt.Errorf("give the reference of the filed report (e.g. the MIC acceptance number) as \"reference\": %w", ErrInvalidArgument)
	}
	prev := o.Status
	if err := o.MarkMet(reference, s.Now()); err != nil {
		if errors.Is(err, reporting.ErrConflict) {
			return o, fmt.Errorf("obligation %s is already %s: %w", id, prev, ErrConflict)
		}
		return o, err
	}
	updated, err := s.Store.UpdateObligation(ctx, o)
	if err != nil {
		return o, err
	}
	err = s.Store.AppendAudit(ctx, AuditEvent{Actor: caller.Actor(), Action: AuditObligationMet, Subject: id,
		Detail: map[string]any{"reference": reference, "previous_status": string(prev), "incident": o.IncidentID, "organization": o.Organization}})
	return updated, err
}

// SweepOverdue flips every open obligation whose legal deadline has passed to
// overdue and logs each flip. It returns how many flipped.
func (s *Obligations) SweepOverdue(ctx context.Context) (int, error) {
	defer s.lock()()
	now := s.Now()
	open := reporting.StatusOpen
	yesterday := reporting.DateOf(now).AddDays(-1)
	due, err := s.Store.FindObligations(ctx, reporting.ObligationFilter{Status: &open, DueBefore: &yesterday})
	if err != nil {
		return 0, err
	}
	flipped := reporting.Sweep(due, now)
	for _, o := range flipped {
		if _, err := s.Store.UpdateObligation(ctx, o); err != nil {
			return 0, err
		}
		if err := s.Store.AppendAudit(ctx, AuditEvent{Actor: "hub", Action: AuditObligationOverdue, Subject: o.ID,
			Detail: map[string]any{"due": o.Due.String(), "kind": string(o.Kind), "organization": o.Organization, "incident": o.IncidentID}}); err != nil {
			return 0, err
		}
	}
	return len(flipped), nil
}
