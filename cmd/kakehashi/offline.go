package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// offlineInput is a validated bundle attributed to a registry organization.
type offlineInput struct {
	reg    *sharing.Registry
	org    *sharing.Organization
	bundle *stix.Bundle
}

// readOffline loads the registry, reads and validates the bundle and finds its
// organization. A non-zero code means the command is over.
func readOffline(e env, regPath, orgID, file string) (*offlineInput, int) {
	if regPath == "" {
		return nil, usageError(e, errors.New("--registry FILE is required"))
	}
	reg, err := sharing.LoadRegistry(regPath)
	if err != nil {
		return nil, usageError(e, err)
	}
	data, err := readInput(file, e)
	if err != nil {
		return nil, usageError(e, err)
	}
	b, violations, err := validateBundle(data, nil)
	if err != nil {
		return nil, usageError(e, err)
	}
	if len(violations) > 0 {
		return nil, printViolations(e, violations)
	}
	org, err := attribute(reg, b, orgID)
	if err != nil {
		return nil, usageError(e, err)
	}
	return &offlineInput{reg: reg, org: org, bundle: b}, exitOK
}

func writeJSON(e env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return usageError(e, err)
	}
	return exitOK
}

// cmdAnonymize is `kakehashi anonymize`: the anonymized copy of a bundle for
// a profile, offline, with the leak check (exit 3 and nothing on stdout when
// it withholds).
func cmdAnonymize(args []string, e env) int {
	fs := newFlagSet("anonymize", e)
	regPath := fs.String("registry", "", "registry file (required)")
	orgID := fs.String("org", "", "organization id the bundle is from (default: the one whose identity created it)")
	profile := fs.String("profile", "ceptoar", "profile: ceptoar or public (identified changes nothing)")
	keyFlag := fs.String("pseudonym-key", "", "secret of the source pseudonym (at least 16 characters); default $KAKEHASHI_PSEUDONYM_KEY, else random for this run")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("anonymize takes one FILE, or - for standard input"))
	}
	p, err := anonymize.ParseProfile(*profile)
	if err != nil {
		return usageError(e, err)
	}
	key := []byte(*keyFlag)
	if len(key) == 0 {
		key = []byte(e.getenv("KAKEHASHI_PSEUDONYM_KEY"))
	}
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return usageError(e, err)
		}
		fmt.Fprintln(e.stderr, "kakehashi: no --pseudonym-key: using a random key, so the source pseudonym differs from run to run")
	} else if len(key) < 16 {
		return usageError(e, errors.New("--pseudonym-key must be at least 16 characters"))
	}
	in, code := readOffline(e, *regPath, *orgID, pos[0])
	if code != exitOK {
		return code
	}
	a, err := anonymize.NewAnonymizer(in.reg.Parties(), anonymize.Options{PseudonymKey: key, CEPTOARIdentity: ceptoarIdentity(in.reg)})
	if err != nil {
		return usageError(e, err)
	}
	res, err := a.Anonymize(in.bundle, in.org.ID, p)
	if err != nil {
		return usageError(e, err)
	}
	if res.Withheld {
		fmt.Fprintf(e.stderr, "kakehashi: withheld by the leak check: %d place(s) still hold registry terms\n", len(res.Hits))
		for _, h := range res.Hits {
			fmt.Fprintf(e.stderr, "  %s (%s)\n", h.Pointer, h.Kind)
		}
		return exitWithheld
	}
	return writeJSON(e, res.Bundle)
}

// cmdRoute is `kakehashi route`: the routing plan of INTERFACES.md §5, offline.
func cmdRoute(args []string, e env) int {
	fs := newFlagSet("route", e)
	regPath := fs.String("registry", "", "registry file (required)")
	orgID := fs.String("org", "", "organization id the bundle is from (default: the one whose identity created it)")
	shareWith := fs.String("share-with", "", "comma-separated organization ids named for RED and AMBER+STRICT objects")
	rules := fs.String("rules", reporting.DefaultRuleSet, "rule set: baseline or 2025-proposed")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("route takes one FILE, or - for standard input"))
	}
	rs, err := reporting.RuleSetByName(*rules)
	if err != nil {
		return usageError(e, err)
	}
	in, code := readOffline(e, *regPath, *orgID, pos[0])
	if code != exitOK {
		return code
	}
	var named []string
	for _, id := range strings.Split(*shareWith, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, err := in.reg.FindOrganizationByID(id); err != nil {
			return usageError(e, fmt.Errorf("--share-with: %q is not a registered organization", id))
		}
		named = append(named, id)
	}
	results, violations := classifyBundle(in.bundle, in.org.ReportingFacts(), rs)
	if len(violations) > 0 {
		return printViolations(e, violations)
	}
	router := &sharing.Router{Registry: in.reg}
	return writeJSON(e, router.Plan(sharing.RouteRequest{Bundle: in.bundle, Submitter: in.org, ShareWith: named, Incidents: results}))
}
