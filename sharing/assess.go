package sharing

import (
	"context"
	"errors"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Assessment is what the intake would answer to a bundle, without storing
// anything: its violations, its best-practice warnings and the
// classification of its telecom incidents.
type Assessment struct {
	Violations []stix.Violation
	Warnings   []stix.Warning
	Incidents  []reporting.Result
}

// Assess is the intake's dry run for the console's live check: it validates
// the caller's draft bundle and classifies its incidents exactly as Submit
// would, and stores nothing, audits nothing, routes nothing. Like Submit it
// is for organizations and people that may submit (ErrForbidden otherwise).
//
// It reads only the caller's own records — its stored marking definitions
// (warnings) and the obligations it already has for the same incident (so
// that a follow-up shows the escalated obligations) — so no answer depends
// on another organization's data. Ownership of the ids is not checked: that
// needs the owners of every id, and Submit refuses what the caller may not
// publish with the same words.
func (in *Intake) Assess(ctx context.Context, caller *Organization, b *stix.Bundle) (Assessment, error) {
	if !MaySubmit(caller) {
		return Assessment{}, fmt.Errorf("your organization's role may not submit: %w", ErrForbidden)
	}
	var out Assessment
	now := in.Now().UTC()
	if err := in.check(caller, b, now); err != nil {
		var re *RefusedError
		if !errors.As(err, &re) {
			return out, err
		}
		out.Violations = re.Violations
	}
	out.Warnings = stix.Warnings(b, func(id string) bool {
		_, err := in.Store.FindLatestObject(ctx, caller.ID, id)
		return err == nil
	})
	rs := in.Rules
	if rs == nil {
		var err error
		if rs, err = reporting.RuleSetByName(reporting.DefaultRuleSet); err != nil {
			return out, err
		}
	}
	facts := caller.ReportingFacts()
	for i, o := range b.Objects {
		if o.Type != "incident" || isOutageSignal(o) {
			continue // as Submit: an outage signal has no statutory classification
		}
		res, err := reporting.Classify(o, facts, rs, now)
		switch {
		case errors.Is(err, reporting.ErrNotTelecomIncident):
			continue
		case errors.Is(err, reporting.ErrInvalidIncident):
			out.Violations = append(out.Violations, stix.Violation{Path: fmt.Sprintf("/objects/%d/extensions/%s", i, stix.TelecomExtensionID), Message: err.Error()})
			continue
		case err != nil:
			return out, fmt.Errorf("classify %s: %w", o.ID, err)
		}
		incID, orgID := o.ID, caller.ID
		prev, err := in.Store.FindObligations(ctx, reporting.ObligationFilter{IncidentID: &incID, Organization: &orgID})
		if err != nil {
			return out, fmt.Errorf("find obligations of %s: %w", o.ID, err)
		}
		res.Obligations = reporting.Escalate(prev, res.Obligations)
		for _, late := range reporting.Sweep(res.Obligations, now) {
			for j := range res.Obligations {
				if res.Obligations[j].ID == late.ID {
					res.Obligations[j] = late
				}
			}
		}
		out.Incidents = append(out.Incidents, res)
	}
	return out, nil
}
