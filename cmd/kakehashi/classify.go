package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// cmdClassify is `kakehashi classify`: the classification JSON of
// INTERFACES.md §4 for every telecom incident of a bundle, offline.
func cmdClassify(args []string, e env) int {
	fs := newFlagSet("classify", e)
	regPath := fs.String("registry", "", "registry file (without it the submitter is an unknown carrier)")
	orgID := fs.String("org", "", "organization id the bundle is from (default: the one whose identity created it)")
	rules := fs.String("rules", reporting.DefaultRuleSet, "rule set: baseline or 2025-proposed")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("classify takes one FILE, or - for standard input"))
	}
	rs, err := reporting.RuleSetByName(*rules)
	if err != nil {
		return usageError(e, err)
	}
	var reg *sharing.Registry
	if *regPath != "" {
		if reg, err = sharing.LoadRegistry(*regPath); err != nil {
			return usageError(e, err)
		}
	}
	data, err := readInput(pos[0], e)
	if err != nil {
		return usageError(e, err)
	}
	b, violations, err := validateBundle(data, nil)
	if err != nil {
		return usageError(e, err)
	}
	if len(violations) > 0 {
		return printViolations(e, violations)
	}
	facts := reporting.Organization{}
	if reg != nil || *orgID != "" {
		org, err := attribute(reg, b, *orgID)
		if err != nil {
			return usageError(e, err)
		}
		if org != nil {
			facts = org.ReportingFacts()
		}
	}
	results, violations := classifyBundle(b, facts, rs)
	if len(violations) > 0 {
		return printViolations(e, violations)
	}
	return writeJSON(e, reporting.ResultSet{RuleSet: rs.Name, Incidents: results})
}

// classifyBundle classifies every telecom incident of a bundle now; an
// incident the rules cannot read is a violation at its pointer.
func classifyBundle(b *stix.Bundle, facts reporting.Organization, rs *reporting.RuleSet) ([]reporting.Result, []stix.Violation) {
	results := []reporting.Result{}
	var violations []stix.Violation
	now := time.Now()
	for i, o := range b.Objects {
		if o.Type != "incident" {
			continue
		}
		res, err := reporting.Classify(o, facts, rs, now)
		switch {
		case errors.Is(err, reporting.ErrNotTelecomIncident):
		case err != nil:
			violations = append(violations, stix.Violation{Path: fmt.Sprintf("/objects/%d", i), Message: err.Error()})
		default:
			results = append(results, res)
		}
	}
	return results, violations
}

// attribute finds the registry organization a bundle is from: the one --org
// names, else the one whose identity is the created_by_ref of its incidents
// (or of its objects, when it has no incident), INTERFACES.md §1. With no
// registry it returns nil (an unknown organization).
func attribute(reg *sharing.Registry, b *stix.Bundle, orgID string) (*sharing.Organization, error) {
	if orgID != "" {
		if reg == nil {
			return nil, errors.New("--org needs --registry")
		}
		return reg.FindOrganizationByID(orgID)
	}
	if reg == nil {
		return nil, nil
	}
	for _, pass := range []func(*stix.Object) bool{
		func(o *stix.Object) bool { return o.Type == "incident" },
		func(*stix.Object) bool { return true },
	} {
		for _, o := range b.Objects {
			if o.CreatedByRef == "" || !pass(o) {
				continue
			}
			if org, err := reg.FindOrganizationByIdentity(o.CreatedByRef); err == nil {
				return org, nil
			}
		}
	}
	return nil, errors.New("no object of the bundle is created by a registered organization; name it with --org")
}

// printViolations prints the error JSON of an invalid input on stdout (exit 1).
func printViolations(e env, violations []stix.Violation) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	rep := validationReport{Title: "The bundle breaks the STIX 2.1 profile", ErrorCode: "invalid-stix",
		Description: fmt.Sprintf("%d problem(s); each is listed with its JSON pointer", len(violations)),
		Details:     &validationPaths{Violations: violations}}
	if err := enc.Encode(rep); err != nil {
		return usageError(e, err)
	}
	return exitInvalid
}
