package sharing

import (
	"slices"
	"sort"
	"strings"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Route is one entry of a routing plan (INTERFACES.md §5): a channel, the
// profile its copy is made with, who receives it, and the ids of the
// submitted objects the copy carries (before anonymization renames any). A
// channel appears once for its whole audience and once more for each group of
// named recipients of RED or AMBER+STRICT objects (share_with).
type Route struct {
	Channel    Channel           `json:"channel"`
	Profile    anonymize.Profile `json:"profile"`
	Recipients []string          `json:"recipients"`
	Objects    []string          `json:"objects"`
	// Named is true for a copy restricted to organizations named in share_with.
	Named bool `json:"named,omitempty"`
	// Audience summarizes a whole-audience route for its submitter, whose
	// view lists no recipients (ForSubmitter).
	Audience *Audience `json:"audience,omitempty"`
}

// Plan is the routing plan of one submission (INTERFACES.md §5).
type Plan struct {
	Channels []Route `json:"channels"`
}

// Router decides where each object of a submission goes (SHARING.md §2–3).
type Router struct {
	Registry *Registry
	Policy   Policy // nil: DefaultPolicy
}

// RouteRequest is what routing needs to know of a submission.
type RouteRequest struct {
	Bundle    *stix.Bundle
	Submitter *Organization
	ShareWith []string
	Incidents []reporting.Result // the classification of the submission's incidents
}

// accidentKinds are the obligations that put a submission in accident-reports;
// disasterKinds those that put it in disaster-reports (SHARING.md §2).
var (
	accidentKinds = []reporting.Kind{reporting.KindSeriousFirstReport, reporting.KindSeriousDetailedReport,
		reporting.KindQuarterlyReport, reporting.KindQuarterlySimpleReport, reporting.KindOsoreReport}
	disasterKinds = []reporting.Kind{reporting.KindDisasterDamageReport, reporting.KindCabinetDisasterReport}
)

func hasKind(results []reporting.Result, kinds []reporting.Kind) bool {
	for _, r := range results {
		for _, o := range r.Obligations {
			if slices.Contains(kinds, o.Kind) {
				return true
			}
		}
	}
	return false
}

// TLPOf is the TLP an object is routed by: the strictest of its own TLP
// markings, else the submitter's default (PROFILE.md §2).
func TLPOf(o *stix.Object, submitter *Organization) stix.TLP {
	if t, ok := o.TLP(); ok {
		return t
	}
	return submitter.EffectiveDefaultTLP()
}

// support objects travel with the copies that use them rather than being routed.
func isSupport(o *stix.Object) bool {
	return o.Type == "marking-definition" || o.Type == "extension-definition"
}

// Plan routes every object of the submission. Statutory channels get the whole
// submission, whatever its TLP, when it created an obligation for them;
// community channels get each object its TLP and the channel's content rule
// allow. The submitter is never among the recipients of its own copies.
func (r *Router) Plan(req RouteRequest) Plan {
	policy := r.Policy
	if policy == nil {
		policy = DefaultPolicy()
	}
	content := r.contentRules(req)
	var plan Plan
	for _, ch := range Channels {
		audience := without(ch.Audience(r.Registry), req.Submitter.ID)
		var whole []string
		named := map[string][]string{} // recipient set key → objects
		for _, o := range req.Bundle.Objects {
			if isSupport(o) || !content(ch, o) {
				continue
			}
			switch policy.Rule(ch, TLPOf(o, req.Submitter)) {
			case RuleAlways, RuleIfObligation:
				whole = append(whole, o.ID)
			case RuleIfNamed, RuleNamedOnly:
				to := intersect(audience, req.ShareWith)
				if ch == ChannelPublic || len(to) == 0 {
					continue
				}
				// Named means named even when the names cover today's
				// whole audience: an organization that joins later
				// must not read it (SHARING.md §3).
				key := strings.Join(to, ",")
				named[key] = append(named[key], o.ID)
			}
		}
		if len(whole) > 0 {
			whole = append(whole, r.supportFor(req.Bundle, whole)...)
			recipients := audience
			if ch == ChannelPublic {
				recipients = nil // anyone, with or without a token: nobody to name
			}
			plan.Channels = append(plan.Channels, Route{Channel: ch, Profile: ch.Profile(), Recipients: nonNilIDs(recipients), Objects: dedupe(whole)})
		}
		keys := make([]string, 0, len(named))
		for k := range named {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ids := append(named[k], r.supportFor(req.Bundle, named[k])...)
			plan.Channels = append(plan.Channels, Route{Channel: ch, Profile: ch.Profile(), Recipients: strings.Split(k, ","), Objects: dedupe(ids), Named: true})
		}
	}
	if plan.Channels == nil {
		plan.Channels = []Route{}
	}
	return plan
}

// contentRules returns the content rule of SHARING.md §2 for this submission.
func (r *Router) contentRules(req RouteRequest) func(Channel, *stix.Object) bool {
	accident := hasKind(req.Incidents, accidentKinds)
	disaster := hasKind(req.Incidents, disasterKinds)
	serious := map[string]bool{}
	for _, res := range req.Incidents {
		if res.Classification == reporting.Serious {
			serious[res.IncidentID] = true
		}
	}
	// nisc takes cyber-attack, info-leak and near-miss incidents and serious
	// outages (system failures), with the indicators and observables around them.
	niscIncident := func(o *stix.Object) bool {
		t, ok, err := o.TelecomExtension()
		if err != nil || !ok {
			return false
		}
		switch t.ReportKind {
		case stix.KindCyberAttack, stix.KindInfoLeak, stix.KindNearMiss:
			return true
		}
		return serious[o.ID]
	}
	hasNISCIncident := false
	for _, o := range req.Bundle.Objects {
		if o.Type == "incident" && niscIncident(o) {
			hasNISCIncident = true
		}
		if o.Type == "incident" {
			if t, ok, _ := o.TelecomExtension(); ok && t.ReportKind == stix.KindDisasterDamage {
				disaster = true
			}
		}
	}
	designs := designRefs(req.Bundle)
	registryIdentity := func(o *stix.Object) bool {
		if o.Type != "identity" {
			return false
		}
		_, err := r.Registry.FindOrganizationByIdentity(o.ID)
		return err == nil
	}
	return func(ch Channel, o *stix.Object) bool {
		switch ch {
		case ChannelAccidentReports:
			return accident
		case ChannelDisasterReports:
			return disaster
		}
		// Community copies never carry registered organizations' identities
		// (the anonymizer drops them) nor sensitive designs (SHARING.md §5).
		if registryIdentity(o) || designs[o.ID] {
			return false
		}
		switch ch {
		case ChannelNISC:
			if !hasNISCIncident {
				return false
			}
			return o.Type != "incident" || niscIncident(o)
		case ChannelCrossSector:
			switch o.Type {
			case "incident", "identity", "observed-data", "sighting":
				return false
			}
		}
		return true
	}
}

// supportFor lists the marking and extension definitions of the bundle that
// the given objects use.
func (r *Router) supportFor(b *stix.Bundle, ids []string) []string {
	want := make(map[string]bool, len(ids)) // a set: a bundle of n objects would otherwise cost n² comparisons
	for _, id := range ids {
		want[id] = true
	}
	used := map[string]bool{}
	for _, o := range b.Objects {
		if !want[o.ID] {
			continue
		}
		for _, m := range o.ObjectMarkingRefs {
			used[m] = true
		}
		if exts, ok := o.Props["extensions"].(map[string]any); ok {
			for k := range exts {
				used[k] = true
			}
		}
	}
	var out []string
	for _, o := range b.Objects {
		if isSupport(o) && used[o.ID] {
			out = append(out, o.ID)
		}
	}
	return out
}

func without(ids []string, drop string) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if id != drop {
			out = append(out, id)
		}
	}
	return out
}

func intersect(audience, named []string) []string {
	var out []string
	for _, id := range audience {
		if slices.Contains(named, id) {
			out = append(out, id)
		}
	}
	return out
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// Audience says to whom a copy goes without naming anyone: how many
// organizations, and how many of each role.
type Audience struct {
	Count int          `json:"count"`
	Roles map[Role]int `json:"roles"`
}

// ForSubmitter is the view of a submission's copies its submitter gets:
// membership lists are never shown to other organizations (SHARING.md §1), so
// a whole-audience route shows its audience by role and count, not by name.
// Named routes keep their recipients: the submitter named them.
func ForSubmitter(reg *Registry, copies []StoredCopy) []StoredCopy {
	out := make([]StoredCopy, len(copies))
	for i, c := range copies {
		out[i] = c
		if c.Route.Named || c.Route.Channel == ChannelPublic {
			continue // named by the submitter; public: anyone, nobody to count
		}
		a := &Audience{Roles: map[Role]int{}}
		for _, id := range c.Route.Recipients {
			if o, err := reg.FindOrganizationByID(id); err == nil {
				a.Count++
				a.Roles[o.Role]++
			}
		}
		out[i].Route.Recipients = []string{}
		out[i].Route.Audience = a
	}
	return out
}
