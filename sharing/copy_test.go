package sharing

import (
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/stix"
)

func TestCopyGranularMarkingsAndDefaultTLP(t *testing.T) {
	reg := testRegistryT(t)
	a, _ := reg.FindOrganizationByID("carrier-a")
	anon, err := anonymize.NewAnonymizer(reg.Parties(), anonymize.Options{PseudonymKey: []byte("0123456789abcdef-copy-test")})
	if err != nil {
		t.Fatal(err)
	}
	raw := `{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[
	{"type":"indicator","spec_version":"2.1","id":"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"Flood source","description":"seen by our red team only","pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "object_marking_refs":["` + stix.MarkingGreen + `"],
	 "granular_markings":[{"marking_ref":"` + stix.MarkingRed + `","selectors":["description"]}]},
	{"type":"indicator","spec_version":"2.1","id":"indicator--2e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"Secret source","pattern":"[ipv4-addr:value = '198.18.7.8']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "object_marking_refs":["` + stix.MarkingGreen + `"],
	 "granular_markings":[{"marking_ref":"` + stix.MarkingAmberStrict + `","selectors":["pattern"]}]},
	{"type":"indicator","spec_version":"2.1","id":"indicator--3e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"Unmarked source","pattern":"[ipv4-addr:value = '198.18.7.9']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z"}
	]}`
	b, err := stix.DecodeBundle([]byte(raw), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := stix.Validate(b); err != nil {
		t.Fatal(err)
	}
	req := RouteRequest{Bundle: b, Submitter: a}
	plan := (&Router{Registry: reg}).Plan(req)
	c := &Copier{Anonymizer: anon}
	for _, r := range plan.Channels {
		cp, err := c.Build(req, r, false, nil)
		if err != nil || cp.Status != StatusReleased {
			t.Fatalf("%s: %v %v %v", r.Channel, cp.Status, cp.Hits, err)
		}
		out, _ := cp.Bundle.MarshalJSON()
		text := string(out)
		if strings.Contains(text, "red team") {
			t.Errorf("%s: a property under a granular TLP:RED marking reached the copy", r.Channel)
		}
		hasStrict := strings.Contains(text, "198.18.7.8")
		if want := r.Channel == ChannelISACInternal; hasStrict != want {
			t.Errorf("%s: indicator whose pattern is AMBER+STRICT present = %v, want %v", r.Channel, hasStrict, want)
		}
		// The unmarked indicator travels under carrier-a's default (amber), marked as such.
		for _, o := range cp.Bundle.Objects {
			if o.ID == "indicator--3e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b" {
				if tlp, ok := o.TLP(); !ok || tlp != stix.TLPAmber {
					t.Errorf("%s: unmarked object copied with TLP %v (marked %v), want amber", r.Channel, tlp, ok)
				}
			}
		}
		if err := stix.Validate(cp.Bundle); err != nil {
			t.Errorf("%s: copy invalid: %v", r.Channel, err)
		}
	}
}
