package sharing

import (
	"fmt"
	"strings"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Rule says whether objects of one TLP go to one channel (SHARING.md §3).
type Rule string

// The rules of the TLP matrix.
const (
	RuleNever        Rule = "no"
	RuleAlways       Rule = "yes"
	RuleIfObligation Rule = "if-obligation" // statutory channels: when the submission created an obligation
	RuleIfNamed      Rule = "if-named"      // when share_with names an organization of the channel's audience
	RuleNamedOnly    Rule = "named-only"    // only to the named organizations of the audience
)

// Policy is the TLP matrix: for each community channel and TLP level, a rule.
// The statutory channels are not configurable: the law decides.
type Policy map[Channel]map[stix.TLP]Rule

// DefaultPolicy is the matrix of SHARING.md §3.
func DefaultPolicy() Policy {
	c, g, a, s, r := stix.TLPClear, stix.TLPGreen, stix.TLPAmber, stix.TLPAmberStrict, stix.TLPRed
	return Policy{
		ChannelNISC:         {c: RuleAlways, g: RuleAlways, a: RuleAlways, s: RuleIfNamed, r: RuleIfNamed},
		ChannelISACMembers:  {c: RuleAlways, g: RuleAlways, a: RuleAlways, s: RuleNever, r: RuleNamedOnly},
		ChannelISACInternal: {c: RuleAlways, g: RuleAlways, a: RuleAlways, s: RuleAlways, r: RuleIfNamed},
		ChannelCrossSector:  {c: RuleAlways, g: RuleAlways, a: RuleNever, s: RuleNever, r: RuleNever},
		ChannelPublic:       {c: RuleAlways, g: RuleNever, a: RuleNever, s: RuleNever, r: RuleNever},
	}
}

// Rule returns the rule for a channel and TLP; statutory channels always
// answer RuleIfObligation, and anything unset is RuleNever.
func (p Policy) Rule(c Channel, t stix.TLP) Rule {
	if c.Statutory() {
		return RuleIfObligation
	}
	if r, ok := p[c][t]; ok {
		return r
	}
	return RuleNever
}

// Validate refuses a policy wider than FIRST TLP 2.0 allows, naming the cell:
//   - RED is for named recipients only: no community channel may take it
//     unconditionally;
//   - AMBER+STRICT stays inside the recipient organization: it may not go to
//     the member community (isac-members), other sectors or the public
//     unless the organization is named;
//   - the public channel is anyone: only CLEAR may go there;
//   - the statutory channels are not configurable.
func (p Policy) Validate() error {
	var errs []string
	for c, row := range p {
		if c.Statutory() {
			errs = append(errs, fmt.Sprintf("%s is a statutory channel: it receives what the law requires, its rules cannot be configured", c))
			continue
		}
		if _, err := ParseChannel(string(c)); err != nil || c == ChannelIntake {
			errs = append(errs, fmt.Sprintf("%q is not a distribution channel", c))
			continue
		}
		for t, r := range row {
			switch r {
			case RuleNever, RuleAlways, RuleIfNamed, RuleNamedOnly:
			default:
				errs = append(errs, fmt.Sprintf("%s/%s: rule %q must be yes, no, if-named or named-only", c, t, r))
				continue
			}
			if r == RuleAlways {
				switch {
				case t == stix.TLPRed:
					errs = append(errs, fmt.Sprintf("%s/red: TLP:RED may go only to named recipients; use if-named or named-only", c))
				case t == stix.TLPAmberStrict && (c == ChannelISACMembers || c == ChannelCrossSector || c == ChannelPublic):
					errs = append(errs, fmt.Sprintf("%s/amber+strict: TLP:AMBER+STRICT may not go to the community beyond the recipient organization; use if-named or no", c))
				case c == ChannelPublic && t != stix.TLPClear:
					errs = append(errs, fmt.Sprintf("public/%s: only TLP:CLEAR may be published", t))
				}
			}
			if c == ChannelPublic && t != stix.TLPClear && r != RuleNever {
				errs = append(errs, fmt.Sprintf("public/%s: the public has no named recipients; only TLP:CLEAR may go there", t))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("TLP policy wider than TLP 2.0 allows: %s", strings.Join(errs, "; "))
	}
	return nil
}

// ParsePolicy reads the configuration form {channel: {tlp: rule}} over the
// default matrix and validates the result.
func ParsePolicy(cfg map[string]map[string]string) (Policy, error) {
	p := DefaultPolicy()
	for cname, row := range cfg {
		c := Channel(cname)
		if p[c] == nil {
			p[c] = map[stix.TLP]Rule{}
		}
		for tname, rule := range row {
			t, err := stix.ParseTLP(tname)
			if err != nil {
				return nil, fmt.Errorf("tlp_policy %s: %w", cname, err)
			}
			p[c][t] = Rule(rule)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}
