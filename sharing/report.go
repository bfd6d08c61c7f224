package sharing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Reports builds the regulator's documents from what the hub holds: the
// detailed report of a serious accident (施行規則様式第50の3) and the quarterly
// file of an organization (報告規則様式第27).
type Reports struct {
	Store    Store
	Registry *Registry
	Rules    *reporting.RuleSet // nil: baseline
	Now      func() time.Time
}

func (r *Reports) rules() (*reporting.RuleSet, error) {
	if r.Rules != nil {
		return r.Rules, nil
	}
	return reporting.RuleSetByName(reporting.DefaultRuleSet)
}

// current classifies the latest stored version of an incident for its
// organization and attaches the recorded (escalated) obligations.
func (r *Reports) current(ctx context.Context, incidentID string, org *Organization) (*stix.Object, reporting.Result, error) {
	stored, err := r.Store.FindLatestObject(ctx, org.ID, incidentID)
	if err != nil {
		return nil, reporting.Result{}, err
	}
	o, err := stix.DecodeObject(stored.JSON)
	if err != nil {
		return nil, reporting.Result{}, fmt.Errorf("decode stored %s: %w", incidentID, err)
	}
	rs, err := r.rules()
	if err != nil {
		return nil, reporting.Result{}, err
	}
	res, err := reporting.Classify(o, org.ReportingFacts(), rs, r.Now())
	if err != nil {
		return nil, reporting.Result{}, fmt.Errorf("classify %s: %w", incidentID, err)
	}
	obls, err := r.Store.FindObligations(ctx, reporting.ObligationFilter{IncidentID: &incidentID, Organization: &org.ID})
	if err != nil {
		return nil, reporting.Result{}, err
	}
	res.Obligations = reporting.Escalate(obls, res.Obligations)
	return o, res, nil
}

// Detailed returns the detailed report of a serious accident. The reporting
// carrier and the regulator may read it; for anyone else it does not exist.
func (r *Reports) Detailed(ctx context.Context, caller *Organization, incidentID string) (reporting.DetailedReport, error) {
	// A carrier reads only its own incidents; the regulator reads the
	// owner's, never a version another organization tried to add.
	owner := caller.ID
	if canSeeAll(caller) {
		owners, err := r.Store.FindObjectOwners(ctx, []string{incidentID})
		if err != nil {
			return reporting.DetailedReport{}, err
		}
		if owner = owners[incidentID]; owner == "" {
			return reporting.DetailedReport{}, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
		}
	}
	stored, err := r.Store.FindLatestObject(ctx, owner, incidentID)
	if err != nil {
		return reporting.DetailedReport{}, err
	}
	if stored.Type != "incident" {
		return reporting.DetailedReport{}, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	org, err := r.Registry.FindOrganizationByID(stored.Organization)
	if err != nil {
		return reporting.DetailedReport{}, err
	}
	o, res, err := r.current(ctx, incidentID, org)
	if err != nil {
		return reporting.DetailedReport{}, err
	}
	if res.Classification != reporting.Serious {
		return reporting.DetailedReport{}, fmt.Errorf("incident %s is classified %s, not serious: only serious accidents have a detailed report: %w", incidentID, res.Classification, ErrNotFound)
	}
	return reporting.NewDetailedReport(o, org.ReportingFacts(), res)
}

// Quarterly returns the quarterly file (様式第27) of an organization for a
// period. A carrier reads its own; the regulator any carrier's.
func (r *Reports) Quarterly(ctx context.Context, caller *Organization, orgID string, p reporting.Period) (reporting.QuarterlyFile, error) {
	if orgID == "" {
		orgID = caller.ID
	}
	if orgID != caller.ID && !canSeeAll(caller) {
		return reporting.QuarterlyFile{}, fmt.Errorf("you can read only your own organization's quarterly file: %w", ErrForbidden)
	}
	org, err := r.Registry.FindOrganizationByID(orgID)
	if err != nil {
		return reporting.QuarterlyFile{}, err
	}
	rs, err := r.rules()
	if err != nil {
		return reporting.QuarterlyFile{}, err
	}
	var entries []reporting.QuarterlyEntry
	seen := map[string]bool{}
	for _, k := range []reporting.Kind{reporting.KindQuarterlyReport, reporting.KindQuarterlySimpleReport} {
		obls, err := r.Store.FindObligations(ctx, reporting.ObligationFilter{Organization: &org.ID, Kind: &k})
		if err != nil {
			return reporting.QuarterlyFile{}, err
		}
		for _, ob := range obls {
			if seen[ob.IncidentID] {
				continue
			}
			seen[ob.IncidentID] = true
			o, res, err := r.current(ctx, ob.IncidentID, org)
			if err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return reporting.QuarterlyFile{}, err
			}
			entries = append(entries, reporting.QuarterlyEntry{Incident: o, Result: res})
		}
	}
	return reporting.NewQuarterlyFile(org.ID, p, rs, entries)
}
