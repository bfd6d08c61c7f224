package sharing

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

func count(n int64) *int64 { return &n }

var draftOrg = &Organization{ID: "carrier-a", Role: RoleCarrier, Name: "Carrier A", Identity: "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", DefaultTLP: stix.TLPAmber}

// voiceDraft is a serious emergency-voice outage with a two-step profile,
// a blank service block between two real ones and blank profile rows.
func voiceDraft() Draft {
	t0 := time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC)
	completed := t0.Add(5 * time.Hour)
	return Draft{
		Name: "Voice core outage in Kanto", Description: "after an update", ReportKind: "service-outage",
		OccurredAt: t0, AwareAt: t0.Add(5 * time.Minute), RecoveredAt: t0.Add(3 * time.Hour), FailedEquipment: "core",
		Services: []DraftService{
			{ServiceClass: "emergency-voice", Impact: "stop", AffectedUsers: count(40000), Profile: []DraftStep{
				{Start: t0, End: t0.Add(70 * time.Minute), Users: count(40000)},
				{}, // blank row: ignored
				{Start: t0.Add(70 * time.Minute), End: t0.Add(3 * time.Hour), Users: count(10000)},
			}},
			{Profile: []DraftStep{{}, {}, {}}}, // blank block: ignored
			{ServiceClass: "other", Impact: "degradation", UsersUnknown: true, StoppedBandwidthBps: count(3_000_000_000)},
		},
		Disaster: &stix.Disaster{Kind: "earthquake", SeismicIntensity: "5+", EmergencyMeasuresCompletedAt: &completed},
		Cyber:    &stix.Cyber{AttackType: "ddos"},
		Osore:    &stix.Osore{Situation: "other", Prefectures: 2},
		Designs:  []DraftDesign{{Name: "core.pdf", MIMEType: "application/pdf", Data: []byte("%PDF-1.7 design")}},
	}
}

