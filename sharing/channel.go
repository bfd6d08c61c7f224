package sharing

import (
	"fmt"
	"slices"

	"github.com/kakehashi-hub/kakehashi/anonymize"
)

// Channel is one of the hub's distribution channels (SHARING.md §2). Each is
// served as a TAXII 2.1 collection whose alias is the channel name.
type Channel string

// The channels of SHARING.md §2.
const (
	ChannelAccidentReports Channel = "accident-reports" // MIC: accident obligations, identified
	ChannelDisasterReports Channel = "disaster-reports" // MIC and Cabinet Office: disaster obligations, identified
	ChannelNISC            Channel = "nisc"             // NISC via T-CEPTOAR, anonymized
	ChannelISACMembers     Channel = "isac-members"     // ICT-ISAC members, anonymized
	ChannelISACInternal    Channel = "isac-internal"    // the ISAC's own analysts, anonymized
	ChannelCrossSector     Channel = "cross-sector"     // other sectors' CEPTOARs and ISACs, anonymized
	ChannelPublic          Channel = "public"           // anyone, no token, CLEAR only
	ChannelIntake          Channel = "intake"           // carriers write; each reads back only its own
)

// Channels lists the distribution channels in a stable order (intake is not
// a distribution channel and is not listed).
var Channels = []Channel{ChannelAccidentReports, ChannelDisasterReports, ChannelNISC, ChannelISACMembers, ChannelISACInternal, ChannelCrossSector, ChannelPublic}

// ParseChannel checks a channel name.
func ParseChannel(s string) (Channel, error) {
	c := Channel(s)
	if slices.Contains(Channels, c) || slices.Contains(EventChannels, c) || c == ChannelIntake {
		return c, nil
	}
	return "", fmt.Errorf("%q is not a channel; the channels are accident-reports, disaster-reports, nisc, isac-members, isac-internal, cross-sector, public, sector-events-regulator, sector-events, intake: %w", s, ErrNotFound)
}

// Statutory reports whether the channel carries what the law requires,
// whatever the TLP (SHARING.md §3).
func (c Channel) Statutory() bool {
	return c == ChannelAccidentReports || c == ChannelDisasterReports
}

// Profile is the anonymization profile of the channel's copies (SHARING.md §2, §4).
func (c Channel) Profile() anonymize.Profile {
	switch {
	case c.Statutory(), c == ChannelSectorEventsRegulator:
		return anonymize.ProfileIdentified
	case c == ChannelPublic:
		return anonymize.ProfilePublic
	}
	return anonymize.ProfileCEPTOAR
}

// InAudience reports whether an organization belongs to the channel's
// audience (SHARING.md §2): roles and registry flags decide.
func (c Channel) InAudience(o *Organization) bool {
	switch c {
	case ChannelAccidentReports:
		return o.Role == RoleRegulator
	case ChannelDisasterReports:
		return o.Role == RoleRegulator || o.Role == RoleDisasterAuthority
	case ChannelNISC:
		return o.Role == RoleNISC
	case ChannelISACMembers:
		return o.Role == RoleISAC || (o.Role == RoleCarrier && o.ISACMember)
	case ChannelISACInternal:
		return o.Role == RoleISAC
	case ChannelCrossSector:
		return o.Role == RoleMember || o.Role == RoleNISC
	case ChannelPublic:
		return true
	case ChannelSectorEventsRegulator:
		return o.Role == RoleRegulator
	case ChannelSectorEvents:
		// Each entry names its readers: the carriers that signalled that
		// event, the ISAC and NISC (Events.publish).
		return o.Role == RoleCarrier || o.Role == RoleISAC || o.Role == RoleNISC
	}
	return false
}

// Audience returns the ids of the registry organizations in the channel's
// audience, in registry order. The public channel's audience is everyone.
func (c Channel) Audience(r *Registry) []string {
	var ids []string
	for _, o := range r.Organizations() {
		if c.InAudience(o) {
			ids = append(ids, o.ID)
		}
	}
	return ids
}
