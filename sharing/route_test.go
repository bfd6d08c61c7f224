package sharing

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

const testRegistry = `organizations:
  - {id: carrier-a, role: carrier, identity: identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11, name: Sakura Telecom, isac_member: true, default_tlp: amber}
  - {id: carrier-b, role: carrier, identity: identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90, name: Kaede Networks, isac_member: true}
  - {id: carrier-x, role: carrier, identity: identity--3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d, name: Outsider Telecom, isac_member: false}
  - {id: ict-isac, role: isac, identity: identity--4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0, name: ICT-ISAC}
  - {id: nisc, role: nisc, identity: identity--5c4b3a2d-1f0e-4b9a-a8d7-e6f5a4b3c2d1, name: NISC}
  - {id: mic, role: regulator, identity: identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2, name: MIC}
  - {id: cabinet-office, role: disaster-authority, identity: identity--7e6d5c4f-3b2a-4dbc-8af9-a8b7c6d5e4f3, name: Cabinet Office}
  - {id: finance-isac, role: member, identity: identity--8f7e6d5a-4c3b-4ecd-9b0a-b9c8d7e6f5a4, name: Finance ISAC}
`

func testRegistryT(t *testing.T) *Registry {
	t.Helper()
	r, err := ParseRegistry([]byte(testRegistry), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var tlpMarking = map[string]string{"clear": stix.MarkingClear, "green": stix.MarkingGreen, "amber": stix.MarkingAmber, "amber+strict": stix.MarkingAmberStrict, "red": stix.MarkingRed}

// oneObjectBundle builds a bundle with one indicator at a TLP ("" = unmarked)
// and, when kind is set, an incident of that report kind at the same TLP.
func oneObjectBundle(t *testing.T, tlp, kind string) *stix.Bundle {
	t.Helper()
	marking := ""
	if tlp != "" {
		marking = fmt.Sprintf(`,"object_marking_refs":["%s"]`, tlpMarking[tlp])
	}
	objs := []string{fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
		"pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"%s}`, marking)}
	if kind != "" {
		objs = append(objs, fmt.Sprintf(`{"type":"incident","spec_version":"2.1","id":"incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
		"name":"i","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"%s,
		"extensions":{"%s":{"extension_type":"property-extension","report_kind":"%s","occurred_at":"2026-07-10T00:00:00Z"}}}`, marking, stix.TelecomExtensionID, kind))
	}
	b, err := stix.DecodeBundle([]byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[`+strings.Join(objs, ",")+`]}`), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := stix.Validate(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// summary renders a plan as "channel:recipients" entries for the indicator.
func summary(p Plan, id string) []string {
	var out []string
	for _, r := range p.Channels {
		if slices.Contains(r.Objects, id) {
			out = append(out, string(r.Channel)+":"+strings.Join(r.Recipients, "+"))
		}
	}
	return out
}

func TestPlanMatrix(t *testing.T) {
	reg := testRegistryT(t)
	router := &Router{Registry: reg}
	a, _ := reg.FindOrganizationByID("carrier-a")
	b, _ := reg.FindOrganizationByID("carrier-b")
	serious := []reporting.Result{{IncidentID: "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10", Classification: reporting.Serious,
		Obligations: []reporting.Obligation{{Kind: reporting.KindSeriousFirstReport}}}}
	disaster := []reporting.Result{{IncidentID: "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10", Classification: reporting.NotReportable,
		Obligations: []reporting.Obligation{{Kind: reporting.KindCabinetDisasterReport}}}}
	const ind = "indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
	const members = "isac-members:carrier-b+ict-isac"
	tests := []struct {
		name      string
		submitter *Organization
		tlp, kind string
		shareWith []string
		incidents []reporting.Result
		want      []string
	}{
		{"clear indicator alone", a, "clear", "", nil, nil, []string{members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac", "public:"}},
		{"green indicator alone", a, "green", "", nil, nil, []string{members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
		{"amber indicator alone", a, "amber", "", nil, nil, []string{members, "isac-internal:ict-isac"}},
		{"unmarked takes the org default (amber)", a, "", "", nil, nil, []string{members, "isac-internal:ict-isac"}},
		{"unmarked without a default is amber+strict", b, "", "", nil, nil, []string{"isac-internal:ict-isac"}},
		{"amber+strict indicator alone", a, "amber+strict", "", nil, nil, []string{"isac-internal:ict-isac"}},
		{"amber+strict named nisc", a, "amber+strict", "", []string{"nisc"}, nil, []string{"isac-internal:ict-isac"}},
		{"amber+strict with a cyber incident, nisc named", a, "amber+strict", "cyber-attack", []string{"nisc"}, nil, []string{"nisc:nisc", "isac-internal:ict-isac"}},
		{"red goes nowhere without share_with", a, "red", "", nil, nil, nil},
		{"red to a named member", a, "red", "", []string{"carrier-b"}, nil, []string{"isac-members:carrier-b"}},
		{"red named isac reaches internal and members", a, "red", "", []string{"ict-isac"}, nil, []string{"isac-members:ict-isac", "isac-internal:ict-isac"}},
		{"red with a serious outage reaches the regulator", a, "red", "service-outage", nil, serious, []string{"accident-reports:mic"}},
		{"green cyber attack: nisc too", a, "green", "cyber-attack", nil, nil, []string{"nisc:nisc", members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
		{"green near-miss: nisc", a, "green", "near-miss", nil, nil, []string{"nisc:nisc", members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
		{"green outage, not serious: no nisc", a, "green", "service-outage", nil, nil, []string{members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
		{"green serious outage: statutory and nisc", a, "green", "service-outage", nil, serious, []string{"accident-reports:mic", "nisc:nisc", members, "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
		{"disaster damage report", a, "amber", "disaster-damage", nil, disaster, []string{"disaster-reports:mic+cabinet-office", members, "isac-internal:ict-isac"}},
		{"submitter not in its own audience", b, "green", "", nil, nil, []string{"isac-members:carrier-a+ict-isac", "isac-internal:ict-isac", "cross-sector:nisc+finance-isac"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := router.Plan(RouteRequest{Bundle: oneObjectBundle(t, tc.tlp, tc.kind), Submitter: tc.submitter, ShareWith: tc.shareWith, Incidents: tc.incidents})
			if d := cmp.Diff(tc.want, summary(plan, ind)); d != "" {
				t.Errorf("routes of the indicator (-want +got):\n%s", d)
			}
			for _, r := range plan.Channels {
				if slices.Contains(r.Recipients, tc.submitter.ID) {
					t.Errorf("%s lists the submitter among its recipients", r.Channel)
				}
				if r.Channel == ChannelISACMembers && slices.Contains(r.Recipients, "carrier-x") {
					t.Error("a carrier that is not an ISAC member is in isac-members")
				}
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("default policy refused: %v", err)
	}
	tests := []struct {
		name string
		cfg  map[string]map[string]string
		want string
	}{
		{"amber+strict to members", map[string]map[string]string{"isac-members": {"amber+strict": "yes"}}, "isac-members/amber+strict"},
		{"red to anyone unnamed", map[string]map[string]string{"isac-internal": {"red": "yes"}}, "isac-internal/red"},
		{"green to the public", map[string]map[string]string{"public": {"green": "yes"}}, "public/green"},
		{"amber to the public even if named", map[string]map[string]string{"public": {"amber": "if-named"}}, "public/amber"},
		{"statutory not configurable", map[string]map[string]string{"accident-reports": {"red": "no"}}, "statutory"},
		{"unknown rule", map[string]map[string]string{"nisc": {"green": "maybe"}}, "rule \"maybe\""},
		{"unknown tlp", map[string]map[string]string{"nisc": {"white": "yes"}}, "not a TLP level"},
		{"unknown channel", map[string]map[string]string{"twitter": {"clear": "yes"}}, "not a distribution channel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParsePolicy = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	p, err := ParsePolicy(map[string]map[string]string{"cross-sector": {"amber": "yes"}})
	if err != nil || p.Rule(ChannelCrossSector, stix.TLPAmber) != RuleAlways {
		t.Errorf("a narrower-than-allowed change was refused: %v", err)
	}
}