func TestDraftBuild(t *testing.T) {
	now := time.Date(2026, 7, 10, 4, 0, 0, 0, time.UTC)
	built, err := voiceDraft().Build(draftOrg, now)
	if err != nil {
		t.Fatal(err)
	}
	b := built.Bundle
	if err := stix.Validate(b); err != nil {
		t.Fatalf("the built bundle is not valid STIX: %v", err)
	}
	in := &Intake{}
	if err := in.check(draftOrg, b, now); err != nil {
		t.Fatalf("the intake's first stage refuses the built bundle: %v", err)
	}
	if len(b.Objects) != 2 || b.Objects[0].Type != "incident" || b.Objects[1].Type != "artifact" {
		t.Fatalf("objects: %v", b.Objects)
	}
	inc := b.Objects[0]
	if inc.CreatedByRef != draftOrg.Identity {
		t.Errorf("created_by_ref %q", inc.CreatedByRef)
	}
	if tlp, _ := inc.TLP(); tlp != stix.TLPAmber {
		t.Errorf("TLP %v, want the organization's default amber", tlp)
	}
	if tlp, _ := b.Objects[1].TLP(); tlp != stix.TLPRed {
		t.Errorf("design TLP %v, want red", tlp)
	}
	tel, ok, err := inc.TelecomExtension()
	if err != nil || !ok {
		t.Fatalf("telecom extension: %v %v", ok, err)
	}
	if len(tel.Services) != 2 || tel.Services[1].ServiceClass != "other" || len(tel.Services[0].UserProfile) != 2 {
		t.Errorf("blank blocks and rows were not left out: %+v", tel.Services)
	}
	if diff := cmp.Diff([]string{b.Objects[1].ID}, tel.SensitiveDesignRefs); diff != "" {
		t.Errorf("sensitive_design_refs (-want +got):\n%s", diff)
	}
	if inc.Props["created"] != "2026-07-10T04:00:00.000Z" || inc.Props["modified"] != "2026-07-10T04:00:00.000Z" {
		t.Errorf("created/modified %v %v", inc.Props["created"], inc.Props["modified"])
	}
	if w := stix.Warnings(b, nil); len(w) != 0 {
		t.Errorf("the built bundle has warnings: %v", w)
	}
	res, err := reporting.Classify(inc, draftOrg.ReportingFacts(), nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Classification != reporting.Serious {
		t.Errorf("classification %s, want serious (D(30000) = 1h10m ≥ 1h)", res.Classification)
	}

	// A follow-up keeps the incident id and created, with a later modified.
	d := voiceDraft()
	d.IncidentID, d.Created, d.TLP = inc.ID, inc.Created, stix.TLPGreen
	next, err := d.Build(draftOrg, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	n := next.Bundle.Objects[0]
	if n.ID != inc.ID || n.Props["created"] != inc.Props["created"] || !n.Modified.After(inc.Modified) {
		t.Errorf("follow-up: %s %v %v", n.ID, n.Props["created"], n.Props["modified"])
	}
	if tlp, _ := n.TLP(); tlp != stix.TLPGreen {
		t.Errorf("chosen TLP %v", tlp)
	}
}

// TestDraftOASIS checks the built bundle against the OASIS JSON schemas
// (strict mode), when a copy is at hand.
func TestDraftOASIS(t *testing.T) {
	dir := os.Getenv("KAKEHASHI_STIX_SCHEMAS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "stix2-json-schemas")
	}
	if _, err := os.Stat(filepath.Join(dir, "schemas", "common", "core.json")); err != nil {
		t.Skipf("OASIS schemas not found at %s: set KAKEHASHI_STIX_SCHEMAS to a checkout of oasis-open/cti-stix2-json-schemas", dir)
	}
	sv, err := stix.NewSchemaValidator(dir)
	if err != nil {
		t.Fatal(err)
	}
	built, err := voiceDraft().Build(draftOrg, time.Date(2026, 7, 10, 4, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.Validate(built.Bundle); err != nil {
		t.Errorf("the OASIS schemas refuse the built bundle: %v", err)
	}
}

func TestDraftFieldOf(t *testing.T) {
	built, err := voiceDraft().Build(draftOrg, time.Date(2026, 7, 10, 4, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ext := "/objects/0/extensions/" + stix.TelecomExtensionID
	for _, tc := range []struct{ name, pointer, want string }{
		{"name", "/objects/0/name", "name"},
		{"description", "/objects/0/description", "description"},
		{"marking", "/objects/0/object_marking_refs/0", "tlp"},
		{"object itself", "/objects/0", ""},
		{"extension itself", ext, ""},
		{"occurred_at", ext + "/occurred_at", "occurred_at"},
		{"report_kind", ext + "/report_kind", "report_kind"},
		{"first service", ext + "/services/0/impact", "services.0.impact"},
		{"skipped blank block", ext + "/services/1/service_class", "services.2.service_class"},
		{"bandwidth", ext + "/services/1/stopped_bandwidth_bps", "services.2.stopped_bandwidth_bps"},
		{"step after a blank row", ext + "/services/0/user_profile/1/users", "services.0.profile.2.users"},
		{"first step end", ext + "/services/0/user_profile/0/end", "services.0.profile.0.end"},
		{"a step itself", ext + "/services/0/user_profile/1", "services.0.profile.2.start"},
		{"unknown step", ext + "/services/0/user_profile/9/end", ""},
		{"unknown service", ext + "/services/7/impact", ""},
		{"disaster", ext + "/disaster/seismic_intensity", "disaster.seismic_intensity"},
		{"disaster time", ext + "/disaster/emergency_measures_completed_at", "disaster.emergency_measures_completed_at"},
		{"osore", ext + "/osore/prefectures", "osore.prefectures"},
		{"design refs", ext + "/sensitive_design_refs/0", "designs"},
		{"design artifact", "/objects/1", "designs"},
		{"design payload", "/objects/1/payload_bin", "designs"},
		{"bundle", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := built.FieldOf(tc.pointer); got != tc.want {
				t.Errorf("FieldOf(%q) = %q, want %q", tc.pointer, got, tc.want)
			}
		})
	}

	// The validator's own pointers land on the fields the user filled in.
	d := voiceDraft()
	d.Name = ""
	d.Services[2].ServiceClass = ""
	d.Services[0].Profile[2].Users = nil
	d.Disaster.Kind = ""
	d.Designs = nil
	bad, err := d.Build(draftOrg, time.Date(2026, 7, 10, 4, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	err = stix.Validate(bad.Bundle)
	var ve *stix.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want violations, got %v", err)
	}
	got := map[string]bool{}
	for _, v := range ve.Violations {
		got[bad.FieldOf(v.Path)] = true
	}
	for _, f := range []string{"name", "services.2.service_class", "services.0.profile.2.users", "disaster.kind"} {
		if !got[f] {
			raw, _ := json.Marshal(ve.Violations)
			t.Errorf("no violation maps to %s: %s", f, raw)
		}
	}
}
