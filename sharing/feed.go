package sharing

import (
	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Feeds are the distribution channels the caller may read, as collections
// in a stable order (SHARING.md §2): its audience decides. Intake, which a
// carrier writes and reads back only its own submissions from, is not a feed.
func (t *TAXII) Feeds(caller *Organization) []Collection {
	var out []Collection
	for _, c := range t.Collections(caller) {
		if c.Channel != ChannelIntake && c.CanRead(caller) {
			out = append(out, c)
		}
	}
	return out
}

// FeedTLP is the TLP an object of a channel's copy travels under, for
// showing it (PROFILE.md §2): the strictest of its own TLP markings. Unmarked
// objects:
//   - in an anonymized copy, the submitter's objects all carry their TLP
//     (Copier.prepare marks those that relied on the default), so an unmarked
//     one is a reference object the hub adds to every copy that uses it (TLP
//     marking definitions, the telecom extension definition, the hub's and
//     the T-CEPTOAR identity), published to anyone: CLEAR;
//   - in an identified copy (the statutory channels carry the originals), the
//     default TLP of the registry organization the object belongs to (its
//     created_by_ref, or the organization an identity object stands for);
//     CLEAR for the hub's published reference objects; else AMBER+STRICT,
//     PROFILE.md §2's fallback (e.g. the hub's classification note).
func FeedTLP(reg *Registry, ch Channel, o *stix.Object) stix.TLP {
	if t, ok := o.TLP(); ok {
		return t
	}
	if ch.Profile() != anonymize.ProfileIdentified {
		return stix.TLPClear
	}
	for _, id := range []string{o.CreatedByRef, o.ID} {
		if id == "" {
			continue
		}
		if org, err := reg.FindOrganizationByIdentity(id); err == nil {
			return org.EffectiveDefaultTLP()
		}
	}
	switch {
	case o.Type == "marking-definition", o.Type == "extension-definition",
		o.ID == stix.HubIdentityID, o.ID == stix.CEPTOARIdentityID:
		return stix.TLPClear
	}
	return stix.TLPAmberStrict
}
