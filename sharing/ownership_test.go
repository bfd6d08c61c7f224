package sharing

import (
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

func mustObject(t *testing.T, props map[string]any) *stix.Object {
	t.Helper()
	o, err := stix.NewObject(props)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestNamespaced(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		id   string
		want bool
	}{
		{"SCO", "email-addr", "email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3", true},
		{"marking definition", "marking-definition", "marking-definition--a1a2a3a4-b1b2-4c1c-8d1d-e1e2e3e4e5e6", true},
		{"SDO with a UUIDv5 id is claimed: a second owner would version it in the channels", "malware", "malware--2d77a846-6264-5d51-b586-e43822ea1ea3", false},
		{"indicator with a UUIDv5 id is claimed", "indicator", "indicator--2d77a846-6264-5d51-b586-e43822ea1ea3", false},
		{"SDO with a UUIDv4 id", "malware", "malware--2d77a846-6264-4d51-b586-e43822ea1ea3", false},
		{"incident with a UUIDv5 id is still claimed", "incident", "incident--2d77a846-6264-5d51-b586-e43822ea1ea3", false},
		{"note with a UUIDv5 id is still claimed", "note", "note--2d77a846-6264-5d51-b586-e43822ea1ea3", false},
		{"identity", "identity", "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := namespaced(&stix.Object{Type: tc.typ, ID: tc.id}); got != tc.want {
				t.Errorf("namespaced(%s) = %v, want %v", tc.id, got, tc.want)
			}
		})
	}
}

func TestReservedOwner(t *testing.T) {
	reg := testRegistryT(t)
	tests := []struct {
		name, id, owner string
		reserved        bool
	}{
		{"a registry identity belongs to its organization", "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90", "carrier-b", true},
		{"the hub's identity", stix.HubIdentityID, HubOrganization, true},
		{"the T-CEPTOAR identity", stix.CEPTOARIdentityID, HubOrganization, true},
		{"the telecom extension definition", stix.TelecomExtensionID, HubOrganization, true},
		{"a statistics report", statisticsReportID(reporting.Period{FiscalYear: 2026, Index: 2, Months: 3}), HubOrganization, true},
		{"an ordinary id", "report--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			owner, ok := reservedOwner(reg, tc.id)
			if owner != tc.owner || ok != tc.reserved {
				t.Errorf("reservedOwner(%s) = %q, %v; want %q, %v", tc.id, owner, ok, tc.owner, tc.reserved)
			}
		})
	}
}

func TestCheckAttribution(t *testing.T) {
	reg := testRegistryT(t)
	org, _ := reg.FindOrganizationByID("carrier-a")
	other := "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90"
	nobody := "identity--00000000-0000-4000-8000-0000000000ff"
	base := map[string]any{"spec_version": "2.1", "created": "2026-07-10T00:00:00Z", "modified": "2026-07-10T00:00:00Z"}
	obj := func(typ, author string) *stix.Object {
		p := map[string]any{"type": typ, "id": typ + "--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"}
		for k, v := range base {
			p[k] = v
		}
		if author != "" {
			p["created_by_ref"] = author
		}
		return mustObject(t, p)
	}
	tests := []struct {
		name  string
		o     *stix.Object
		wants bool
	}{
		{"own incident", obj("incident", org.Identity), false},
		{"incident without author", obj("incident", ""), false},
		{"incident of another carrier", obj("incident", other), true},
		{"incident of an unregistered identity", obj("incident", nobody), true},
		{"note of another carrier", obj("note", other), true},
		{"report of another carrier", obj("report", other), true},
		{"grouping of another carrier", obj("grouping", other), true},
		{"observed-data of another carrier", obj("observed-data", other), true},
		{"indicator from a vendor's feed keeps its author", obj("indicator", other), false},
	}
	var msgs []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := checkAttribution(org, &stix.Bundle{Objects: []*stix.Object{tc.o}})
			if (len(v) > 0) != tc.wants {
				t.Fatalf("violations = %v, want some: %v", v, tc.wants)
			}
			if tc.wants {
				if v[0].Path != "/objects/0/created_by_ref" || !strings.Contains(v[0].Message, org.Identity) {
					t.Errorf("violation = %+v", v[0])
				}
				if tc.o.Type == "incident" {
					msgs = append(msgs, v[0].Message)
				}
			}
		})
	}
	// The answer is the same whether the named author is a member or nobody.
	if len(msgs) != 2 || msgs[0] != msgs[1] {
		t.Errorf("messages differ between a member and nobody: %q", msgs)
	}
}

func TestTimeWindow(t *testing.T) {
	now := time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC)
	in := &Intake{}
	ext := func(occurred, recovered string, step string) *stix.Bundle {
		e := map[string]any{"extension_type": "property-extension", "report_kind": "service-outage", "occurred_at": occurred}
		if recovered != "" {
			e["recovered_at"] = recovered
		}
		if step != "" {
			e["services"] = []any{map[string]any{"service_class": "voice", "impact": "stop",
				"user_profile": []any{map[string]any{"start": "2026-07-09T00:00:00Z", "end": step, "users": 1}}}}
		}
		return &stix.Bundle{Objects: []*stix.Object{{Type: "incident", Props: map[string]any{"extensions": map[string]any{stix.TelecomExtensionID: e}}}}}
	}
	base := "/objects/0/extensions/" + stix.TelecomExtensionID + "/"
	tests := []struct {
		name  string
		b     *stix.Bundle
		paths []string
	}{
		{"plausible", ext("2026-07-09T00:00:00Z", "2026-07-09T01:00:00Z", "2026-07-09T01:00:00Z"), nil},
		{"a day ahead is skew", ext("2026-07-10T23:00:00Z", "", ""), nil},
		{"year 9999", ext("9999-12-31T00:00:00Z", "", ""), []string{base + "occurred_at"}},
		{"two days ahead", ext("2026-07-09T00:00:00Z", "2026-07-12T00:00:00Z", ""), []string{base + "recovered_at"}},
		{"before 1985", ext("1970-01-01T00:00:00Z", "", ""), []string{base + "occurred_at"}},
		{"a user profile step", ext("2026-07-09T00:00:00Z", "", "2099-01-01T00:00:00Z"), []string{base + "services/0/user_profile/0/end"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := in.window(now).check(tc.b)
			var got []string
			for _, x := range v {
				got = append(got, x.Path)
				if !strings.Contains(x.Message, "plausible") {
					t.Errorf("message %q does not say what is wrong", x.Message)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.paths, ",") {
				t.Errorf("violations at %v, want %v", got, tc.paths)
			}
		})
	}
	// The window is configurable.
	narrow := &Intake{Earliest: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), FutureSkew: time.Hour}
	if v := narrow.window(now).check(ext("2019-12-31T00:00:00Z", "2026-07-10T02:00:00Z", "")); len(v) != 2 {
		t.Errorf("narrow window: %v, want occurred_at and recovered_at", v)
	}
}

func TestLookup(t *testing.T) {
	m := map[string]any{"a": map[string]any{"a": "x", "b": 1}, "c": "y"}
	for path, want := range map[string]any{"a/a": "x", "c": "y", "a/b": 1, "a/z": nil, "c/d": nil, "z": nil} {
		if got := lookup(m, path); got != want {
			t.Errorf("lookup(%q) = %v, want %v", path, got, want)
		}
	}
}
