package sharing

import (
	"errors"
	"testing"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// TestCopierWithoutAnonymizerWithholds: a hub opened without its anonymizer
// (an operator's command) makes the identified copy only; every community
// copy fails, and intake withholds it (fail closed), alone or shared.
func TestCopierWithoutAnonymizerWithholds(t *testing.T) {
	reg := testRegistryT(t)
	a, _ := reg.FindOrganizationByID("carrier-a")
	raw := `{"type":"bundle","id":"bundle--4b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[
	{"type":"indicator","spec_version":"2.1","id":"indicator--4e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"Flood source","pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "object_marking_refs":["` + stix.MarkingGreen + `"]}]}`
	b, err := stix.DecodeBundle([]byte(raw), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	req := RouteRequest{Bundle: b, Submitter: a}
	plan := (&Router{Registry: reg}).Plan(req)
	c := &Copier{}
	community := 0
	for _, r := range plan.Channels {
		cp, err := c.Build(req, r, false, nil)
		if r.Profile == anonymize.ProfileIdentified {
			if err != nil || cp.Status != StatusReleased {
				t.Errorf("%s (identified): %v %v", r.Channel, cp.Status, err)
			}
			continue
		}
		community++
		if !errors.Is(err, errNoAnonymizer) || cp.Bundle != nil {
			t.Errorf("%s (%s): built without an anonymizer: %v, bundle %v", r.Channel, r.Profile, err, cp.Bundle != nil)
		}
	}
	if community < 2 {
		t.Fatalf("the plan has %d community routes; the test needs a shared profile", community)
	}
	in := &Intake{Registry: reg, Copier: c}
	all := make([]int, len(plan.Channels))
	for i := range all {
		all[i] = i
	}
	for i, built := range in.buildCopies(req, plan, all, false) {
		r := plan.Channels[i]
		if got := built.err != nil; got != (r.Profile != anonymize.ProfileIdentified) {
			t.Errorf("%s (%s): intake's copy error %v", r.Channel, r.Profile, built.err)
		}
		if r.Profile != anonymize.ProfileIdentified {
			rc, err := recordCopy(a, &Submission{ID: "s"}, i, r, built, encodings{})
			if err != nil || rc.stored.Status != StatusWithheld || len(rc.entries) != 0 {
				t.Errorf("%s: recorded as %v with %d entries (%v), want withheld with none", r.Channel, rc.stored.Status, len(rc.entries), err)
			}
		}
	}
}
