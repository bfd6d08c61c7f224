package sharing

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/stix"
)

func TestFeedsAreTheReadableChannels(t *testing.T) {
	reg := testRegistryT(t)
	tx := &TAXII{}
	want := map[string][]Channel{
		// Every carrier, the ISAC and NISC read sector-events (the entries of
		// the events they may see, INTERFACES.md §9); the regulator reads its
		// identified sector-events-regulator.
		"carrier-a":      {ChannelISACMembers, ChannelPublic, ChannelSectorEvents},
		"carrier-x":      {ChannelPublic, ChannelSectorEvents}, // not an ISAC member
		"ict-isac":       {ChannelISACMembers, ChannelISACInternal, ChannelPublic, ChannelSectorEvents},
		"nisc":           {ChannelNISC, ChannelCrossSector, ChannelPublic, ChannelSectorEvents},
		"mic":            {ChannelAccidentReports, ChannelDisasterReports, ChannelPublic, ChannelSectorEventsRegulator},
		"cabinet-office": {ChannelDisasterReports, ChannelPublic},
		"finance-isac":   {ChannelCrossSector, ChannelPublic},
	}
	for id, w := range want {
		org, err := reg.FindOrganizationByID(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []Channel
		for _, c := range tx.Feeds(org) {
			got = append(got, c.Channel)
			if !c.Channel.InAudience(org) {
				t.Errorf("%s: feed %s outside its audience", id, c.Channel)
			}
		}
		if d := cmp.Diff(w, got); d != "" {
			t.Errorf("%s feeds (-want +got):\n%s", id, d)
		}
	}
}

func TestFeedTLP(t *testing.T) {
	reg := testRegistryT(t)
	obj := func(props map[string]any) *stix.Object {
		t.Helper()
		base := map[string]any{"spec_version": "2.1", "created": "2026-07-10T00:00:00.000Z", "modified": "2026-07-10T00:00:00.000Z"}
		for k, v := range props {
			base[k] = v
		}
		o, err := stix.NewObject(base)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	const sakura = "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"
	const kaede = "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90"
	tests := []struct {
		name string
		ch   Channel
		o    *stix.Object
		want stix.TLP
	}{
		{"own marking wins", ChannelAccidentReports, obj(map[string]any{"type": "indicator", "id": "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", "created_by_ref": sakura, "object_marking_refs": []any{stix.MarkingGreen}}), stix.TLPGreen},
		{"strictest of two markings", ChannelISACMembers, obj(map[string]any{"type": "indicator", "id": "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", "object_marking_refs": []any{stix.MarkingGreen, stix.MarkingRed}}), stix.TLPRed},
		{"TLP 1.0 white is clear", ChannelNISC, obj(map[string]any{"type": "indicator", "id": "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", "object_marking_refs": []any{stix.MarkingTLP1White}}), stix.TLPClear},
		{"identified: submitter's default", ChannelAccidentReports, obj(map[string]any{"type": "note", "id": "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", "created_by_ref": sakura, "content": "x"}), stix.TLPAmber},
		{"identified: the organization's own identity", ChannelAccidentReports, obj(map[string]any{"type": "identity", "id": sakura, "name": "Sakura Telecom"}), stix.TLPAmber},
		{"identified: no registry default is amber+strict", ChannelDisasterReports, obj(map[string]any{"type": "note", "id": "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", "created_by_ref": kaede, "content": "x"}), stix.TLPAmberStrict},
		{"identified: hub's note", ChannelAccidentReports, obj(map[string]any{"type": "note", "id": "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", "created_by_ref": stix.HubIdentityID, "content": "x"}), stix.TLPAmberStrict},
		{"identified: hub identity", ChannelAccidentReports, obj(map[string]any{"type": "identity", "id": stix.HubIdentityID, "name": "Kakehashi hub"}), stix.TLPClear},
		{"anonymized: reference object", ChannelISACMembers, obj(map[string]any{"type": "identity", "id": "identity--4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0", "name": "Telecom CEPTOAR (T-CEPTOAR)"}), stix.TLPClear},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FeedTLP(reg, tc.ch, tc.o); got != tc.want {
				t.Errorf("FeedTLP = %s, want %s", got, tc.want)
			}
		})
	}
}
