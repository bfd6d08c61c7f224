package sharing

import "github.com/kakehashi-hub/kakehashi/outage"

// MaySeeEvents reports whether the caller's organization may see any sector
// event at all (issue #16 §4): the regulator, the ISAC and NISC; a carrier
// those it signalled. The console offers its events page by it; Events
// decides again for each event. It asks the one rule (Events.sight) about an
// event the organization itself signalled — the most any organization may
// see — so that the two never disagree.
func MaySeeEvents(caller *Organization) bool {
	if caller == nil {
		return false
	}
	return (*Events)(nil).sight(caller, &outage.Event{Organizations: []string{caller.ID}}) != sightNone
}
