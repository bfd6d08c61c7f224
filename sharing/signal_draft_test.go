package sharing

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/stix"
)

func TestSignalDraftBuild(t *testing.T) {
	now := time.Date(2026, 7, 10, 5, 0, 0, 0, time.UTC)
	seen := now.Add(-3 * time.Minute)
	d := SignalDraft{ObservedAt: seen, Symptom: "no-connectivity", ServiceClass: "free-internet", Regions: []string{"13", "14"},
		UpstreamASNs: []int64{64511}, Prefixes: []string{"203.0.113.0/24"}, Note: "BGP sessions to the upstream flapping"}
	built, err := d.Build(draftOrg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(built.Violations) != 0 {
		t.Fatalf("violations of a good signal: %v", built.Violations)
	}
	b := built.Bundle
	if err := stix.Validate(b); err != nil {
		t.Fatalf("the built bundle is not valid STIX: %v", err)
	}
	if err := (&Intake{}).check(draftOrg, b, now); err != nil {
		t.Fatalf("the intake's first stage refuses the built signal: %v", err)
	}
	o := b.Objects[0]
	if o.ID != built.IncidentID || o.Props["created_by_ref"] != draftOrg.Identity {
		t.Errorf("incident %s by %v", o.ID, o.Props["created_by_ref"])
	}
	if tlp, _ := o.TLP(); tlp != stix.TLPAmber {
		t.Errorf("TLP %v, want the organization's default amber", tlp)
	}
	if !isOutageSignal(o) {
		t.Fatal("the built incident is not an outage signal")
	}
	tel, _, _ := o.TelecomExtension()
	sig, err := outage.FromTelecom(o.ID, draftOrg.ID, tel)
	if err != nil {
		t.Fatal(err)
	}
	want := outage.Signal{ID: o.ID, Organization: "carrier-a", ObservedAt: seen, Symptom: outage.NoConnectivity, ServiceClass: "free-internet",
		Regions: []string{"13", "14"}, UpstreamASNs: []int64{64511}, Prefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}, Note: d.Note}
	if diff := cmp.Diff(want, sig, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("signal (-want +got):\n%s", diff)
	}
	// A signal needs a name for STIX, never the carrier's.
	if name, _ := o.Props["name"].(string); name != "Outage signal: no-connectivity" {
		t.Errorf("name %q", name)
	}

	red, err := SignalDraft{ObservedAt: seen, Symptom: "packet-loss", TLP: stix.TLPRed}.Build(draftOrg, now)
	if err != nil {
		t.Fatal(err)
	}
	if tlp, _ := red.Bundle.Objects[0].TLP(); tlp != stix.TLPRed || len(red.Violations) != 0 {
		t.Errorf("TLP %v, violations %v", tlp, red.Violations)
	}
}

func TestSignalDraftViolations(t *testing.T) {
	now := time.Date(2026, 7, 10, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		draft SignalDraft
		want  []string // the fields named, in order
	}{
		{"nothing", SignalDraft{}, []string{"observed_at", "symptom"}},
		{"unknown symptom and service", SignalDraft{ObservedAt: now, Symptom: "sad", ServiceClass: "pigeon"}, []string{"symptom", "service_class"}},
		{"bad values", SignalDraft{ObservedAt: now, Symptom: "dns-failure", Regions: []string{"13", "48"}, UpstreamASNs: []int64{0},
			Prefixes: []string{"203.0.113.1/24", "not a prefix"}}, []string{"prefixes", "regions", "upstream_asns", "prefixes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			built, err := tc.draft.Build(draftOrg, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range built.Violations {
				got = append(got, built.FieldOf(v.Path))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s\n%v", diff, built.Violations)
			}
		})
	}
}

func TestSignalFieldOf(t *testing.T) {
	b := &BuiltSignal{}
	ext := "/objects/0/extensions/" + stix.TelecomExtensionID
	for ptr, want := range map[string]string{
		ext + "/signal/regions/1":          "regions",
		ext + "/signal/observed_at":        "observed_at",
		ext + "/signal":                    "",
		ext + "/report_kind":               "",
		"/objects/0/object_marking_refs/0": "tlp",
		"/objects/0/name":                  "",
		"/objects/1":                       "",
	} {
		if got := b.FieldOf(ptr); got != want {
			t.Errorf("FieldOf(%q) = %q, want %q", ptr, got, want)
		}
	}
}

func TestMaySeeEvents(t *testing.T) {
	for role, want := range map[Role]bool{RoleRegulator: true, RoleISAC: true, RoleNISC: true, RoleCarrier: true,
		RoleMember: false, RoleAdmin: false, RoleDisasterAuthority: false, RoleSensor: false} {
		if got := MaySeeEvents(&Organization{ID: "x", Role: role}); got != want {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
	if MaySeeEvents(nil) {
		t.Error("nobody sees events")
	}
}
