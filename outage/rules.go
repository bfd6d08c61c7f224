package outage

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Family is a named set of symptoms that may describe one outage seen from
// different places: a carrier's "no-connectivity" and the routing source's
// "routing-withdrawal" belong together, a "dns-failure" and a
// "call-failure" do not. A symptom may belong to several families.
type Family struct {
	Name     string    `yaml:"name" json:"name"`
	Symptoms []Symptom `yaml:"symptoms" json:"symptoms"`
}

// Rules are the grouping rules of the Correlator (issue #16: "grouping rules
// are data"); docs/signals.md documents them and their defaults.
type Rules struct {
	// Window is how far apart in observed time two signals may be and still
	// be grouped (sliding; default 15 minutes).
	Window time.Duration `yaml:"window" json:"window"`
	// Quiet is how long an open event waits without a new signal before it
	// closes (default 30 minutes).
	Quiet time.Duration `yaml:"quiet" json:"quiet"`
	// MinOrganizations is how many distinct organizations (outside sources
	// count as one each) open an event; at least 2 (default 2).
	MinOrganizations int `yaml:"min_organizations" json:"min_organizations"`
	// Families are the symptom families; two signals group only when their
	// symptoms share one.
	Families []Family `yaml:"families" json:"families"`
	// MaxPending bounds the signals held while they wait for a partner; the
	// oldest go first (default 100,000). Memory stays bounded however fast
	// signals come.
	MaxPending int `yaml:"max_pending" json:"max_pending"`
	// MaxEventSignals bounds the signals an event keeps for its timeline
	// (default 10,000); it goes on counting them.
	MaxEventSignals int `yaml:"max_event_signals" json:"max_event_signals"`
	// KeepClosed is how many closed events the Correlator keeps for Events
	// (default 1,000); the hub stores them through the notifications.
	KeepClosed int `yaml:"keep_closed" json:"keep_closed"`
}

// DefaultRules returns the rules of docs/signals.md.
func DefaultRules() Rules {
	return Rules{
		Window:           15 * time.Minute,
		Quiet:            30 * time.Minute,
		MinOrganizations: 2,
		Families: []Family{
			{Name: "reachability", Symptoms: []Symptom{NoConnectivity, PacketLoss, HighLatency, RoutingAnomaly, RoutingWithdrawal, UserReportSurge, OtherSymptom}},
			{Name: "dns", Symptoms: []Symptom{DNSFailure, NoConnectivity, UserReportSurge, OtherSymptom}},
			{Name: "voice", Symptoms: []Symptom{CallFailure, UserReportSurge, OtherSymptom}},
		},
		MaxPending:      100_000,
		MaxEventSignals: 10_000,
		KeepClosed:      1_000,
	}
}

// maxFamilies is the number of families a family mask can hold.
const maxFamilies = 64

// Validate checks the rules with guard clauses and names the first problem.
func (r Rules) Validate() error {
	if r.Window <= 0 {
		return fmt.Errorf("signals window %v must be positive, e.g. 15m", r.Window)
	}
	if r.Quiet <= 0 {
		return fmt.Errorf("signals quiet period %v must be positive, e.g. 30m", r.Quiet)
	}
	if r.MinOrganizations < 2 {
		return fmt.Errorf("signals min_organizations %d must be at least 2: one organization alone never opens an event", r.MinOrganizations)
	}
	if len(r.Families) == 0 {
		return errors.New("signals families: list at least one family of symptoms")
	}
	if len(r.Families) > maxFamilies {
		return fmt.Errorf("signals families: %d families; at most %d", len(r.Families), maxFamilies)
	}
	names := map[string]bool{}
	for i, f := range r.Families {
		if f.Name == "" || names[f.Name] {
			return fmt.Errorf("signals families[%d]: name %q is empty or used twice", i, f.Name)
		}
		names[f.Name] = true
		if len(f.Symptoms) == 0 {
			return fmt.Errorf("signals families[%d] (%s): list its symptoms", i, f.Name)
		}
		for _, s := range f.Symptoms {
			if !slices.Contains(Symptoms, s) {
				return fmt.Errorf("signals families[%d] (%s): %q is not one of %s", i, f.Name, s, joinSymptoms())
			}
		}
	}
	if r.MaxPending < 1 {
		return fmt.Errorf("signals max_pending %d must be positive", r.MaxPending)
	}
	if r.MaxEventSignals < 0 {
		return fmt.Errorf("signals max_event_signals %d must not be negative", r.MaxEventSignals)
	}
	if r.KeepClosed < 0 {
		return fmt.Errorf("signals keep_closed %d must not be negative", r.KeepClosed)
	}
	return nil
}

// familyMasks maps each symptom to the bit set of the families it belongs
// to; a symptom in no family groups with nothing.
func (r Rules) familyMasks() map[Symptom]uint64 {
	m := map[Symptom]uint64{}
	for i, f := range r.Families {
		for _, s := range f.Symptoms {
			m[s] |= 1 << uint(i)
		}
	}
	return m
}
